/**
 * The CLI's failures (issue 8, items 9, 10 and 21), through the real CLI: every error is one
 * line on stderr and, when `--json` was asked for, one JSON error object on stdout (its kind,
 * message and exit status); options given twice or ignored in the combination given are usage
 * errors; an unwritable trace path is refused before the search, and a trace that cannot be
 * written after it does not cost the result.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { buildProgram } from "./support/build.ts";
import {
  assertNothingLeft,
  becomeSubreaper,
  type CliResult,
  endsWithin,
  eventually,
  runCli,
  runningProgram,
  startCli,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const cliPrograms = here("./programs/cli/");
const faults = here("./programs/faults/");

becomeSubreaper();

const inTempDir = tempDirs("isomc-cli-errors-");

interface JsonError {
  verdict: "error";
  error: { kind: string; message: string };
  exit: number;
}

/**
 * The run failed with `exit`, one line on stderr ("isomc: " and `message`); with `json` set,
 * stdout is exactly one error object saying the same.
 */
function assertFailure(
  r: CliResult,
  exit: number,
  message: string,
  json: string | null = null,
): void {
  assert.equal(r.code, exit, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stderr, `isomc: ${message}\n`);
  if (json === null) {
    assert.equal(r.stdout, "");
    return;
  }
  const expected: JsonError = { verdict: "error", error: { kind: json, message }, exit };
  assert.equal(r.stdout, `${JSON.stringify(expected)}\n`);
}

// ---- Item 10: --json answers every failure with one object --------------------------------

Deno.test("--json: a usage error is an error object of kind usage, exit 2", async () => {
  assertFailure(
    await runCli(["check", "--json", "--max-depth=0", "--", "./app"]),
    2,
    "--max-depth needs a positive integer, not '0'",
    "usage",
  );
  // Asked for before the option that fails to parse: still JSON.
  assertFailure(
    await runCli(["check", "--json", "--frob", "--", "./app"]),
    2,
    "check: unknown option '--frob' (see isomc check --help; the program and its arguments go after --)",
    "usage",
  );
  assertFailure(
    await runCli(["check", "--json"]),
    2,
    "check: no program given (isomc check -- ./app)",
    "usage",
  );
  // `--json` after `--` is the program's argument, not the checker's: no JSON.
  assertFailure(
    await runCli(["check", "--max-depth=0", "--", "./app", "--json"]),
    2,
    "--max-depth needs a positive integer, not '0'",
  );
});

Deno.test("--json: an input error is an error object of kind input, exit 2", async () => {
  await inTempDir(async (dir) => {
    assertFailure(
      await runCli(["check", "--json", "--", "./missing"], { cwd: dir }),
      2,
      "./missing: no such file",
      "input",
    );
    const noRuntime = await buildProgram(`${faults}no_runtime_exit.c`);
    // In parallel too: one line, the coordinator's, however many workers met the failure, and
    // the program named as it was given (here by a relative path).
    Deno.copyFileSync(noRuntime, join(dir, "no_runtime"));
    Deno.chmodSync(join(dir, "no_runtime"), 0o755);
    for (
      const [jobs, program] of [[[], noRuntime], [["--jobs=3"], noRuntime], [
        ["--jobs=2"],
        "./no_runtime",
      ]] as const
    ) {
      const r = await runCli(["check", "--json", ...jobs, "--", program], { cwd: dir });
      assertNothingLeft(program);
      assertFailure(
        r,
        2,
        `${program} exited with status 0 without connecting to the checker: is it built with \`isomc cc\` and does main() call isomc_init()?`,
        "input",
      );
    }
  });
});

Deno.test("--json: an internal error is an error object of kind internal, exit 3", async () => {
  const program = await buildProgram(`${cliPrograms}not_deterministic.c`);
  await inTempDir(async (dir) => {
    const r = await runCli([
      "check",
      "--json",
      "--restore=replay",
      "--reduction=none",
      "--",
      program,
    ], { cwd: dir });
    assertNothingLeft(program);
    assertFailure(
      r,
      3,
      "the program did not repeat an earlier execution (step 1: there is no actor 2): isomc needs a deterministic program; does it depend on time, addresses or unchecked input?",
      "internal",
    );
  });
});

// ---- Item 21: options given twice, options the combination ignores ------------------------

Deno.test("an option given twice is a usage error, whatever its values", async () => {
  assertFailure(
    await runCli(["check", "--reduction=none", "--reduction=odpor", "--", "./app"]),
    2,
    "check: --reduction is given twice (--reduction=none and --reduction=odpor): give it once",
  );
  assertFailure(
    await runCli(["check", "--json", "--json", "--", "./app"]),
    2,
    "check: --json is given twice (--json and --json): give it once",
    "usage",
  );
  assertFailure(
    await runCli(["check", "--timeout=5", "--timeout", "5", "--", "./app"]),
    2,
    "check: --timeout is given twice (--timeout=5 and --timeout=5): give it once",
  );
  assertFailure(
    await runCli(["replay", "--quiet", "-q", "t.json", "--", "./app"]),
    2,
    "replay: -q is given twice (--quiet and -q): give it once",
  );
});

