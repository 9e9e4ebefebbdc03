"""
The counts of tests/pthread_memory_test.ts, derived by brute force: every interleaving of the
threads' visible steps (under --memory=all: locks, semaphore operations, and each shared read and
write), and the Mazurkiewicz traces among them (executions that order every pair of dependent
steps of different threads alike), which is what optimal DPOR explores one of each. Run it with
python3; it prints each program's two counts.

A step is (kind, object): L/U lock and unlock a mutex, P/A release and acquire a semaphore
(a thread's end releases its "done" semaphore, a join acquires it), R/W read and write a
variable. Two steps of different threads are dependent when they touch the same object and one
writes it (every mutex and semaphore operation writes its object).
"""


def interleavings(threads, sems):
    """Every complete interleaving: lists of (thread, index)."""
    out = []

    def walk(pcs, owner, sem, path):
        done = True
        for t, steps in enumerate(threads):
            if pcs[t] == len(steps):
                continue
            done = False
            kind, obj = steps[pcs[t]]
            if kind == "L" and owner.get(obj) is not None:
                continue
            if kind == "A" and sem.get(obj, 0) == 0:
                continue
            o2, s2 = dict(owner), dict(sem)
            if kind == "L":
                o2[obj] = t
            elif kind == "U":
                o2[obj] = None
            elif kind == "P":
                s2[obj] = s2.get(obj, 0) + 1
            elif kind == "A":
                s2[obj] -= 1
            p2 = list(pcs)
            p2[t] += 1
            walk(p2, o2, s2, path + [(t, pcs[t])])
        if done:
            out.append(path)

    walk([0] * len(threads), {}, dict(sems), [])
    return out


def dependent(a, b):
    (ka, oa), (kb, ob) = a, b
    if oa != ob:
        return False
    return not (ka == "R" and kb == "R")


def traces(threads, runs):
    classes = set()
    for run in runs:
        order = []
        for i, (t, k) in enumerate(run):
            for (u, j) in run[i + 1:]:
                if u != t and dependent(threads[t][k], threads[u][j]):
                    order.append(((t, k), (u, j)))
        classes.add(frozenset(order))
    return len(classes)


def count(name, threads, sems=None):
    runs = interleavings(threads, sems or {})
    print(f"{name}: {len(runs)} interleavings, {traces(threads, runs)} traces")


def worker(i):
    return [("L", "m"), ("R", "x"), ("W", "x"), ("U", "m"), ("P", f"done{i}")]


# mutex_counter.c: each thread locks, reads and writes the counter, unlocks and ends; main joins
# both, then reads the counter for its assert.
count("mutex_counter", [worker(1), worker(2), [("A", "done1"), ("A", "done2"), ("R", "x")]])
# The same under --memory=sync (tests/pthread_test.ts): no read or write is a step.
count("mutex_counter (sync)", [
    [s for s in worker(1) if s[0] not in "RW"],
    [s for s in worker(2) if s[0] not in "RW"],
    [("A", "done1"), ("A", "done2")],
])
# race_sem.c: the thread writes data, posts `ready` and ends; main waits on `ready`, reads
# data, joins.
count("race_sem", [[("W", "d"), ("P", "ready"), ("P", "done")],
                   [("A", "ready"), ("R", "d"), ("A", "done")]])
# race_join.c: the thread writes, ends; main joins, reads.
count("race_join", [[("W", "r"), ("P", "done")], [("A", "done"), ("R", "r")]])
