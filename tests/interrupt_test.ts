/**
 * An interrupt in the middle of a target call (issue 8, item 7), on the in-memory fake: when
 * the target gives up on a step because the search's signal was aborted (it throws
 * Interrupted, as a real program's run does when Ctrl-C comes during a transition that does
 * not return), every exploration ends at once as incomplete/interrupted, with the statistics
 * of the work done before; any other error still propagates.
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import type { ExplorationResult, ExploreOptions } from "../lib/explore/result.ts";
import { Interrupted, type Outcome, type Target } from "../lib/explore/target.ts";
import type { Step } from "../lib/model/transition.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";

/** Two actors writing one variable: two executions under every reduction. */
const race: FakeProgram = {
  actors: [
    { name: "A", code: [{ op: "store", var: "x", value: 1 }] },
    { name: "B", code: [{ op: "store", var: "x", value: 2 }] },
  ],
};

/**
 * The fake, whose `failAt`-th call (start counts as call 0, then each execute) is cut short by
 * an interrupt: the signal is aborted and the call throws, as ProgramRun does.
 */
class InterruptedAt implements Target {
  private readonly inner = new FakeTarget(race);
  readonly controller = new AbortController();
  private calls = 0;
  readonly names = this.inner.names;
  readonly counters = this.inner.counters;

  constructor(private readonly failAt: number, private readonly error: () => Error) {}

  private cut(): void {
    if (this.calls++ !== this.failAt) return;
    this.controller.abort();
    throw this.error();
  }

  start(): Promise<Outcome> {
    this.cut();
    return this.inner.start();
  }

  execute(step: Step): Promise<Outcome> {
    this.cut();
    return this.inner.execute(step);
  }

  restore(path: readonly Step[]): Promise<void> {
    return this.inner.restore(path);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const explorers: [string, (t: Target, o: ExploreOptions) => Promise<ExplorationResult>][] = [
  ["none", (t, o) => exploreDfs(t, o)],
  ["sleep", (t, o) => exploreDpor(t, "sleep", o)],
  ["sdpor", (t, o) => exploreDpor(t, "sdpor", o)],
  ["odpor", (t, o) => exploreDpor(t, "odpor", o)],
];

for (const [name, explore] of explorers) {
  Deno.test(`${name}: an interrupt during a step ends the search, incomplete, with what was done`, async () => {
    // Without an interrupt: two executions of two steps each.
    const whole = await explore(new FakeTarget(race), {});
    assert.equal(whole.verdict, "ok");
    assert.equal(whole.stats.executions, 2);
    assert.equal(whole.stats.transitions, 4);

    // Cut during the first step of the second execution (call 3: start, A, B, then B).
    const target = new InterruptedAt(3, () => new Interrupted());
    const r = await explore(target, { signal: target.controller.signal });
    assert.equal(r.verdict, "incomplete");
    assert.equal(r.incomplete, "interrupted");
    assert.equal(r.violation, null);
    assert.deepEqual([r.stats.executions, r.stats.transitions, r.stats.maxDepth], [1, 2, 2]);
  });

  Deno.test(`${name}: an interrupt while starting ends the search with nothing explored`, async () => {
    const target = new InterruptedAt(0, () => new Interrupted());
    const r = await explore(target, { signal: target.controller.signal });
    assert.equal(r.incomplete, "interrupted");
    assert.deepEqual([r.stats.executions, r.stats.states, r.stats.transitions], [0, 0, 0]);
  });

  Deno.test(`${name}: any other error of a target call is not taken for an interrupt`, async () => {
    const target = new InterruptedAt(2, () => new Error("the target broke"));
    await assert.rejects(explore(target, {}), /the target broke/);
  });
}
