/** Exhaustive DFS on in-memory transition systems: exact counts, violations, limits. */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { type ExactState, newCounters, type Outcome, type Target } from "../lib/explore/target.ts";
import { Kind, type Step, type Transition } from "../lib/model/transition.ts";
import { type FakeProgram, FakeTarget, yields } from "./support/fake_system.ts";

Deno.test("3 actors x 2 yields: 90 executions (6!/(2!2!2!))", async () => {
  const r = await exploreDfs(new FakeTarget(yields(3, 2)));
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.executions, 90);
  assert.equal(r.stats.maxDepth, 6);
});

Deno.test("states and transitions count the nodes and edges of the execution tree", async () => {
  // 2 actors x 1 yield: root, 2 children, 2 leaves.
  const r = await exploreDfs(new FakeTarget(yields(2, 1)));
  assert.equal(r.stats.executions, 2);
  assert.equal(r.stats.states, 5);
  assert.equal(r.stats.transitions, 4);
});

Deno.test("random(0,1) then yield, against one yield: 6 executions", async () => {
  const program: FakeProgram = {
    actors: [
      { name: "A", code: [{ op: "random", min: 0, max: 1 }, { op: "yield" }] },
      { name: "B", code: [{ op: "yield" }] },
    ],
  };
  const r = await exploreDfs(new FakeTarget(program));
  assert.equal(r.stats.executions, 6);
});

const storeLoad: FakeProgram = {
  actors: [
    { name: "A", code: [{ op: "store", var: "x", value: 1 }, { op: "store", var: "y", value: 1 }] },
    {
      name: "B",
      code: [{ op: "load", var: "y", into: "ry" }, { op: "load", var: "x", into: "rx" }],
    },
  ],
};

Deno.test("store x; store y against load y; load x: 6 executions", async () => {
  const r = await exploreDfs(new FakeTarget(storeLoad));
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.executions, 6);
});

Deno.test("an assertion reachable in one interleaving only is found with its trace", async () => {
  const program: FakeProgram = {
    actors: [
      storeLoad.actors[0],
      {
        name: "B",
        code: [
          { op: "load", var: "y", into: "ry" },
          { op: "load", var: "x", into: "rx" },
          { op: "assert", check: (r) => !(r.ry === 1 && r.rx === 1), message: "saw both" },
        ],
      },
    ],
  };
  const r = await exploreDfs(new FakeTarget(program));
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "assertion");
  assert.equal(r.violation?.actor, 2);
  assert.deepEqual(
    r.violation?.trace.map((s) => s.step.actor),
    [1, 1, 2, 2],
  );
  // Replaying the trace on a fresh system reaches the same violation.
  const again = new FakeTarget(program);
  await again.start();
  let last;
  for (const s of r.violation!.trace) last = await again.execute(s.step);
  assert.equal(last?.kind, "violation");
});

Deno.test("a deadlock is a point with unfinished actors and nothing enabled", async () => {
  const program: FakeProgram = {
    actors: [
      {
        name: "P",
        code: [
          { op: "lock", mutex: "a" },
          { op: "lock", mutex: "b" },
          { op: "unlock", mutex: "b" },
          { op: "unlock", mutex: "a" },
        ],
      },
      {
        name: "Q",
        code: [
          { op: "lock", mutex: "b" },
          { op: "lock", mutex: "a" },
          { op: "unlock", mutex: "a" },
          { op: "unlock", mutex: "b" },
        ],
      },
    ],
  };
  const r = await exploreDfs(new FakeTarget(program));
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "deadlock");
  assert.equal(r.violation?.blocked?.transitions.length, 2);
  assert.ok(r.violation?.blocked?.transitions.every((t) => !t.enabled));
  assert.deepEqual(r.violation?.trace.map((s) => s.step.actor), [1, 2]);
  assert.match(r.violation!.message, /P waits at mutex_lock\(mutex 2\).*held by Q/);
});

Deno.test("a crash in the first execution is reported with the actor that ran", async () => {
  const program: FakeProgram = {
    actors: [
      {
        name: "A",
        code: [{ op: "random", min: 0, max: 2, into: "v" }, {
          op: "crash",
          when: (r) => r.v === 2,
        }],
      },
    ],
  };
  const r = await exploreDfs(new FakeTarget(program));
  assert.equal(r.violation?.kind, "crash");
  assert.deepEqual(r.violation?.trace.map((s) => s.step), [{ actor: 1, choice: 2 }]);
  assert.equal(r.stats.executions, 3);
});

