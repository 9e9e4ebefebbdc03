"""
An explicit-state model of the programs of examples/liveness/, apart from isomc: their states and
product states derived without the checker, for the counts tests/liveness_examples_test.ts asserts.

  python3 tests/models/liveness_examples.py

The semantics are docs/semantics.md's: isend/irecv post on a mailbox and match its oldest opposite
post (FIFO), the data copied at the match; a wait is enabled once its comm is matched and releases
it; each visible call is one transition, and the local code after it, up to the next visible call,
runs with it. A state is what the program's memory holds: each actor's place and the values in its
frame, the globals, the mailboxes' queues, the comms. The product is with the automaton
`isomc ltl FORMULA` prints (transition guards read on the source state's letter, a terminal state
stuttering), searched by Couvreur's algorithm (FM'99) in isomc's order: actors by id, then the
automaton's transitions in order; the count where it stops is the count of a violation.

coordinator_frame() is coordinator() as `isomc cc` compiles it (-O0): every local of
coordinator() has its own slot in its frame and keeps its last value, dead or not (the first
branch's grant, the second's, next, i). The model matched `isomc check --dot`'s graph of
coordinator_fixed.c node for node (1,124 nodes, each one model state, every edge one of its steps).
Not part of the test suite (no Python there); run by hand when a program or the runtime changes.
"""
import sys
from collections import deque, namedtuple

# A state: actors (tuple of per-actor local tuples, pc first), glob (frozen dict as tuple of
# pairs), boxes (tuple per mailbox: (side, tuple of queued (actor, payload)) ), comms (tuple per
# actor: None or (mailbox, side, matched)).
S = namedtuple("S", "actors glob boxes comms")

def g(st, k):
    return dict(st.glob)[k]

def setg(st, **kw):
    d = dict(st.glob); d.update(kw)
    return st._replace(glob=tuple(sorted(d.items())))

def seta(st, a, loc):
    acts = list(st.actors); acts[a] = loc
    return st._replace(actors=tuple(acts))

def setc(st, a, c):
    cs = list(st.comms); cs[a] = c
    return st._replace(comms=tuple(cs))

def post(st, a, mb, side, payload, deliver):
    """isend (side 'S', payload) or irecv (side 'R'): match the oldest opposite post or queue.
    deliver(st, receiver, payload) -> st writes a message into the receiver's buffer."""
    qside, q = st.boxes[mb]
    boxes = list(st.boxes)
    if q and qside != side:
        (b, bpay), rest = q[0], q[1:]
        boxes[mb] = (qside, rest) if rest else (None, ())
        st = st._replace(boxes=tuple(boxes))
        mbx, bside, _ = st.comms[b]
        st = setc(st, b, (mbx, bside, True))
        st = setc(st, a, (mb, side, True))
        if side == "S":
            st = deliver(st, b, payload)
        else:
            st = deliver(st, a, bpay)
        return st
    boxes[mb] = (side, q + ((a, payload),))
    st = st._replace(boxes=tuple(boxes))
    return setc(st, a, (mb, side, False))

def can_wait(st, a):
    c = st.comms[a]
    return c is not None and c[2]

def release(st, a):
    return setc(st, a, None)


def nodeliver(st, r, payload):
    return st

def token_ring(n=3):
    # node i: mine = box i, next = box i+1. Node 0 sends first.
    def pending(st, a):
        pc = st.actors[a][0]
        nxt, mine = (a + 1) % n, a
        if a == 0:
            if pc == 0:
                return ("isend", True, lambda s: seta(post(s, a, nxt, "S", a, nodeliver), a, (1,)))
            if pc == 1:
                return ("wait", can_wait(st, a), lambda s: setg(seta(release(s, a), a, (2,)), token_at_0=0))
            if pc == 2:
                return ("irecv", True, lambda s: seta(post(s, a, mine, "R", None, nodeliver), a, (3,)))
            if pc == 3:
                return ("wait", can_wait(st, a), lambda s: setg(seta(release(s, a), a, (0,)), token_at_0=1))
        else:
            if pc == 0:
                return ("irecv", True, lambda s: seta(post(s, a, mine, "R", None, nodeliver), a, (1,)))
            if pc == 1:
                return ("wait", can_wait(st, a), lambda s: seta(release(s, a), a, (2,)))
            if pc == 2:
                return ("isend", True, lambda s: seta(post(s, a, nxt, "S", a, nodeliver), a, (3,)))
            if pc == 3:
                return ("wait", can_wait(st, a), lambda s: seta(release(s, a), a, (0,)))
        raise AssertionError(pc)
    init = S(actors=tuple((0,) for _ in range(n)), glob=(("token_at_0", 1),),
             boxes=tuple((None, ()) for _ in range(n)), comms=tuple(None for _ in range(n)))
    props = lambda st: {"token_at_0": g(st, "token_at_0") != 0}
    return init, pending, props

