/**
 * Parallel checks through the real CLI against the sequential check of the same program: the
 * options a parallel check used to refuse (--max-executions, --show-output, --nondet-range,
 * --svcomp) and data races whose first access lies in a job's prefix (the workers watch every
 * step of a job, its prefix's too).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

interface Report {
  readonly verdict: string;
  readonly incomplete?: string | null;
  readonly violation: { readonly kind: string; readonly message: string } | null;
  readonly stats: Record<string, number>;
  readonly parallel?: { readonly workers: number; readonly jobs: number };
}

/** `isomc check --json ARGS -- PROGRAM`, sequentially (--no-visited) and with --jobs=2. */
async function both(
  args: readonly string[],
  program: readonly string[],
): Promise<{ seq: Report; par: Report; codes: [number, number] }> {
  const seq = await runCli(["check", "--json", "--no-visited", ...args, "--", ...program]);
  const par = await runCli(["check", "--json", "--jobs=2", "--no-pin", ...args, "--", ...program]);
  assert.equal(par.stderr.includes("internal"), false, par.stderr);
  return {
    seq: JSON.parse(seq.stdout),
    par: JSON.parse(par.stdout),
    codes: [seq.code, par.code],
  };
}

const counts = [
  "executions",
  "states",
  "transitions",
  "sleep_blocked",
  "wakeup_insertions",
  "assumes_failed",
];

Deno.test("--max-executions with --jobs=2: the sequential search's first N executions, every reduction", async () => {
  const lastzero = await buildProgram(join(repoRoot, "examples", "dpor", "lastzero.c"));
  for (const reduction of ["none", "sleep", "sdpor", "odpor"]) {
    // lastzero(5): 64 executions under odpor; the bounds cut it at the first, inside the
    // search, and past its end (then it ends ok).
    for (const bound of [1, 13, 40, 100000]) {
      const what = `${reduction} --max-executions=${bound}`;
      const { seq, par, codes } = await both(
        [`--reduction=${reduction}`, `--max-executions=${bound}`],
        [lastzero, "5"],
      );
      assert.equal(par.verdict, seq.verdict, what);
      assert.equal(par.incomplete ?? null, seq.incomplete ?? null, what);
      assert.equal(codes[1], codes[0], what);
      for (const c of counts) assert.equal(par.stats[c], seq.stats[c], `${what}: ${c}`);
      assert.equal(par.parallel?.workers, 2, what);
      if (bound < 64) {
        assert.equal(seq.verdict, "incomplete", what);
        assert.equal(seq.incomplete, "max-executions", what);
        assert.equal(codes[0], 3, what);
        assert.equal(par.stats.executions, bound, what);
      }
    }
  }
});

Deno.test("a data race whose first access is in a job's prefix: --jobs=2 finds it, with the sequential message", async () => {
  const program = await buildProgram(
    join(repoRoot, "tests", "programs", "parallel", "race_prefix.c"),
  );
  for (const reduction of ["none", "sleep", "odpor"]) {
    const { seq, par, codes } = await both([`--reduction=${reduction}`], [program]);
    assert.equal(seq.verdict, "violation", reduction);
    assert.equal(seq.violation?.kind, "data-race", reduction);
    assert.equal(par.verdict, "violation", reduction);
    assert.equal(par.violation?.kind, "data-race", reduction);
    assert.equal(par.violation?.message, seq.violation?.message, reduction);
    assert.deepEqual(codes, [1, 1], reduction);
    for (const c of counts) assert.equal(par.stats[c], seq.stats[c], `${reduction}: ${c}`);
  }
  // --races=ignore: no race looked for, in parallel too.
  const { seq, par } = await both(["--reduction=odpor", "--races=ignore"], [program]);
  assert.equal(seq.verdict, "ok");
  assert.equal(par.verdict, "ok");
  assert.equal(par.stats.executions, seq.stats.executions);
});

Deno.test("--show-output with --jobs=2: each execution's output, whole, in the sequential order", async () => {
  const program = await buildProgram(
    join(repoRoot, "tests", "programs", "parallel", "print_each.c"),
  );
  for (const reduction of ["none", "odpor"]) {
    for (const restore of ["memory", "replay"]) {
      const what = `${reduction} --restore=${restore}`;
      const args = ["--json", "--show-output", `--reduction=${reduction}`, `--restore=${restore}`];
      const seq = await runCli(["check", "--no-visited", ...args, "--", program]);
      const par = await runCli(["check", "--jobs=2", "--no-pin", ...args, "--", program]);
      assert.equal(seq.code, 0, seq.stderr);
      assert.equal(par.code, 0, par.stderr);
      const executions = JSON.parse(seq.stdout).stats.executions;
      assert.equal(JSON.parse(par.stdout).stats.executions, executions, what);
      // Under --json the program's stdout goes to our stderr, its stderr too: one "x=" line
      // and one "done" line per execution.
      assert.equal(seq.stderr.split("\n").filter((l) => l.startsWith("x=")).length, executions);
      assert.equal(par.stderr, seq.stderr, what);
    }
  }
});

Deno.test("--nondet-range and --svcomp with --jobs=2: the sequential verdicts, counts and exit codes", async () => {
  const program = (name: string) =>
    buildProgram(join(repoRoot, "tests", "programs", "svcomp", name));
  const range = await program("range.c");
  const abortPath = await program("abort_path.c");
  const cases: [string, readonly string[], string, string | null, number][] = [
    // The default range -2..2 never reaches x > 5: the range was used, so incomplete, not ok.
    [range, [], "incomplete", "nondet-range", 3],
    // 0..10 reaches it: the violation, found by a worker whose program got the range.
    [range, ["--nondet-range=0..10"], "violation", null, 1],
    // abort() on one path: a crash by default, a cut execution with --svcomp.
    [abortPath, [], "violation", null, 1],
    [abortPath, ["--svcomp"], "ok", null, 0],
  ];
  for (const reduction of ["none", "odpor"]) {
    for (const [prog, args, verdict, incomplete, code] of cases) {
      const what = `${prog} ${reduction} ${args.join(" ")}`;
      const { seq, par, codes } = await both([`--reduction=${reduction}`, ...args], [prog]);
      assert.equal(seq.verdict, verdict, what);
      assert.equal(par.verdict, verdict, what);
      assert.equal(par.incomplete ?? null, incomplete, what);
      assert.equal(seq.incomplete ?? null, incomplete, what);
      assert.deepEqual(codes, [code, code], what);
      assert.equal(par.violation?.message, seq.violation?.message, what);
      for (const c of counts) assert.equal(par.stats[c], seq.stats[c], `${what}: ${c}`);
      assert.equal(par.parallel?.workers, 2, what);
    }
  }
  // The counts the sequential search gives (docs/svcomp.md): 5 executions for the range's 5
  // values; abort_path.c's 2 executions, 1 of them cut by --svcomp.
  const { par } = await both(["--svcomp"], [abortPath]);
  assert.equal(par.stats.executions, 2);
  assert.equal(par.stats.assumes_failed, 1);
  const { par: ranged } = await both([], [range]);
  assert.equal(ranged.stats.executions, 5);
});
