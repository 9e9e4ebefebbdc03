/**
 * Data races among plain accesses that are no steps (--memory=sync; lib/explore/race_watch.ts)
 * on the in-memory fake, whose `plain` instructions are reported in the window of the point that
 * follows them, as the runtime reports them (native/src/runtime/window.zig): the race watch
 * finds them under every reduction, through restores, and changes no count of a program
 * without a race. The real programs are in tests/sync_races_test.ts.
 */

import assert from "node:assert/strict";
import { explore, type Reduction } from "../lib/explore/explore.ts";
import { RaceWatch } from "../lib/explore/race_watch.ts";
import type { ExplorationResult } from "../lib/explore/result.ts";
import { type FakeActor, type FakeProgram, FakeTarget, type Instr } from "./support/fake_system.ts";

const reductions: readonly Reduction[] = ["none", "sleep", "sdpor", "odpor"];

async function search(
  program: FakeProgram,
  reduction: Reduction,
  watched: boolean,
): Promise<ExplorationResult> {
  const fake = new FakeTarget(program);
  const target = watched ? new RaceWatch(fake) : fake;
  return await explore(target, reduction, {});
}

const read = (v: string): Instr => ({ op: "plain", var: v, write: false });
const write = (v: string): Instr => ({ op: "plain", var: v, write: true });

/** main spawns the workers, then waits for each (a semaphore post at each worker's end). */
function spawning(workers: readonly FakeActor[]): FakeProgram {
  const code: Instr[] = [
    ...workers.map((actor): Instr => ({ op: "spawn", actor })),
    ...workers.map((): Instr => ({ op: "sem_acquire", sem: "done" })),
  ];
  return { actors: [{ name: "main", code }] };
}

const end: Instr = { op: "sem_release", sem: "done" };

function raceIn(r: ExplorationResult): string {
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "data-race");
  return r.violation!.message;
}

Deno.test("x++ in two spawned workers, both before their first step: a race at the start", async () => {
  // Both increments run in the start's window (each worker runs to its end's release); t2's
  // read is the first access that races (with t1's write: the fake merges no access).
  const worker = (name: string): FakeActor => ({ name, code: [read("x"), write("x"), end] });
  const program = spawning([worker("t1"), worker("t2")]);
  for (const reduction of reductions) {
    const r = await search(program, reduction, true);
    assert.equal(
      raceIn(r),
      "data race on 0x1000: t1's write (before step 1) and t2's read (before step 1) are not ordered by happens-before",
    );
    assert.equal(r.stats.executions, 1, reduction);
  }
});

Deno.test("the same under a mutex, after a semaphore, or written before the spawn: no race, the same counts", async () => {
  const locked = (name: string): FakeActor => ({
    name,
    code: [{ op: "lock", mutex: "m" }, read("x"), write("x"), { op: "unlock", mutex: "m" }, end],
  });
  const handed: FakeProgram = {
    actors: [
      { name: "main", code: [write("x"), { op: "sem_release", sem: "s" }, { op: "yield" }] },
      { name: "t", code: [{ op: "sem_acquire", sem: "s" }, read("x"), write("x")] },
    ],
  };
  const before: FakeProgram = {
    actors: [{
      name: "main",
      code: [write("x"), { op: "spawn", actor: { name: "t", code: [read("x"), end] } }, {
        op: "sem_acquire",
        sem: "done",
      }, read("x")],
    }],
  };
  for (const program of [spawning([locked("t1"), locked("t2")]), handed, before]) {
    for (const reduction of reductions) {
      const plain = await search(program, reduction, false);
      const watched = await search(program, reduction, true);
      assert.equal(watched.verdict, "ok", `${reduction}: ${watched.violation?.message}`);
      assert.equal(watched.stats.executions, plain.stats.executions, reduction);
      assert.equal(watched.stats.transitions, plain.stats.transitions, reduction);
    }
  }
});

Deno.test("a race only one lock order shows: found in the second execution under every reduction", async () => {
  // t1: L1, then writes x; U1. t2: L2 U2, then reads x. With t1's section first the write is
  // ordered before the read (U1 before L2); with t2's first, the read (after U2) is not ordered
  // before the write (after L1): a race. The lock orders are the only interleavings: 2
  // executions under none, and the reductions reverse the race on the mutex: 2 as well.
  const program: FakeProgram = {
    actors: [
      { name: "t1", code: [{ op: "lock", mutex: "m" }, write("x"), { op: "unlock", mutex: "m" }] },
      { name: "t2", code: [{ op: "lock", mutex: "m" }, { op: "unlock", mutex: "m" }, read("x")] },
    ],
  };
  for (const reduction of reductions) {
    const r = await search(program, reduction, true);
    assert.equal(
      raceIn(r),
      "data race on 0x1000: t2's read (after step 2) and t1's write (after step 3) are not ordered by happens-before",
      reduction,
    );
    assert.equal(r.stats.executions, 2, reduction);
    assert.deepEqual(r.violation!.trace.map((s) => s.step.actor), [2, 2, 1], reduction);
  }
});
