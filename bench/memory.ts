/**
 * The memory part of `./isomc bench --breakdown` alone: the checker's peak RSS and live heap on
 * lastzero(N) with the search stopped after more and more executions, as breakdown's table,
 * with the load average before and after (issue 10: memory must not grow with the number of
 * executions).
 *
 *   deno run -A bench/memory.ts [N=15] [LIMIT...]    (default limits 1k, 10k, 50k, 147,456)
 */

import { build, memoryGrowth } from "./breakdown.ts";
import { memoryTable } from "./breakdown/report.ts";

const [size = "15", ...rest] = Deno.args;
const limits = rest.length > 0 ? rest.map(Number) : [1_000, 10_000, 50_000, 147_456];
const tmp = await Deno.makeTempDir({ prefix: "isomc-memory-" });
try {
  const source = "examples/dpor/lastzero.c";
  const bins = await build(tmp, [{ key: "lastzero", label: "", source, args: [], options: [] }]);
  const loadBefore = (await Deno.readTextFile("/proc/loadavg")).trim();
  const points = await memoryGrowth(tmp, bins.get(source)!, size, limits);
  const loadAfter = (await Deno.readTextFile("/proc/loadavg")).trim();
  console.log(`load average before: ${loadBefore}; after: ${loadAfter}`);
  console.log(memoryTable(size, points));
} finally {
  await Deno.remove(tmp, { recursive: true });
}
