/**
 * The exact counts of issue #2 on real processes: each program in tests/programs/counts/ is
 * compiled against the runtime and explored with no reduction; the numbers of executions,
 * states and the depth follow from counting interleavings (derivations in each program's
 * header and below). tests/dfs_test.ts checks the same counts on in-memory systems.
 */

import assert from "node:assert/strict";
import { check } from "../lib/check.ts";
import { buildProgram } from "./support/build.ts";

const programs = "tests/programs/counts/";

interface Expected {
  readonly what: string;
  readonly name: string;
  readonly executions: number;
  /** Nodes of the execution tree: every distinct prefix of an execution, the empty one too. */
  readonly states: number;
  readonly maxDepth: number;
}

const cases: readonly Expected[] = [
  {
    what: "3 actors each calling isomc_yield() twice",
    name: "three_yields",
    executions: 90,
    // One node per prefix (a, b, c steps of each actor, 0 <= a, b, c <= 2):
    // the sum of (a+b+c)!/(a!b!c!) over those 27 triples.
    states: 271,
    maxDepth: 6,
  },
  {
    what: "A: isomc_random(0, 1) then isomc_yield(); B: isomc_yield()",
    name: "random_yield",
    executions: 6,
    // The root; under each of A's 2 values, 2 + 2 nodes; under B first, 1 + 2 + 2 nodes.
    states: 16,
    maxDepth: 3,
  },
  {
    what: "A: store(x, 1); store(y, 1) against B: load(y); load(x)",
    name: "store_load",
    executions: 6,
    // The sum of C(a+b, a) over 0 <= a, b <= 2.
    states: 19,
    maxDepth: 4,
  },
];

/** The derivation of the three-actor state count above, as a check on the constant. */
function prefixCount(actors: number, steps: number): number {
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  let total = 0;
  const visit = (left: number, counts: number[]): void => {
    if (left === 0) {
      const sum = counts.reduce((a, b) => a + b, 0);
      total += counts.reduce((acc, c) => acc / factorial(c), factorial(sum));
      return;
    }
    for (let c = 0; c <= steps; c++) visit(left - 1, [...counts, c]);
  };
  visit(actors, []);
  return total;
}

Deno.test("the state counts are the number of interleaving prefixes", () => {
  assert.equal(prefixCount(3, 2), 271);
  assert.equal(prefixCount(2, 2), 19);
});

for (const c of cases) {
  Deno.test(`${c.what}: ok in exactly ${c.executions} executions`, async () => {
    const program = await buildProgram(`${programs}${c.name}.c`);
    const r = await check(program, [], { reduction: "none", visited: false });
    assert.equal(r.verdict, "ok", r.violation?.message);
    assert.equal(r.violation, null);
    assert.equal(r.incomplete, null);
    assert.equal(r.stats.executions, c.executions);
    assert.equal(r.stats.states, c.states);
    // A tree: every state but the root is reached by one transition.
    assert.equal(r.stats.transitions, c.states - 1);
    assert.equal(r.stats.maxDepth, c.maxDepth);
  });
}