Deno.test("an option the chosen strategy would ignore is a usage error", async () => {
  assertFailure(
    await runCli(["check", "--max-checkpoints=4", "--", "./app"]),
    2,
    "--max-checkpoints bounds the frozen processes of --restore=fork; it does nothing with --restore=memory",
  );
  assertFailure(
    await runCli(["check", "--restore=fork", "--every-end", "--", "./app"]),
    2,
    "--every-end is for --restore=memory, or fork with --visited (the others run main's end after every execution); not with --restore=fork without --visited",
  );
  assertFailure(
    await runCli(["check", "--restore=replay", "--every-end", "--", "./app"]),
    2,
    "--every-end is for --restore=memory, or fork with --visited (the others run main's end after every execution); not with --restore=replay",
  );
  assertFailure(
    await runCli(["check", "--restore=replay", "--snapshot-spacing=2", "--", "./app"]),
    2,
    "--snapshot-spacing is for --restore=memory without --visited (not --restore=replay)",
  );
  // --reduction=none prunes visited states by default: every state is snapshotted.
  assertFailure(
    await runCli(["check", "--reduction=none", "--snapshot-spacing=2", "--", "./app"]),
    2,
    "--snapshot-spacing is for --restore=memory without --visited (--visited snapshots every state)",
  );
  assertFailure(
    await runCli(["check", "--json", "--restore=replay", "--visited", "--", "./app"]),
    2,
    "--visited needs --restore=memory or --restore=fork (states are compared by their memory)",
    "usage",
  );
});

Deno.test("the same options in a combination that reads them are accepted", async () => {
  const program = await buildProgram(`${cliPrograms}two_yields.c`);
  await inTempDir(async (dir) => {
    for (
      const options of [
        ["--restore=fork", "--max-checkpoints=4"],
        ["--reduction=none", "--no-visited", "--snapshot-spacing=2", "--every-end"],
        ["--restore=fork", "--reduction=none", "--visited", "--every-end", "--exact-compare"],
      ]
    ) {
      const r = await runCli(["check", "--json", ...options, "--", program], { cwd: dir });
      assert.equal(r.code, 0, `${options.join(" ")}: ${r.stderr}`);
      assert.equal(JSON.parse(r.stdout).verdict, "ok");
    }
  });
});

// ---- Item 9: the trace path ----------------------------------------------------------------

Deno.test("an unwritable --trace-out is refused before the search starts: exit 2 at once", async () => {
  // The search would never end: only a check made before it can answer.
  const program = await buildProgram(`${faults}long_running.c`);
  await inTempDir(async (dir) => {
    const started = startCli(["check", "--trace-out=/nonexistent/d/t.json", "--", program], {
      cwd: dir,
    });
    assertFailure(
      await endsWithin(started, 20_000),
      2,
      "cannot write the trace to /nonexistent/d/t.json: no such directory /nonexistent/d",
    );
    await Deno.mkdir(`${dir}/sub`);
    assertFailure(
      await endsWithin(
        startCli(["check", "--json", "--trace-out=sub", "--", program], { cwd: dir }),
        20_000,
      ),
      2,
      "cannot write the trace to sub: it is a directory",
      "input",
    );
    assertNothingLeft(program);
    // Testing the path left no file behind.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["sub"]);
  });
});

Deno.test("a trace that cannot be written after the search: the report is printed, with a warning", async () => {
  // A transition that spins for 3 s: the trace's directory goes away meanwhile.
  const program = await buildProgram(`${faults}endless_loop.c`);
  await inTempDir(async (dir) => {
    for (const json of [false, true]) {
      await Deno.mkdir(`${dir}/out`, { recursive: true });
      const run = startCli([
        "check",
        ...(json ? ["--json"] : []),
        "--timeout=3",
        "--trace-out=out/t.json",
        "--",
        program,
      ], { cwd: dir });
      assert.ok(await eventually(() => runningProgram(program).length > 0));
      await Deno.remove(`${dir}/out`, { recursive: true });
      const r = await endsWithin(run, 30_000);
      assertNothingLeft(program);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        "isomc: warning: cannot write the trace to out/t.json: no such directory out\n",
      );
      if (json) {
        const j = JSON.parse(r.stdout);
        assert.equal(j.verdict, "violation");
        assert.equal(j.violation.kind, "timeout");
        assert.equal(j.trace_file, null);
        assert.deepEqual(j.trace.map((s: { transition: string }) => s.transition), ["yield()"]);
      } else {
        assert.match(r.stdout, /^isomc: violation found: timeout in spinner\n/);
        // The step, and the line of the yield it made (the first of endless_loop.c's two).
        assert.match(
          r.stdout,
          /^Counterexample \(1 step\):\n {2}1\. spinner: yield\(\) {3}endless_loop\.c:12$/m,
        );
        assert.doesNotMatch(r.stdout, /Trace written/);
      }
    }
  });
});
