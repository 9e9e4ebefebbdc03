/**
 * The checker's own loop, without a program: DPOR searches of lastzero(N) and readers(N) on the
 * in-memory fake system (tests/support/fake_programs.ts), timed in one process, each variant
 * run in turn so that load hits them alike. It isolates what the TypeScript side spends per
 * transition (search loop, stack, race analysis, wakeup trees) from round trips and snapshots.
 * Times are CPU times of this process (user + system), steadier than wall time on a loaded
 * machine; the fake system's own work is in them, alike for every variant.
 *
 *   deno run -A bench/explore_fake.ts [ROUNDS]
 *
 * Variants: `incremental` (the default search) and `whole` (every execution's races looked
 * for whole: ExploreOptions.wholeAnalysis).
 */

import { cpuUsage } from "node:process";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { FakeTarget } from "../tests/support/fake_system.ts";
import { lastzero, readers } from "../tests/support/fake_programs.ts";
import type { FakeProgram } from "../tests/support/fake_system.ts";

const rounds = Number(Deno.args[0] ?? 5);
const cases: [string, FakeProgram][] = [
  ["lastzero(10)", lastzero(10)],
  ["readers(13)", readers(13)],
];
const variants = { incremental: false, whole: true } as const;

for (const [name, program] of cases) {
  const times: Record<string, number[]> = { incremental: [], whole: [] };
  let line = "";
  for (let r = 0; r < rounds; r++) {
    for (const [variant, wholeAnalysis] of Object.entries(variants)) {
      const t0 = cpuUsage();
      const result = await exploreDpor(new FakeTarget(program), "odpor", { wholeAnalysis });
      const t = cpuUsage(t0);
      times[variant].push((t.user + t.system) / 1000);
      const s = result.stats;
      line = `${s.executions} executions, ${s.transitions} transitions, ` +
        `${s.wakeupInsertions} insertions`;
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const transitions = Number(line.split(", ")[1].split(" ")[0]);
  const parts = Object.keys(variants).map((v) =>
    `${v} ${median(times[v]).toFixed(0)} ms (${
      (median(times[v]) * 1000 / transitions).toFixed(1)
    } µs/transition)`
  );
  console.log(`${name}: ${line}; ${parts.join(", ")}`);
}
