/**
 * Executions cut at spin loops (lib/explore/result.ts, spinCut) on the in-memory fake: a
 * wrapper plays the runtime's rule (native/src/runtime/tsan.zig) over the fake's loads — an
 * actor that comes back to a load of a variable it loaded since its last other step spins, its
 * transition never enabled — and the searches must end such an execution as cut, not as a
 * deadlock, counting it apart. The same program as tests/programs/pthread/spin_flag.c, with the
 * same counts (derived there), without the join.
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import type { Outcome, Target, TargetCounters } from "../lib/explore/target.ts";
import {
  Kind,
  type NameTable,
  type Point,
  type Step,
  type Transition,
} from "../lib/model/transition.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";

/** The fake, with each actor's loads since its last other step kept, by variable. */
class SpinningTarget implements Target {
  private taken: Transition[] = [];
  private points: Point[] = [];

  constructor(private readonly inner: FakeTarget) {}

  get names(): NameTable {
    return this.inner.names;
  }

  get counters(): TargetCounters {
    return this.inner.counters;
  }

  private spins(t: Transition): boolean {
    if (t.kind !== Kind.load) return false;
    for (let i = this.taken.length - 1; i >= 0; i--) {
      const s = this.taken[i];
      if (s.actor !== t.actor) continue;
      if (s.kind !== Kind.load) return false;
      if (s.object === t.object) return true;
    }
    return false;
  }

  private mark(o: Outcome): Outcome {
    if (o.kind !== "point") return o;
    const point: Point = {
      ...o.point,
      transitions: o.point.transitions.map((t) =>
        this.spins(t) ? { ...t, enabled: false, spin: true } : t
      ),
    };
    this.points.push(point);
    return { kind: "point", point };
  }

  async start(): Promise<Outcome> {
    this.taken = [];
    this.points = [];
    return this.mark(await this.inner.start());
  }

  async execute(step: Step): Promise<Outcome> {
    const t = this.points.at(-1)!.transitions.find((x) => x.actor === step.actor)!;
    assert.equal(t.spin, undefined, "a spinning actor was scheduled");
    this.taken.push(t);
    return this.mark(await this.inner.execute(step));
  }

  async restore(path: readonly Step[]): Promise<void> {
    await this.inner.restore(path);
    this.taken = this.taken.slice(0, path.length);
    this.points = this.points.slice(0, path.length + 1);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const spinFlag: FakeProgram = {
  vars: { data: 0, flag: 0 },
  actors: [
    {
      name: "main",
      code: [{ op: "store", var: "data", value: 5 }, { op: "store", var: "flag", value: 1 }],
    },
    {
      name: "waiter",
      code: [
        { op: "load", var: "flag", into: "f" },
        { op: "goto", to: 0, when: (r) => r.f === 0 },
        { op: "load", var: "data", into: "d" },
        { op: "assert", check: (r) => r.d === 5, message: "data == 5" },
      ],
    },
  ],
};

Deno.test("an await loop on the fake: cut where it would repeat, counted apart, never a deadlock", async () => {
  const none = await exploreDfs(new SpinningTarget(new FakeTarget(spinFlag)));
  assert.equal(none.verdict, "ok");
  assert.deepEqual([none.stats.executions, none.stats.spinBlocked], [1, 2]);
  for (const reduction of ["sdpor", "odpor"] as const) {
    const r = await exploreDpor(new SpinningTarget(new FakeTarget(spinFlag)), reduction);
    assert.equal(r.verdict, "ok", reduction);
    assert.deepEqual([r.stats.executions, r.stats.spinBlocked], [1, 1], reduction);
  }
});
