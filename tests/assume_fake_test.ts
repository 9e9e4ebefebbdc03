/**
 * Executions cut by a failed assumption (lib/explore/result.ts, endOfStuck) on the in-memory
 * fake: an actor whose assumption fails is blocked for ever (a transition of kind assume, never
 * enabled) while the others run on, and every search must end an execution left with nothing
 * enabled and such an actor as cut (in `executions` and `assumesFailed`), never as a deadlock,
 * and explore the races of the steps the others took after it. The programs are
 * tests/programs/svcomp/assume_race.c and assume_mutex.c, without main's joins; the counts are
 * derived beside each.
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";

/** t1 reads x and assumes it read 1; t2 writes 1 to x; with `error`, t2 then checks `seen`. */
function race(error: boolean): FakeProgram {
  return {
    vars: { x: 0, seen: 0 },
    actors: [
      {
        name: "t1",
        code: [
          { op: "load", var: "x", into: "a" },
          { op: "store", var: "seen", value: (r) => r.a + 1 },
          { op: "assume", check: (r) => r.a === 1 },
        ],
      },
      {
        name: "t2",
        code: error
          ? [
            { op: "store", var: "x", value: 1 },
            { op: "load", var: "seen", into: "s" },
            { op: "assert", check: (r) => r.s !== 1, message: "t1's assumption failed" },
          ]
          : [{ op: "store", var: "x", value: 1 }],
      },
    ],
  };
}

/** t1 takes m, reads x, assumes it read 1, unlocks; t2 writes x = 1 and then takes m. */
const mutex: FakeProgram = {
  vars: { x: 0 },
  actors: [
    {
      name: "t1",
      code: [
        { op: "lock", mutex: "m" },
        { op: "load", var: "x", into: "a" },
        { op: "assume", check: (r) => r.a === 1 },
        { op: "unlock", mutex: "m" },
      ],
    },
    {
      name: "t2",
      code: [
        { op: "store", var: "x", value: 1 },
        { op: "lock", mutex: "m" },
        { op: "unlock", mutex: "m" },
      ],
    },
  ],
};

const reductions = ["sleep", "sdpor", "odpor"] as const;

Deno.test("a failed assumption on the fake: cut, counted in executions and apart, the others run on", async () => {
  // none: t1's read before t2's write (t1 then writes seen before or after t2's write: 2
  // interleavings, both cut) or after it (1 interleaving of t1's 2 steps after t2's 1: t1
  // reads 1 then stores; complete). The reductions: the 2 orders of the read and the write.
  const none = await exploreDfs(new FakeTarget(race(false)));
  assert.equal(none.verdict, "ok");
  assert.deepEqual([none.stats.executions, none.stats.assumesFailed], [3, 2]);
  for (const reduction of reductions) {
    const r = await exploreDpor(new FakeTarget(race(false)), reduction);
    assert.equal(r.verdict, "ok", reduction);
    assert.deepEqual([r.stats.executions, r.stats.assumesFailed], [2, 1], reduction);
  }
});

Deno.test("on the fake, an error reached only after another actor's assumption failed is found", async () => {
  // t2 finds seen = 1 only once t1 read 0 and failed: the first execution (t1 first) reaches it.
  const none = await exploreDfs(new FakeTarget(race(true)));
  assert.equal(none.verdict, "violation");
  assert.equal(none.violation?.message, "t1's assumption failed");
  for (const reduction of reductions) {
    const r = await exploreDpor(new FakeTarget(race(true)), reduction);
    assert.equal(r.verdict, "violation", reduction);
    assert.equal(r.violation?.message, "t1's assumption failed", reduction);
  }
});

Deno.test("on the fake, an actor blocked by its assumption while holding a mutex another waits for is a cut", async () => {
  // As assume_mutex.c: only t1's lock and read before t2's write are cut (t2 then waits at the
  // lock for ever); reductions 3 executions, 1 cut. none: that one, and 3 complete ones: lock1
  // write2 read1 unlock1 lock2 unlock2, write2 lock1 read1 unlock1 lock2 unlock2, write2 lock2
  // unlock2 lock1 read1 unlock1 (whoever holds m runs its section before the other's lock).
  const none = await exploreDfs(new FakeTarget(mutex));
  assert.equal(none.verdict, "ok", JSON.stringify(none.violation));
  assert.deepEqual([none.stats.executions, none.stats.assumesFailed], [4, 1]);
  for (const reduction of reductions) {
    const r = await exploreDpor(new FakeTarget(mutex), reduction);
    assert.equal(r.verdict, "ok", `${reduction}: ${JSON.stringify(r.violation)}`);
    assert.deepEqual([r.stats.executions, r.stats.assumesFailed], [3, 1], reduction);
  }
});
