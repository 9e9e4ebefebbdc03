/**
 * The independence relation (lib/model/independence.ts): one test per row of the table in
 * docs/independence.md, the "waits for" edges of happens-before, and a check of the whole
 * relation against the semantics: on the fake runtime, adjacent steps that happens-before
 * leaves unordered commute.
 */

import assert from "node:assert/strict";
import type { CommInfo } from "../lib/model/independence.ts";
import { Kind, type Transition, type WaitanyComm } from "../lib/model/transition.ts";
import { type Event, makeEvent } from "../lib/explore/dpor/event.ts";
import { analyze, happensBefore } from "../lib/explore/dpor/happens_before.ts";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { FakeTarget } from "./support/fake_system.ts";
import { randomProgram, RecordingTarget } from "./support/random_programs.ts";

const comms = new Map<number, CommInfo>([
  [101, { mailbox: 7, side: "send" }],
  [102, { mailbox: 7, side: "recv" }],
  [103, { mailbox: 8, side: "recv" }],
]);

interface Spec {
  readonly object?: number;
  readonly arg0?: bigint;
  readonly arg1?: bigint;
  readonly extras?: readonly WaitanyComm[];
  readonly choices?: number;
  /** A compare-exchange's comparison fails where it is taken (record flag 8). */
  readonly fails?: boolean;
}

function tr(actor: number, kind: Kind, spec: Spec = {}): Transition {
  return {
    actor,
    kind,
    enabled: true,
    ready: false,
    choices: spec.choices ?? 1,
    object: spec.object ?? 0,
    arg0: spec.arg0 ?? 0n,
    arg1: spec.arg1 ?? 0n,
    extras: spec.extras ?? [],
    ...(spec.fails === true ? { fails: true } : {}),
  };
}

function ev(t: Transition, created: number[] = []): Event {
  return makeEvent(t, 0, (c) => comms.get(c), created);
}

function dependent(a: Transition, b: Transition): boolean {
  const x = ev(a);
  const y = ev(b);
  return x.actor === y.actor ||
    x.accesses.some((p) =>
      y.accesses.some((q) => p.cell === q.cell && (p.mode === "write" || q.mode === "write"))
    );
}

/** Every kind, on object 1 (or address 0x1000, mailbox 7, comm 101/102). */
function all(actor: number): Transition[] {
  return [
    tr(actor, Kind.yield),
    tr(actor, Kind.random, { arg0: 0n, arg1: 3n, choices: 4 }),
    tr(actor, Kind.load, { object: 0x1000 }),
    tr(actor, Kind.store, { object: 0x1000 }),
    tr(actor, Kind.fetchAdd, { object: 0x1000 }),
    tr(actor, Kind.cas, { object: 0x1000 }),
    tr(actor, Kind.mutexLock, { object: 1 }),
    tr(actor, Kind.mutexTrylock, { object: 1 }),
    tr(actor, Kind.mutexUnlock, { object: 1 }),
    tr(actor, Kind.semAcquire, { object: 1 }),
    tr(actor, Kind.semRelease, { object: 1 }),
    tr(actor, Kind.semTrywait, { object: 1 }),
    tr(actor, Kind.semGetvalue, { object: 1 }),
    tr(actor, Kind.condWait, { object: 1, arg0: 1n }),
    tr(actor, Kind.condWake, { object: 1, arg0: 1n }),
    tr(actor, Kind.condSignal, { object: 1 }),
    tr(actor, Kind.condBroadcast, { object: 1 }),
    tr(actor, Kind.barrierArrive, { object: 1, arg0: 2n }),
    tr(actor, Kind.barrierLeave, { object: 1 }),
    tr(actor, Kind.isend, { object: 7, arg0: 101n }),
    tr(actor, Kind.irecv, { object: 7, arg0: 102n }),
    tr(actor, Kind.wait, { object: 101, arg0: 7n, arg1: 0n }),
    tr(actor, Kind.test, { object: 102, arg0: 7n, arg1: 1n }),
    tr(actor, Kind.waitany, { extras: [{ id: 102, ready: true }, { id: 103, ready: false }] }),
  ];
}

const memory = new Set<Kind>([Kind.load, Kind.store, Kind.fetchAdd, Kind.cas]);
const mutexOps = new Set<Kind>([
  Kind.mutexLock,
  Kind.mutexTrylock,
  Kind.mutexUnlock,
  Kind.condWait,
  Kind.condWake,
]);
const semOps = new Set<Kind>([Kind.semAcquire, Kind.semRelease]);