REQUEST, RELEASE, GRANT = 0, 1, 2

def coordinator(bug=True):
    # actor 0: coordinator, 1: client-1, 2: client-2. Boxes: 0 coordinator, 1 client-1, 2 client-2.
    # coordinator loc: (pc, busy, queue, m_kind, m_client, grant_client)
    def deliver_to_coord(st, r, payload):
        if r != 0:
            return st  # a client's receive buffer gets {GRANT, me}: determined by its pc and comm
        if len(st.actors[0]) == 11:  # coordinator_frame's layout: m at 5, 6
            l = list(st.actors[0]); l[5], l[6] = payload
            return seta(st, 0, tuple(l))
        pc, busy, queue, mk, mc, gc = st.actors[0]
        return seta(st, 0, (pc, busy, queue, payload[0], payload[1], gc))

    def after_recv(st):
        pc, busy, queue, mk, mc, gc = st.actors[0]
        if mk == REQUEST:
            if not busy:
                return seta(st, 0, (2, 1, queue, mk, mc, mc))
            if bug and mc == 1:
                return seta(st, 0, (0, busy, queue, mk, mc, gc))
            return seta(st, 0, (0, busy, queue + (mc,), mk, mc, gc))
        if queue:
            return seta(st, 0, (2, busy, queue[1:], mk, mc, queue[0]))
        return seta(st, 0, (0, 0, queue, mk, mc, gc))

    def pending(st, a):
        if a == 0:
            pc, busy, queue, mk, mc, gc = st.actors[0]
            setpc = lambda s, p: seta(s, 0, (p,) + s.actors[0][1:])
            if pc == 0:
                return ("irecv", True, lambda s: setpc(post(s, 0, 0, "R", None, deliver_to_coord), 1))
            if pc == 1:
                return ("wait", can_wait(st, 0), lambda s: after_recv(release(s, 0)))
            if pc == 2:
                return ("isend", True, lambda s: setpc(post(s, 0, gc, "S", (GRANT, gc), deliver_to_coord), 3))
            if pc == 3:
                return ("wait", can_wait(st, 0), lambda s: setpc(release(s, 0), 0))
            raise AssertionError(pc)
        me = a
        pc = st.actors[a][0]
        one = me == 1
        if pc == 0:
            return ("isend", True, lambda s: seta(post(s, a, 0, "S", (REQUEST, me), deliver_to_coord), a, (1,)))
        if pc == 1:
            return ("wait", can_wait(st, a), lambda s: seta(release(s, a), a, (2,)))
        if pc == 2:
            return ("irecv", True, lambda s: seta(post(s, a, me, "R", None, deliver_to_coord), a, (3,)))
        if pc == 3:
            def f(s):
                s = seta(release(s, a), a, (4,))
                return setg(s, request_1=0, cs_1=1) if one else s
            return ("wait", can_wait(st, a), f)
        if pc == 4:
            def f(s):
                s = seta(s, a, (5,))
                return setg(s, cs_1=0) if one else s
            return ("yield", True, f)
        if pc == 5:
            return ("isend", True, lambda s: seta(post(s, a, 0, "S", (RELEASE, me), deliver_to_coord), a, (6,)))
        if pc == 6:
            def f(s):
                s = seta(release(s, a), a, (0,))
                return setg(s, request_1=1) if one else s
            return ("wait", can_wait(st, a), f)
        raise AssertionError(pc)

    init = S(actors=((0, 0, (), 0, 0, 0), (0,), (0,)), glob=(("cs_1", 0), ("request_1", 1)),
             boxes=((None, ()),) * 3, comms=(None,) * 3)
    props = lambda st: {"request_1": g(st, "request_1") != 0, "cs_1": g(st, "cs_1") != 0}
    return init, pending, props

def spin_wait():
    # actor 0 producer: store(item,42); store(ready,1); done. actor 1 consumer:
    # while (load(ready) == 0) yield(); assert(load(item) == 42); served = 1; done.
    def pending(st, a):
        pc = st.actors[a][0]
        if a == 0:
            if pc == 0:
                return ("store", True, lambda s: setg(seta(s, 0, (1,)), item=42))
            if pc == 1:
                return ("store", True, lambda s: setg(seta(s, 0, (2,)), ready=1))
            return None
        if pc == 0:  # load(ready)
            return ("load", True, lambda s: seta(s, 1, (1,) if g(s, "ready") == 0 else (2,)))
        if pc == 1:
            return ("yield", True, lambda s: seta(s, 1, (0,)))
        if pc == 2:  # load(item), then the assertion, served = 1, return
            return ("load", True, lambda s: setg(seta(s, 1, (3,)), served=1))
        return None
    init = S(actors=((0,), (0,)), glob=(("item", 0), ("ready", 0), ("served", 0)),
             boxes=(), comms=())
    props = lambda st: {"served": g(st, "served") != 0}
    return init, pending, props

