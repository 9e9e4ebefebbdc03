/**
 * The cheaper ends of executions and restores of --restore=memory (lib/state/memory_target.ts,
 * live_memory.ts; docs/state.md "Restore"): a restore's replay sent with the next step in one
 * RUN (joined) changes nothing else the search does, and a restore that finds the program as
 * the engine last saw it (after a known end) skips the write tracker, which is right only when
 * nothing ran since: after an end that ran, the process that stays has flushed its streams.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { exploreDfs } from "../lib/explore/dfs.ts";
import type { Reduction } from "../lib/check.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import {
  MemoryTarget,
  type MemoryTargetOptions,
  type StateStats,
} from "../lib/state/memory_target.ts";
import type { ExplorationResult } from "../lib/explore/result.ts";
import type { TargetCounters } from "../lib/explore/target.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

/** What a search over a memory target found and what the target did. */
interface Searched {
  readonly stats: ExplorationResult["stats"];
  readonly counters: TargetCounters;
  readonly state: StateStats;
}

/** A search (DPOR, or the depth-first one for "none") over a memory target. */
async function search(
  source: string,
  args: readonly string[],
  reduction: Reduction,
  options: Partial<MemoryTargetOptions> = {},
): Promise<Searched> {
  const path = await buildProgram(join(repoRoot, source));
  const target = new MemoryTarget(resolveProgram(path, args), { timeoutMs: 10_000, ...options });
  try {
    const r = reduction === "none"
      ? await exploreDfs(target, {})
      : await exploreDpor(target, reduction);
    return { stats: r.stats, counters: { ...target.counters }, state: target.stateStats() };
  } finally {
    await target.close();
  }
}

const programs: [string, string, Reduction][] = [
  ["examples/dpor/lastzero.c", "5", "odpor"],
  ["examples/dpor/readers.c", "8", "odpor"],
  ["examples/dpor/indexer.c", "12", "odpor"],
  ["examples/dpor/filesystem.c", "16", "sdpor"],
  ["tests/programs/state/stores.c", "", "none"],
];

for (const [source, n, reduction] of programs) {
  const name = source.replace(/^.*\/(.*)\.c$/, "$1");
  Deno.test(`${name}(${n}) under ${reduction}: joined replays change nothing but the RUNs sent`, async () => {
    const args = n === "" ? [] : [n];
    const joined = await search(source, args, reduction, { joinReplays: true });
    const apart = await search(source, args, reduction, { joinReplays: false });
    const same = (r: Searched): Record<string, number> => ({
      executions: r.stats.executions,
      transitions: r.stats.transitions,
      replayed: r.counters.replayedSteps,
      restores: r.counters.restores,
      restarts: r.counters.restarts,
      snapshots: r.state.snapshots,
      pagesRead: r.state.pagesRead,
      pagesWritten: r.state.pagesWritten,
      endsRun: r.state.endsRun,
      endsReused: r.state.endsReused,
      aheadSteps: r.state.aheadSteps,
      mispredictions: r.state.mispredictions,
    });
    assert.deepEqual(same(joined), same(apart));
    assert.equal(apart.state.replaysJoined, 0);
    assert.ok(joined.state.replaysJoined > 0, "no replay was joined to a step");
    assert.ok(joined.state.replaysJoined <= joined.counters.restores);
  });
}

Deno.test("clean restores: only after a known end, never after an end that ran", async () => {
  const reused = await search("examples/dpor/readers.c", ["8"], "odpor");
  assert.ok(reused.state.cleanRestores > 0, "no clean restore after a known end");
  // Each known end but the last execution's is followed by one restore, clean.
  assert.ok(reused.state.cleanRestores <= reused.state.endsReused);
  assert.ok(reused.state.cleanRestores >= reused.state.endsReused - 1);
  const every = await search("examples/dpor/readers.c", ["8"], "odpor", { runEveryEnd: true });
  assert.equal(every.state.cleanRestores, 0);
  assert.equal(every.stats.executions, reused.stats.executions);
  assert.equal(every.stats.transitions, reused.stats.transitions);
});

Deno.test("end_flush: the streams FINISH flushes are put back, so 6 final states in 90 executions", async () => {
  // A snapshot at every branching point: the search goes back to states whose FILE is the one
  // the final state had before the flush, where a restore that missed the flush would write
  // nothing back.
  const r = await search("tests/programs/state/end_flush.c", [], "none", { snapshotSpacing: 1 });
  assert.equal(r.stats.executions, 90);
  // The orders of three letters; a FILE left as the flush made it would make more.
  assert.equal(r.state.endsRun, 6);
  assert.equal(r.state.endsReused, 84);
  assert.ok(r.state.cleanRestores > 0);
});

Deno.test("end_flush through the CLI: the same counts under memory, fork and replay", async () => {
  const path = await buildProgram(join(repoRoot, "tests/programs/state/end_flush.c"));
  const counts: number[][] = [];
  for (const restore of ["memory", "fork", "replay"]) {
    const r = await runCli([
      "check",
      "--json",
      "--trace-out=/dev/null",
      "--reduction=none",
      "--no-visited",
      `--restore=${restore}`,
      ...(restore === "memory" ? ["--snapshot-spacing=1"] : []),
      "--",
      path,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, "ok");
    counts.push([j.stats.executions, j.stats.transitions]);
    if (restore === "memory") {
      const s = j.stats.state;
      assert.deepEqual([s.ends_run, s.ends_reused], [6, 84]);
      assert.ok(s.clean_restores > 0, JSON.stringify(s));
    }
  }
  assert.equal(counts[0][0], 90);
  assert.deepEqual(counts[1], counts[0]);
  assert.deepEqual(counts[2], counts[0]);
});