Deno.test("row 1: two transitions of the same actor are dependent", () => {
  for (const a of all(1)) for (const b of all(1)) assert.ok(dependent(a, b));
});

Deno.test("row 2: yield and random are independent of everything", () => {
  for (const a of [tr(1, Kind.yield), tr(1, Kind.random, { choices: 2 })]) {
    for (const b of all(2)) assert.equal(dependent(a, b), false, `${a.kind} / ${b.kind}`);
  }
});

Deno.test("row 3: two loads of the same address are independent", () => {
  assert.equal(dependent(tr(1, Kind.load, { object: 8 }), tr(2, Kind.load, { object: 8 })), false);
});

Deno.test("row 4: memory operations on one address are dependent when one writes", () => {
  for (const a of all(1).filter((t) => memory.has(t.kind))) {
    for (const b of all(2).filter((t) => memory.has(t.kind))) {
      const writes = a.kind !== Kind.load || b.kind !== Kind.load;
      assert.equal(dependent(a, b), writes, `${a.kind} / ${b.kind}`);
    }
  }
});

Deno.test("row 4: a cas that fails where it is taken is a read: it commutes with loads and failing cas", () => {
  const failing = (actor: number) => tr(actor, Kind.cas, { object: 0x1000, fails: true });
  assert.equal(dependent(failing(1), failing(2)), false);
  assert.equal(dependent(failing(1), tr(2, Kind.load, { object: 0x1000 })), false);
  for (const k of [Kind.store, Kind.fetchAdd, Kind.cas]) {
    assert.equal(dependent(failing(1), tr(2, k, { object: 0x1000 })), true, `${k}`);
  }
});

Deno.test("row 5: memory operations on different addresses are independent", () => {
  for (const k of memory) {
    for (const l of memory) {
      assert.equal(dependent(tr(1, k, { object: 8 }), tr(2, l, { object: 16 })), false);
    }
  }
});

Deno.test("row 6: memory operations are independent of synchronisation and mailboxes", () => {
  for (const a of all(1).filter((t) => memory.has(t.kind))) {
    for (const b of all(2).filter((t) => !memory.has(t.kind))) {
      assert.equal(dependent(a, b), false, `${a.kind} / ${b.kind}`);
    }
  }
});

Deno.test("row 7: operations on the same mutex are dependent, cond_wait's phases included", () => {
  for (const a of all(1).filter((t) => mutexOps.has(t.kind))) {
    for (const b of all(2).filter((t) => mutexOps.has(t.kind))) {
      assert.ok(dependent(a, b), `${a.kind} / ${b.kind}`);
    }
  }
});

Deno.test("row 8: operations on different mutexes are independent", () => {
  assert.equal(
    dependent(tr(1, Kind.mutexLock, { object: 1 }), tr(2, Kind.mutexUnlock, { object: 2 })),
    false,
  );
  assert.equal(
    dependent(tr(1, Kind.condWait, { object: 5, arg0: 1n }), tr(2, Kind.mutexLock, { object: 2 })),
    false,
  );
});

Deno.test("row 9: operations on the same semaphore are dependent, two releases included", () => {
  for (const k of semOps) {
    for (const l of semOps) {
      assert.ok(dependent(tr(1, k, { object: 3 }), tr(2, l, { object: 3 })));
      assert.equal(dependent(tr(1, k, { object: 3 }), tr(2, l, { object: 4 })), false);
    }
  }
});

Deno.test("row 10: cond_wait, signal and broadcast on the same condition are dependent", () => {
  const ops = [Kind.condWait, Kind.condSignal, Kind.condBroadcast];
  for (const k of ops) {
    for (const l of ops) {
      // Different mutexes, so that only the condition can make them dependent.
      assert.ok(dependent(tr(1, k, { object: 5, arg0: 1n }), tr(2, l, { object: 5, arg0: 2n })));
      assert.equal(
        dependent(tr(1, k, { object: 5, arg0: 1n }), tr(2, l, { object: 6, arg0: 2n })),
        false,
      );
    }
  }
});

Deno.test("row 11: cond_wait's return is independent of the condition's other operations", () => {
  const wake = tr(1, Kind.condWake, { object: 5, arg0: 1n });
  for (const k of [Kind.condWait, Kind.condSignal, Kind.condBroadcast, Kind.condWake]) {
    assert.equal(dependent(wake, tr(2, k, { object: 5, arg0: 2n })), false);
  }
});

