/** Counterexamples name global variables: ELF symbols, for plain and position-independent builds. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ReplayTarget } from "../lib/process/replay_target.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { readSymbols } from "../lib/report/symbols.ts";
import { Kind } from "../lib/model/transition.ts";
import { buildProgram, repoRoot } from "./support/build.ts";

for (const [label, flags] of [["plain", []], ["PIE", ["-fPIE", "-pie"]]] as const) {
  Deno.test(`the addresses of x and y read as their names (${label} build)`, async () => {
    const binary = await buildProgram(join(repoRoot, "tests/programs/counts/store_load.c"), [
      ...flags,
    ]);
    const target = new ReplayTarget(resolveProgram(binary, []), { timeoutMs: 10_000 });
    try {
      const first = await target.start();
      assert.equal(first.kind, "point");
      if (first.kind !== "point") return;
      const symbol = readSymbols(binary);
      const named = first.point.transitions
        .filter((t) => t.kind === Kind.store || t.kind === Kind.load)
        .map((t) => [t.kind, symbol(t.object)]);
      assert.deepEqual(named, [[Kind.store, "x"], [Kind.load, "y"]]);
      assert.equal(symbol(0x10), undefined);
    } finally {
      await target.close();
    }
  });
}