Deno.test("--max-depth cuts executions and makes the verdict incomplete", async () => {
  const r = await exploreDfs(new FakeTarget(yields(2, 2)), { maxDepth: 2 });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.incomplete, "max-depth");
  assert.equal(r.stats.maxDepth, 2);
  assert.equal(r.stats.executions, 4); // the 4 paths of length 2
});

Deno.test("a depth limit at the exact length of every execution does not cut anything", async () => {
  const r = await exploreDfs(new FakeTarget(yields(2, 2)), { maxDepth: 4 });
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.executions, 6);
});

Deno.test("--max-executions stops the search", async () => {
  const r = await exploreDfs(new FakeTarget(yields(3, 2)), { maxExecutions: 10 });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.incomplete, "max-executions");
  assert.equal(r.stats.executions, 10);
});

Deno.test("an aborted signal interrupts the search with an incomplete verdict", async () => {
  const controller = new AbortController();
  controller.abort();
  const r = await exploreDfs(new FakeTarget(yields(3, 2)), { signal: controller.signal });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.incomplete, "interrupted");
  assert.ok(r.stats.executions < 90);
});

Deno.test("restores are counted: every execution after the first restores a prefix", async () => {
  const target = new FakeTarget(yields(2, 1));
  const r = await exploreDfs(target);
  assert.equal(r.stats.restarts, 1);
  assert.equal(r.stats.replayedTransitions, 0);
  const t3 = new FakeTarget(yields(3, 2));
  const r3 = await exploreDfs(t3);
  assert.equal(r3.stats.restarts, 89);
  assert.equal(t3.executedSteps, r3.stats.transitions + r3.stats.replayedTransitions);
});

/**
 * n actors each counting k steps on a counter of their own; the state is the tuple of counters,
 * but its hash is their sum, so distinct states collide on purpose. Exact states are the tuples.
 */
class Counters implements Target {
  readonly names = { actors: new Map<number, string>(), objects: new Map<number, string>() };
  readonly counters = newCounters();
  private c: number[];
  /** Exact states handed out and not released yet. */
  live = 0;

  constructor(n: number, private readonly k: number) {
    this.c = new Array<number>(n).fill(0);
  }

  private outcome(): Outcome {
    const transitions: Transition[] = [];
    this.c.forEach((v, i) => {
      if (v < this.k) {
        transitions.push({
          actor: i + 1,
          kind: Kind.yield,
          enabled: true,
          ready: false,
          choices: 1,
          object: 0,
          arg0: 0n,
          arg1: 0n,
          extras: [],
        });
      }
    });
    if (transitions.length === 0) return { kind: "done" };
    const steps = this.c.reduce((a, b) => a + b, 0);
    return { kind: "point", point: { steps, transitions } };
  }

  start(): Promise<Outcome> {
    this.c.fill(0);
    return Promise.resolve(this.outcome());
  }

  execute(step: Step): Promise<Outcome> {
    this.c[step.actor - 1]++;
    return Promise.resolve(this.outcome());
  }

  restore(path: readonly Step[]): Promise<void> {
    this.c.fill(0);
    for (const s of path) this.c[s.actor - 1]++;
    return Promise.resolve();
  }

  stateHash(): bigint {
    return BigInt(this.c.reduce((a, b) => a + b, 0));
  }

  exactState(): ExactState {
    const mine = this.c.join(",");
    this.live++;
    const state: ExactState & { key: string } = {
      key: mine,
      equals: (other) => (other as ExactState & { key: string }).key === mine,
      release: () => {
        this.live--;
      },
    };
    return state;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("visited states: a hash alone merges colliding states; --exact-compare tells them apart", async () => {
  // 3 counters of 0..3: 4^3 = 64 states, whose sums take only 10 values.
  const loose = await exploreDfs(new Counters(3, 3), { visited: true });
  assert.equal(loose.stats.states, 10);
  assert.equal(loose.stats.hashCollisions, 0);
  const target = new Counters(3, 3);
  const exact = await exploreDfs(target, { visited: true, exactCompare: true });
  assert.equal(exact.verdict, "ok");
  assert.equal(exact.stats.states, 64);
  assert.equal(exact.stats.hashCollisions, 64 - 10);
  // Every exact state kept for the search was released when it ended.
  assert.equal(target.live, 0);
  // Without visited states, every path: 9!/(3!3!3!) executions.
  const all = await exploreDfs(new Counters(3, 3));
  assert.equal(all.stats.executions, 1680);
});