def coordinator_frame(bug=True):
    """coordinator() as compiled (-O0, isomc cc): every local has its own slot in the frame, and
    what a slot last held stays there: m (the last message received), the first branch's grant
    {GRANT, client}, the second's, next, i, both queue slots. The frame is program state."""
    # loc: (pc, busy, q0, q1, queued, mk, mc, g1, g2, nxt, i). pcs: 0/1 recv (irecv, wait);
    # 2/3 the first branch's send (to g1); 4/5 the second's (to nxt).
    def deliver(st, r, payload):
        if r != 0:
            return st
        l = list(st.actors[0]); l[5], l[6] = payload
        return seta(st, 0, tuple(l))

    def after_recv(st):
        pc, busy, q0, q1, queued, mk, mc, g1, g2, nxt, i = st.actors[0]
        q = [q0, q1]
        if mk == REQUEST:
            if not busy:
                return seta(st, 0, (2, 1, q0, q1, queued, mk, mc, mc, g2, nxt, i))
            if bug and mc == 1:
                return seta(st, 0, (0, busy, q0, q1, queued, mk, mc, g1, g2, nxt, i))
            q[queued] = mc
            return seta(st, 0, (0, busy, q[0], q[1], queued + 1, mk, mc, g1, g2, nxt, i))
        if queued > 0:
            nxt = q[0]
            i = 1
            while i < queued:
                q[i - 1] = q[i]; i += 1
            queued -= 1
            q[queued] = 0
            return seta(st, 0, (4, busy, q[0], q[1], queued, mk, mc, g1, nxt, nxt, i))
        return seta(st, 0, (0, 0, q0, q1, queued, mk, mc, g1, g2, nxt, i))

    base_init, base_pending, props = coordinator(bug)

    def pending(st, a):
        if a != 0:
            return base_pending(st, a)
        loc = st.actors[0]
        pc = loc[0]
        setpc = lambda s, p: seta(s, 0, (p,) + s.actors[0][1:])
        if pc == 0:
            return ("irecv", True, lambda s: setpc(post(s, 0, 0, "R", None, deliver), 1))
        if pc == 1:
            return ("wait", can_wait(st, 0), lambda s: after_recv(release(s, 0)))
        if pc in (2, 4):
            to = loc[7] if pc == 2 else loc[9]
            return ("isend", True, lambda s: setpc(post(s, 0, to, "S", (GRANT, to), deliver), pc + 1))
        if pc in (3, 5):
            return ("wait", can_wait(st, 0), lambda s: setpc(release(s, 0), 0))
        raise AssertionError(pc)

    init = base_init._replace(actors=((0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),) + base_init.actors[1:])
    return init, pending, props


def successors(st, pending, n):
    out = []
    for a in range(n):
        p = pending(st, a)
        if p is None:
            continue
        kind, enabled, apply = p
        if enabled:
            out.append((a, kind, apply(st)))
    return out

def finished(st, pending, n):
    return all(pending(st, a) is None for a in range(n))

def program_states(init, pending, n):
    seen = {init}
    todo = deque([init])
    while todo:
        s = todo.popleft()
        for _, _, t in successors(s, pending, n):
            if t not in seen:
                seen.add(t); todo.append(t)
    return seen

def product_states(init, pending, props, n, aut):
    """aut: list per state of [(guard(letter)->bool, target, accepting)]; initial 0. A terminal
    program state (all finished, or none enabled) stutters: its successor is itself."""
    seen = {(init, 0)}
    todo = deque([(init, 0)])
    while todo:
        s, q = todo.popleft()
        letter = props(s)
        succ = [t for _, _, t in successors(s, pending, n)]
        if not succ:
            succ = [s]  # stutter (an end, or a deadlock as a finite run)
        for guard, q2, _ in aut[q]:
            if guard(letter):
                for t in succ:
                    if (t, q2) not in seen:
                        seen.add((t, q2)); todo.append((t, q2))
    return seen

T = lambda l: True
AUT = {
    # !(G F token_at_0): state 0: !t -> 1, true -> 0; state 1: !t -> 1 {0}
    "G F token_at_0": [[(lambda l: not l["token_at_0"], 1, False), (T, 0, False)],
                        [(lambda l: not l["token_at_0"], 1, True)]],
    "G(request_1 -> F cs_1)": [[(lambda l: l["request_1"] and not l["cs_1"], 1, False), (T, 0, False)],
                               [(lambda l: not l["cs_1"], 1, True)]],
    "F served": [[(lambda l: not l["served"], 0, False)]],
}


