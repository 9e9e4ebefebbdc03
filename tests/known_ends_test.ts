/** The cache of how main ends, by final state (lib/state/known_ends.ts), on its own. */

import assert from "node:assert/strict";
import { KnownEnds } from "../lib/state/known_ends.ts";
import type { Outcome } from "../lib/explore/target.ts";

const crash: Outcome = {
  kind: "violation",
  violation: { kind: "crash", message: "SIGABRT after isomc_run returned", actor: null },
};
const point: Outcome = { kind: "point", point: { steps: 1, transitions: [] } };

Deno.test("an end is remembered from the outcome that follows its lookup, then reused", () => {
  const ends = new KnownEnds();
  assert.equal(ends.lookup("a"), null);
  ends.settle({ kind: "done" });
  assert.equal(ends.lookup("b"), null);
  ends.settle(crash);
  assert.deepEqual(ends.lookup("a"), { kind: "done" });
  assert.deepEqual(ends.lookup("b"), crash);
  assert.deepEqual(ends.stats(), { endsRun: 2, endsReused: 2, endsLookedUp: 4 });
});

Deno.test("a point is not an end, and a state not looked up is neither remembered nor counted as one", () => {
  const ends = new KnownEnds();
  assert.equal(ends.lookup("a"), null);
  ends.settle(point); // the program went on (a restore cut in): nothing to remember
  ends.settle({ kind: "done" }); // too late: the key was given up
  assert.equal(ends.lookup("a"), null);
  assert.equal(ends.lookup(null), null);
  ends.settle({ kind: "done" });
  assert.equal(ends.lookup("a"), null);
  assert.deepEqual(ends.stats(), { endsRun: 4, endsReused: 0, endsLookedUp: 3 });
});
