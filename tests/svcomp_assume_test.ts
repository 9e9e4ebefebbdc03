/**
 * A failed assumption blocks its thread for ever and the other threads run on (issue 11's
 * soundness bug; docs/svcomp.md, "Failed assumptions"), through the real CLI: under every
 * reduction and every restore, the errors reachable only through an execution in which a
 * thread's assumption failed are found, an execution left with nothing enabled and a blocked
 * thread is cut (counted in `executions` and `assumes_failed`), never a deadlock, and the
 * counts of the Nidhugg snapshot's parker.c and lamport.c are Nidhugg's. Counts are exact:
 * derivations beside each case. The peers (Nidhugg optimal, GenMC 0.11) give the same verdicts
 * and the same complete executions on these programs (2026-12-02).
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";
import {
  check,
  checkBuilt,
  nidhuggBenchmarks,
  nidhuggTask,
  programs,
  type Reduction,
  type Report,
} from "./support/svcomp.ts";

const reductions: readonly Reduction[] = ["none", "sleep", "sdpor", "odpor"];
const restores = ["memory", "fork", "replay"] as const;
const inTempDir = tempDirs("isomc-assume-");

function assertError(code: number, report: Report, what: string): void {
  assert.equal(code, 1, `${what}: ${JSON.stringify(report)}`);
  assert.equal(report.violation?.kind, "assertion", what);
  assert.equal(report.violation?.message, "reach_error() was called", what);
}

Deno.test("an error after another thread's write to what a failed assumption read is found, under every reduction and restore", async () => {
  for (const reduction of reductions) {
    for (const restore of restores) {
      const what = `${reduction} ${restore}`;
      const { code, report } = await check("assume_race.c", reduction, [`--restore=${restore}`]);
      assertError(code, report, what);
      // The first execution runs t1 first: its read of x gets 0, the assumption fails and t1
      // is blocked (cut: t2's write runs, main waits for t1 for ever); the second reverses
      // t1's read with t2's write and reaches the error. Ended after the first, the search
      // never saw that race: odpor ended `ok` after 1 execution.
      assert.equal(report.stats.executions, 2, what);
      assert.equal(report.stats.assumes_failed, 1, what);
      const ok = await check("assume_race.c", reduction, [`--restore=${restore}`], [
        "-DISOMC_NO_ERROR",
      ]);
      assert.equal(ok.code, 0, `${what}: ${JSON.stringify(ok.report.violation)}`);
      // Without the error: under the reductions the 2 orders of t1's read and t2's write, the
      // first cut; under none, t1's read first is 1 execution (t1 blocked, t2 ends, main waits)
      // and t2's write first is 4: t1's end, t2's end and main's two joins interleaved as the
      // joins allow (t1's end before main's first join; t2's before its second).
      assert.equal(ok.report.stats.executions, reduction === "none" ? 5 : 2, what);
      assert.equal(ok.report.stats.assumes_failed, 1, what);
    }
  }
});

Deno.test("a violation reachable only after a thread's assumption failed is found: the other threads run on", async () => {
  for (const reduction of reductions) {
    // t1 raises a flag and fails assume(0) at once; t2 reads the flag raised: only possible
    // once t1 is blocked. The first execution (t1 first) reaches it.
    const runsOn = await check("assume_runs_on.c", reduction);
    assertError(runsOn.code, runsOn.report, `runs_on ${reduction}`);
    assert.equal(runsOn.report.stats.executions, 1, reduction);
    assert.equal(runsOn.report.stats.assumes_failed, 0, reduction);
    // main itself is blocked (it read x = 0, then assumed it read 1); its thread writes x and
    // reaches the error because main read 0. The first execution (main first) reaches it.
    const main = await check("assume_main.c", reduction);
    assertError(main.code, main.report, `main ${reduction}`);
    assert.equal(main.report.stats.executions, 1, reduction);
  }
});

Deno.test("a thread blocked by an assumption while holding a mutex another wants is a cut, not a deadlock", async () => {
  for (const reduction of reductions) {
    const { code, report } = await check("assume_mutex.c", reduction);
    assert.equal(code, 0, `${reduction}: ${JSON.stringify(report.violation)}`);
    assert.equal(report.verdict, "ok");
    // Reductions: t1's read before t2's write (t1 holds m for ever, t2 waits for it: cut), or
    // after it, then the two orders of the critical sections: 3, 1 cut (Nidhugg and GenMC: 2
    // complete). none: 27 interleavings, of which only one has t1's read before t2's write
    // (t1 takes m and reads before t2 moves; t2 can then only write and wait).
    assert.equal(report.stats.executions, reduction === "none" ? 27 : 3, reduction);
    assert.equal(report.stats.assumes_failed, 1, reduction);
  }
});

Deno.test("main's return with a thread blocked by an assumption: an exit violation, or with --join-on-exit a cut", async () => {
  for (const reduction of ["none", "odpor"] as const) {
    // main's return is exit(), which cuts the unfinished thread, blocked or not.
    const exit = await check("assume_exit.c", reduction);
    assert.equal(exit.code, 1, JSON.stringify(exit.report));
    assert.equal(exit.report.violation?.kind, "exit", reduction);
    assert.match(exit.report.violation?.message ?? "", /thread-1/);
    // Waiting for it instead, the execution is left with the blocked thread only: cut.
    for (const flag of ["--join-on-exit", "--svcomp"]) {
      const joined = await check("assume_exit.c", reduction, [flag]);
      assert.equal(joined.code, 0, `${flag}: ${JSON.stringify(joined.report)}`);
      assert.equal(joined.report.verdict, "ok");
      assert.equal(joined.report.stats.executions, 1, `${reduction} ${flag}`);
      assert.equal(joined.report.stats.assumes_failed, 1, `${reduction} ${flag}`);
    }
  }
});

Deno.test("abort() under --svcomp blocks its thread as a failed assumption does; without it, a crash", async () => {
  for (const reduction of reductions) {
    const svcomp = await check("abort_thread.c", reduction, ["--svcomp"]);
    // As assume_race.c: the first execution cut, the second reaches the error.
    assertError(svcomp.code, svcomp.report, `svcomp ${reduction}`);
    assert.equal(svcomp.report.stats.executions, 2, reduction);
    assert.equal(svcomp.report.stats.assumes_failed, 1, reduction);
    const crash = await check("abort_thread.c", reduction);
    assert.equal(crash.code, 1);
    assert.equal(crash.report.violation?.kind, "crash", reduction);
    assert.match(crash.report.violation?.message ?? "", /SIGABRT/);
  }
});

Deno.test("parker.c and OBSERVERS' lamport.c of the Nidhugg snapshot: Nidhugg's complete executions under sdpor and odpor", async (t) => {
  // Nidhugg's optimal DPOR (`nidhuggc -O1 -- --sc --optimal FILE`): 2,008 traces for parker.c,
  // 9,216 for lamport.c; isomc's complete executions are those not cut by an assumption.
  // Before, a failed assumption ended the execution and sdpor/odpor found 10 and 220.
  const files: readonly [string, number, number, readonly Reduction[]][] = [
    // The cut ones: the Mazurkiewicz traces that end with a thread blocked, the same under
    // every reduction (sleep gives them too, slower).
    ["from_DCDPOR/parker.c", 2008, 1423, ["sdpor", "odpor"]],
    ["from_OBSERVERS/lamport.c", 9216, 11525, ["odpor"]],
  ];
  for (const [name, complete, cut, which] of files) {
    const source = await nidhuggTask(t, name, nidhuggBenchmarks);
    if (source === null) return;
    const program = await buildProgram(source, ["-w"]);
    for (const reduction of which) {
      const { code, report } = await checkBuilt(program, reduction, [
        "--join-on-exit",
        "--races=ignore",
      ]);
      assert.equal(code, 0, `${name}: ${JSON.stringify(report.violation)}`);
      assert.equal(report.stats.executions - report.stats.assumes_failed, complete, name);
      assert.equal(report.stats.assumes_failed, cut, `${name} ${reduction}`);
    }
  }
});

Deno.test("--jobs=2 gives the sequential counts, the cut executions among them", async () => {
  for (const reduction of ["none", "odpor"] as const) {
    const mutex = await check("assume_mutex.c", reduction, ["--jobs=2"]);
    assert.equal(mutex.code, 0, JSON.stringify(mutex.report.violation));
    assert.equal(mutex.report.stats.executions, reduction === "none" ? 27 : 3, reduction);
    assert.equal(mutex.report.stats.assumes_failed, 1, reduction);
    const race = await check("assume_race.c", reduction, ["--jobs=2"]);
    assertError(race.code, race.report, `jobs ${reduction}`);
  }
});

Deno.test("a counterexample through a thread blocked by its assumption replays to its violation, --svcomp's abort() too", async () => {
  // abort_runs_on.c's counterexample passes t1 blocked by abort(): the trace records --svcomp, so
  // that the replay blocks it too rather than crash.
  const cases = [["assume_runs_on.c", []], ["abort_runs_on.c", ["--svcomp"]]] as const;
  for (const [source, flags] of cases) {
    const program = await buildProgram(`${programs}${source}`);
    await inTempDir(async (dir) => {
      await Deno.copyFile(program, `${dir}/task`);
      await Deno.chmod(`${dir}/task`, 0o755);
      const found = await runCli(["check", ...flags, "--", "./task"], { cwd: dir });
      assert.equal(found.code, 1, found.stderr);
      const trace = JSON.parse(await Deno.readTextFile(`${dir}/task.isomc-trace.json`));
      assert.equal(trace.svcomp, flags.length > 0 ? true : undefined, source);
      const r = await runCli(["replay", "--quiet", "task.isomc-trace.json", "--", "./task"], {
        cwd: dir,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr.trim().split("\n").at(-1) ?? "",
        /reproduced the assertion: reach_error\(\) was called/,
        source,
      );
    });
  }
});