Deno.test("row 12: two arrivals at the same barrier are dependent", () => {
  const a = tr(1, Kind.barrierArrive, { object: 4, arg0: 2n });
  assert.ok(dependent(a, tr(2, Kind.barrierArrive, { object: 4, arg0: 2n })));
  assert.equal(dependent(a, tr(2, Kind.barrierArrive, { object: 9, arg0: 2n })), false);
});

Deno.test("row 13: leaving a barrier is independent of everything", () => {
  const leave = tr(1, Kind.barrierLeave, { object: 1 });
  for (const b of all(2)) assert.equal(dependent(leave, b), false, `${b.kind}`);
});

Deno.test("row 14: two posts of the same side on the same mailbox are dependent", () => {
  assert.ok(dependent(tr(1, Kind.isend, { object: 7 }), tr(2, Kind.isend, { object: 7 })));
  assert.ok(dependent(tr(1, Kind.irecv, { object: 7 }), tr(2, Kind.irecv, { object: 7 })));
});

Deno.test("row 15: a send and a receive on the same mailbox are independent", () => {
  assert.equal(
    dependent(tr(1, Kind.isend, { object: 7 }), tr(2, Kind.irecv, { object: 7 })),
    false,
  );
});

Deno.test("row 16: posts on different mailboxes are independent", () => {
  assert.equal(
    dependent(tr(1, Kind.isend, { object: 7 }), tr(2, Kind.isend, { object: 8 })),
    false,
  );
  assert.equal(
    dependent(tr(1, Kind.irecv, { object: 7 }), tr(2, Kind.irecv, { object: 8 })),
    false,
  );
});

Deno.test("row 17: test(c) depends on the posts that may match c", () => {
  const testRecv = tr(1, Kind.test, { object: 102, arg0: 7n, arg1: 1n });
  const testSend = tr(1, Kind.test, { object: 101, arg0: 7n, arg1: 0n });
  assert.ok(dependent(testRecv, tr(2, Kind.isend, { object: 7 })));
  assert.ok(dependent(testSend, tr(2, Kind.irecv, { object: 7 })));
});

Deno.test("row 18: test(c) is independent of same-side posts and of other comm operations", () => {
  const testRecv = tr(1, Kind.test, { object: 102, arg0: 7n, arg1: 1n });
  assert.equal(dependent(testRecv, tr(2, Kind.irecv, { object: 7 })), false);
  assert.equal(dependent(testRecv, tr(2, Kind.isend, { object: 8 })), false);
  for (
    const b of all(2).filter((t) =>
      ([Kind.test, Kind.wait, Kind.waitany] as Kind[]).includes(t.kind)
    )
  ) {
    assert.equal(dependent(testRecv, b), false, `${b.kind}`);
  }
});

Deno.test("row 19: wait is independent of everything", () => {
  const wait = tr(1, Kind.wait, { object: 102, arg0: 7n, arg1: 1n });
  for (const b of all(2)) assert.equal(dependent(wait, b), false, `${b.kind}`);
});

Deno.test("row 20: waitany depends on the posts that may match one of its comms", () => {
  // Comms 102 (receive on mailbox 7) and 103 (receive on mailbox 8).
  const any = all(1).find((t) => t.kind === Kind.waitany)!;
  assert.ok(dependent(any, tr(2, Kind.isend, { object: 7 })));
  assert.ok(dependent(any, tr(2, Kind.isend, { object: 8 })));
});

Deno.test("row 21: waitany is independent of everything else", () => {
  const any = all(1).find((t) => t.kind === Kind.waitany)!;
  assert.equal(dependent(any, tr(2, Kind.isend, { object: 9 })), false);
  for (const b of all(2).filter((t) => t.kind !== Kind.isend)) {
    assert.equal(dependent(any, b), false, `${b.kind}`);
  }
});

Deno.test("row 22: steps of two actors that create actors are dependent", () => {
  assert.ok(
    ev(tr(1, Kind.yield), [3]).accesses.some((a) => a.cell === "spawn" && a.mode === "write"),
  );
  const a = ev(tr(1, Kind.yield), [3]);
  const b = ev(tr(2, Kind.yield), [4]);
  const c = ev(tr(2, Kind.yield));
  const conflict = (x: Event, y: Event): boolean =>
    x.accesses.some((p) => y.accesses.some((q) => p.cell === q.cell));
  assert.ok(conflict(a, b));
  assert.equal(conflict(a, c), false);
});