def search(init, pending, props, n, aut, nacc, weak=False):
    number = {}
    finished = set()
    roots = []  # [num, acc set, moved actors, enabled-in-all actors]
    found = [False]
    ALL = frozenset(range(nacc))

    def enabled_of(s):
        return frozenset(a for a in range(n) if (p := pending(s, a)) is not None and p[1])

    def ok(r):
        if r[1] != ALL:
            return False
        if weak:
            # every actor moves inside, or is disabled in one of its states
            return all(a in r[2] or a not in r[3] for a in range(n))
        return True

    def visit(s, q):
        number[(s, q)] = len(number) + 1
        en = enabled_of(s)
        roots.append([number[(s, q)], frozenset(), frozenset(), en])
        letter = props(s)
        succ = [(a, t) for a, _, t in successors(s, pending, n)]
        if not succ:
            succ = [(None, s)]
        for a, t in succ:
            for guard, q2, acc in aut[q]:
                if not guard(letter):
                    continue
                marks = frozenset([0]) if acc else frozenset()
                moved = frozenset([a]) if a is not None else frozenset()
                key = (t, q2)
                if key not in number:
                    visit(t, q2)
                    if found[0]:
                        return
                    # the tree edge into a root popped already, or merged: handled below
                    if key not in finished:
                        # key is still open: its component is on the stack; merge down to it
                        merge(number[key], marks, moved)
                elif key not in finished:
                    merge(number[key], marks, moved)
                if found[0]:
                    return
        if roots[-1][0] == number[(s, q)]:
            # pop the component: every state numbered from here on is finished
            roots.pop()
            for k, v in list(number.items()):
                if v >= number[(s, q)]:
                    finished.add(k)

    def merge(num, marks, moved):
        acc, mv, en = marks, moved, None
        while roots[-1][0] > num:
            r = roots.pop()
            acc |= r[1]; mv |= r[2]
            en = r[3] if en is None else en & r[3]
        top = roots[-1]
        top[1] = top[1] | acc
        top[2] = top[2] | mv
        if en is not None:
            top[3] = top[3] & en
        if ok(top):
            found[0] = True

    visit(init, 0)
    return found[0], len(number), len({s for s, _ in number})



def live(s):
    """coordinator_frame()'s state with only live data: the coordinator's place, busy, the queue's
    live slots, the message received while it is unread, the pending grant's client."""
    pc, busy, q0, q1, queued, mk, mc, g1, g2, nxt, i = s.actors[0]
    matched = s.comms[0] is not None and s.comms[0][2]
    return ((pc, busy, (q0, q1)[:queued], (mk, mc) if pc == 1 and matched else None,
             g1 if pc in (2, 3) else nxt if pc in (4, 5) else 0),
            s.actors[1:], s.glob, s.boxes, s.comms)

if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    coord = "G(request_1 -> F cs_1)"
    expected = [
        # name, model, actors, formula, acceptance sets, fairness: verdict, product, program
        ("token_ring", token_ring(), 3, "G F token_at_0", 1, False, (False, 120, 72)),
        ("coordinator", coordinator_frame(True), 3, coord, 1, False, (True, 73, 73)),
        ("coordinator", coordinator_frame(True), 3, coord, 1, True, (True, 73, 73)),
        ("coordinator_fixed", coordinator_frame(False), 3, coord, 1, True, (False, 1925, 1124)),
        ("coordinator_fixed", coordinator_frame(False), 3, coord, 1, False, (True, 181, 181)),
        ("spin_wait", spin_wait(), 2, "F served", 0, False, (True, 7, 7)),
        ("spin_wait", spin_wait(), 2, "F served", 0, True, (False, 8, 8)),
    ]
    ok = True
    for name, (init, pending, props), n, f, nacc, weak, want in expected:
        got = search(init, pending, props, n, AUT[f], nacc, weak)
        print(f"{name}, {f}, fairness {'weak' if weak else 'none'}: "
              f"{'violation' if got[0] else 'ok'}, {got[1]} product states, {got[2]} program states"
              f"{'' if got == want else f'  (expected {want})'}")
        ok = ok and got == want
    for bug in (True, False):
        init, pending, props = coordinator_frame(bug)
        ps = program_states(init, pending, 3)
        prod = product_states(init, pending, props, 3, AUT[coord])
        print(f"coordinator{'' if bug else '_fixed'}: {len(ps)} reachable states "
              f"({len({live(s) for s in ps})} with live data only), {len(prod)} product states "
              f"({len({(live(s), q) for s, q in prod})})")
    sys.exit(0 if ok else 1)
