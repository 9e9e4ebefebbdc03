/**
 * The shape of a parallel sdpor/odpor search's job tree on a real program (lib/parallel/
 * dpor_cut.ts, docs/parallel.md "Where the cut is"): the cut is the same in every run (the
 * jobs whose answers are used, by their place in the job tree, read from the job log), and a
 * branch holding a large share of the work is split though other branches are known.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { JobLog } from "../lib/parallel/job_log.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

/** One `--jobs=2` odpor run of lastzero(8): its executions and the used jobs, sorted. */
async function run(program: string, log: string): Promise<{ executions: number; used: string[] }> {
  const r = await runCli(
    ["check", "--json", "--reduction=odpor", "--jobs=2", "--no-pin", "--", program, "8"],
    { env: { ISOMC_PARALLEL_LOG: log } },
  );
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { stats: { executions: number } };
  const jobs = (JSON.parse(await Deno.readTextFile(log)) as JobLog).jobs;
  const used = jobs.filter((j) => j.used !== false).map((j) => `${j.kind} ${j.id.join(".")}`);
  return { executions: json.stats.executions, used: used.sort() };
}

Deno.test("lastzero(8) odpor --jobs=2: the same jobs in two runs, and [1]'s large branches split", async () => {
  const program = await buildProgram(join(repoRoot, "examples", "dpor", "lastzero.c"));
  const dir = await Deno.makeTempDir({ prefix: "isomc-shape-" });
  try {
    const a = await run(program, join(dir, "a.json"));
    const b = await run(program, join(dir, "b.json"));
    // 704 executions under odpor, one per Mazurkiewicz trace, in both runs.
    assert.equal(a.executions, 704);
    assert.equal(b.executions, 704);
    // The cut reads only the sequential order's state: the jobs used are the same, whatever
    // the machine's load and the order jobs end in (speculation may add unused ones).
    assert.deepEqual(a.used, b.used);
    // [1]'s two branches hold most of the search (lastzero's right half): each has a wakeup
    // tree of a quarter of the work seen or more, so the cut keeps [1,0] and [1,1] as nodes
    // of the coordinator's (probes) and their branches are the subtree jobs.
    for (const node of ["1.0", "1.1"]) {
      assert.ok(a.used.includes(`node ${node}`), `${node} is a node: ${a.used.join(", ")}`);
      assert.ok(!a.used.includes(`explored ${node}`), `${node} is no subtree job`);
    }
    assert.ok(a.used.includes("explored 1.0.0.0"), a.used.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