// ---- What transitions wait for: happens-before edges that are not footprints -------------

Deno.test("a wait happens after its FIFO partner, the post of the same rank", () => {
  // A sends twice on mailbox 7 (comms 1, 2); B receives twice (comms 3, 4).
  const events = [
    ev(tr(1, Kind.isend, { object: 7, arg0: 1n })),
    ev(tr(1, Kind.isend, { object: 7, arg0: 2n })),
    ev(tr(2, Kind.irecv, { object: 7, arg0: 3n })),
    ev(tr(2, Kind.irecv, { object: 7, arg0: 4n })),
    ev(tr(2, Kind.wait, { object: 4, arg0: 7n, arg1: 1n })),
    ev(tr(1, Kind.wait, { object: 1, arg0: 7n, arg1: 0n })),
  ];
  const a = analyze(events);
  assert.equal(a.enabler[4], 1, "the second receive pairs with the second send");
  assert.equal(a.enabler[5], 2, "the first send pairs with the first receive");
  assert.ok(happensBefore(a, 1, 4) && happensBefore(a, 2, 5));
  assert.equal(happensBefore(a, 0, 2), false, "a send and a receive are independent");
});

Deno.test("cond_wait's return happens after the signal that woke it, not after others", () => {
  const events = [
    ev(tr(1, Kind.condWait, { object: 5, arg0: 9n })),
    ev(tr(2, Kind.condWait, { object: 5, arg0: 9n })),
    ev(tr(3, Kind.condSignal, { object: 5 })), // wakes actor 1, the longest waiter
    ev(tr(4, Kind.condSignal, { object: 5 })), // wakes actor 2
    ev(tr(2, Kind.condWake, { object: 5, arg0: 9n })),
  ];
  const a = analyze(events);
  assert.equal(a.enabler[4], 3);
  assert.equal(happensBefore(a, 4, 4), true);
});

Deno.test("leaving a barrier happens after the arrival that completed the round", () => {
  const events = [
    ev(tr(1, Kind.barrierArrive, { object: 4, arg0: 2n, arg1: 0n })),
    ev(tr(2, Kind.barrierArrive, { object: 4, arg0: 2n, arg1: 1n })),
    ev(tr(1, Kind.barrierLeave, { object: 4 })),
  ];
  const a = analyze(events);
  assert.equal(a.enabler[2], 1);
  assert.ok(happensBefore(a, 1, 2));
});

Deno.test("an actor's first step happens after the step that created it", () => {
  const events = [
    ev(tr(1, Kind.yield), [3]),
    ev(tr(2, Kind.yield)),
    ev(tr(3, Kind.yield)),
  ];
  const a = analyze(events);
  assert.equal(a.base[2], 0);
  assert.ok(happensBefore(a, 0, 2));
  assert.equal(happensBefore(a, 1, 2), false);
});

// ---- The relation against the semantics ---------------------------------------------------

