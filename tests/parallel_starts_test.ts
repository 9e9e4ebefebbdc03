/**
 * A worker starts its program once: each later job begins from the initial state restored
 * (lib/parallel/run_job.ts's JobStarts), not from a new program, which cost most of a small
 * job's time (bench/README.md: readers(7) --reduction=sleep --jobs=1 took 19.2 s, now 7.1 s).
 * Through the real CLI, with the memory and fork restores: one restart for hundreds of jobs, and
 * the sequential counts.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

Deno.test("--jobs=1: the worker's program is started once, every job restores its initial state", async () => {
  const readers = await buildProgram(join(repoRoot, "examples", "dpor", "readers.c"));
  const seq = await check(readers, ["5"], { reduction: "sleep", visited: false });
  for (const restore of ["memory", "fork"]) {
    const r = await runCli([
      "check",
      "--json",
      "--reduction=sleep",
      `--restore=${restore}`,
      "--jobs=1",
      "--no-pin",
      "--",
      readers,
      "5",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.ok(json.parallel.jobs > 50, `${restore}: ${json.parallel.jobs} jobs`);
    // Under fork, the initial state is frozen when a search first leaves it by a step: the
    // root job only lists its branches, so the second job starts the program once more.
    const most = restore === "fork" ? 2 : 1;
    assert.ok(json.stats.restarts <= most, `${restore}: ${json.stats.restarts} restarts`);
    // 2^5 orders of the readers against the store, the sequential search's counts.
    assert.equal(json.stats.executions, 32);
    assert.equal(json.stats.executions, seq.stats.executions);
    assert.equal(json.stats.transitions, seq.stats.transitions);
    assert.equal(json.stats.states, seq.stats.states);
  }
});