Deno.test("adjacent steps unordered by happens-before commute (fake runtime, random programs)", async () => {
  let checked = 0;
  for (const flavour of ["memory", "locks", "sync", "mailbox", "spawn", "choices"] as const) {
    for (let seed = 1; seed <= 12; seed++) {
      const program = randomProgram(seed, flavour);
      const recorder = new RecordingTarget(new FakeTarget(program));
      await exploreDfs(recorder, { maxExecutions: 40 });
      const target = new FakeTarget(program);
      for (const run of recorder.runs) {
        const a = analyze(run.events);
        for (let k = 0; k + 1 < run.steps.length; k++) {
          if (run.steps[k].actor === run.steps[k + 1].actor || happensBefore(a, k, k + 1)) continue;
          const prefix = run.steps.slice(0, k);
          await target.restore(prefix);
          await target.execute(run.steps[k]);
          await target.execute(run.steps[k + 1]);
          const straight = target.stateKey();
          await target.restore(prefix);
          const swapped = await target.execute(run.steps[k + 1]);
          assert.ok(
            swapped.kind === "point" &&
              swapped.point.transitions.some((t) => t.actor === run.steps[k].actor && t.enabled),
            `${flavour} ${seed}: step ${k} is disabled by step ${k + 1}`,
          );
          await target.execute(run.steps[k]);
          assert.equal(target.stateKey(), straight, `${flavour} ${seed}: steps ${k}, ${k + 1}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 1000, `only ${checked} pairs checked`);
});

/** A pthread program's access (native/src/runtime/tsan.zig): arg1 is size | atomic << 12. */
function access(
  actor: number,
  kind: Kind,
  address: number,
  size: number,
  atomic = false,
): Transition {
  return tr(actor, kind, { object: address, arg1: BigInt(size) | (atomic ? 1n << 12n : 0n) });
}

const accesses = [Kind.read, Kind.write, Kind.rmw];

Deno.test("row 23: two reads of overlapping bytes are independent", () => {
  assert.equal(dependent(access(1, Kind.read, 8, 4), access(2, Kind.read, 8, 4)), false);
  assert.equal(dependent(access(1, Kind.read, 8, 8), access(2, Kind.read, 12, 4, true)), false);
});

Deno.test("row 24: accesses to overlapping bytes are dependent when one writes", () => {
  for (const a of accesses) {
    for (const b of accesses) {
      const writes = a !== Kind.read || b !== Kind.read;
      // The same int; an int inside a long; the last byte of one and the first of the other.
      for (const [p, n, q, m] of [[8, 4, 8, 4], [8, 8, 12, 4], [8, 4, 11, 2]]) {
        assert.equal(dependent(access(1, a, p, n), access(2, b, q, m)), writes, `${a}/${b}`);
      }
    }
  }
});

Deno.test("row 24: a compare-exchange rmw that fails where it is taken is a read of its bytes", () => {
  // arg1 bit 15: a compare-exchange; `fails`: record flag 8, its comparison fails at the point.
  const cas = (actor: number, fails: boolean): Transition =>
    tr(actor, Kind.rmw, {
      object: 8,
      arg1: 4n | 2n << 8n | 1n << 12n | 1n << 15n,
      ...(fails ? { fails: true } : {}),
    });
  assert.equal(dependent(cas(1, true), cas(2, true)), false);
  assert.equal(dependent(cas(1, true), access(2, Kind.read, 8, 4)), false);
  assert.equal(dependent(cas(1, true), access(2, Kind.write, 10, 1)), true);
  assert.equal(dependent(cas(1, true), cas(2, false)), true);
  assert.equal(dependent(cas(1, false), access(2, Kind.read, 8, 4)), true);
});

Deno.test("row 25: accesses to disjoint bytes, or with anything but an access, are independent", () => {
  for (const a of accesses) {
    for (const b of accesses) {
      // Two ints side by side, two chars side by side.
      assert.equal(dependent(access(1, a, 8, 4), access(2, b, 12, 4)), false);
      assert.equal(dependent(access(1, a, 8, 1), access(2, b, 9, 1)), false);
    }
    for (const other of all(2).filter((t) => !memory.has(t.kind))) {
      assert.equal(dependent(access(1, a, 0x1000, 4), other), false, `${a} / ${other.kind}`);
    }
  }
});

const semChanges = [Kind.semAcquire, Kind.semRelease, Kind.semTrywait];

Deno.test("row 26: sem_trywait is dependent with the waits, posts, tries and reads of its semaphore", () => {
  for (const other of [...semChanges, Kind.semGetvalue]) {
    const mine = tr(1, Kind.semTrywait, { object: 3 });
    assert.ok(dependent(mine, tr(2, other, { object: 3 })), `${other}`);
    assert.equal(dependent(mine, tr(2, other, { object: 4 })), false, `${other}`);
  }
  for (const other of all(2).filter((t) => !semOps.has(t.kind) && t.kind !== Kind.semGetvalue)) {
    if (other.kind === Kind.semTrywait) continue;
    assert.equal(dependent(tr(1, Kind.semTrywait, { object: 3 }), other), false, `${other.kind}`);
  }
});

Deno.test("row 27: sem_getvalue is dependent with what changes its semaphore, not with other reads", () => {
  const read = (actor: number, object: number) => tr(actor, Kind.semGetvalue, { object });
  for (const k of semChanges) {
    assert.ok(dependent(read(1, 3), tr(2, k, { object: 3 })), `${k}`);
    assert.equal(dependent(read(1, 3), tr(2, k, { object: 4 })), false, `${k}`);
  }
  assert.equal(dependent(read(1, 3), read(2, 3)), false);
  for (const other of all(2).filter((t) => !semOps.has(t.kind) && t.kind !== Kind.semTrywait)) {
    assert.equal(dependent(read(1, 3), other), false, `${other.kind}`);
  }
});
