/**
 * Bad input and faults (issue section 6), through the real CLI: each case gets its exact exit
 * code and one clear line, and after every run nothing of the checked program is left — no
 * live process, no zombie (the test process is a child subreaper, so whatever the checker
 * leaves behind becomes visible here). Signals to the checker end the checked program too.
 */

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import {
  assertNothingLeft,
  assertOneLine,
  becomeSubreaper,
  type CliResult,
  eventually,
  lines,
  liveProcessesOf,
  processes,
  reapStrays,
  runCli,
  runningProgram,
  startCli,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const faults = fileURLToPath(new URL("./programs/faults/", import.meta.url));

becomeSubreaper();

function build(name: string): Promise<string> {
  return buildProgram(`${faults}${name}.c`);
}

const inTempDir = tempDirs("isomc-faults-");

async function check(
  program: string,
  options: readonly string[],
  cwd: string,
  programArgs: readonly string[] = [],
): Promise<CliResult> {
  const r = await runCli(["check", ...options, "--", program, ...programArgs], { cwd });
  // The program runs by its absolute path; a relative name such as ./app would also match the
  // checkers of other test runs on this machine.
  assertNothingLeft(program.includes("/") ? resolve(cwd, program) : program);
  return r;
}

// ---- Programs that cannot be checked --------------------------------------------------------

Deno.test("a missing program: exit 2, 'no such file' (or not in PATH for a bare name)", async () => {
  await inTempDir(async (dir) => {
    assertOneLine(
      await check("./no-such-program", [], dir),
      2,
      /\.\/no-such-program: no such file$/,
    );
    assertOneLine(
      await check("no-such-isomc-program", [], dir),
      2,
      /no-such-isomc-program: no such program \(not found in PATH\)$/,
    );
  });
});

Deno.test("a file that is not executable: exit 2, with the chmod hint", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/app`;
    await Deno.copyFile(await build("no_runtime_exit"), file);
    await Deno.chmod(file, 0o644);
    assertOneLine(
      await check("./app", [], dir),
      2,
      /\.\/app: not executable \(chmod \+x \.\/app\?\)$/,
    );
  });
});

Deno.test("a directory: exit 2, 'is a directory'", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/app`);
    assertOneLine(await check("./app", [], dir), 2, /\.\/app: is a directory, not a program$/);
  });
});

Deno.test("a file the system cannot execute: exit 2, exec format error", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/app`, "this is not a program\n", { mode: 0o755 });
    assertOneLine(await check("./app", [], dir), 2, /cannot run \.\/app: .*exec format error/);
  });
});

Deno.test("a program without the runtime that exits: exit 2, with the isomc cc hint", async () => {
  const program = await build("no_runtime_exit");
  await inTempDir(async (dir) => {
    assertOneLine(
      await check(program, [], dir),
      2,
      /exited with status 0 without connecting to the checker: is it built with `isomc cc` and does main\(\) call isomc_init\(\)\?$/,
    );
  });
});

Deno.test("a program without the runtime that sleeps: exit 2 after --timeout, and it is killed", async () => {
  const program = await build("no_runtime_sleep");
  await inTempDir(async (dir) => {
    assertOneLine(
      await check(program, ["--timeout=1"], dir),
      2,
      /did not connect to the checker within 1 s: is it built with `isomc cc`/,
    );
  });
});

Deno.test("a crash before the first scheduling point: exit 2", async () => {
  const program = await build("crash_before_first_point");
  await inTempDir(async (dir) => {
    assertOneLine(
      await check(program, [], dir),
      2,
      // The runtime's crash handler names the actor that was running.
      /crashed before its first scheduling point \(the program was killed by SIGSEGV \(segmentation fault\) while crasher was running\); run it on its own to debug it$/,
    );
  });
});

Deno.test("an exit before the first scheduling point: exit 2", async () => {
  const program = await build("exit_before_first_point");
  await inTempDir(async (dir) => {
    assertOneLine(
      await check(program, [], dir),
      2,
      /exited with status 3 before its first scheduling point/,
    );
  });
});

// ---- Faults inside an execution: violations ---------------------------------------------

interface JsonReport {
  verdict: string;
  violation: { kind: string; message: string; actor: string | null } | null;
  incomplete: string | null;
  stats: { executions: number; states: number; transitions: number; max_depth: number };
  trace: { step: number; actor_name: string; transition: string }[];
}

function report(r: CliResult): JsonReport {
  assert.equal(r.stderr, "", "a verdict is no error: nothing on stderr");
  return JSON.parse(r.stdout) as JsonReport;
}

Deno.test("an endless loop in an actor: timeout violation naming it, exit 1", async () => {
  const program = await build("endless_loop");
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json", "--timeout=1", "--reduction=none"], dir);
    assert.equal(r.code, 1, r.stderr);
    const j = report(r);
    assert.equal(j.verdict, "violation");
    assert.deepEqual(j.violation, {
      kind: "timeout",
      message:
        "spinner's transition did not return within 1 s (an endless loop between two visible operations?)",
      actor: "spinner",
    });
    assert.deepEqual(j.trace.map((s) => `${s.actor_name}: ${s.transition}`), ["spinner: yield()"]);
  });
});

Deno.test("exit() by an actor while another is unfinished: exit violation, exit 1", async () => {
  const program = await build("early_exit");
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json", "--reduction=none", "--no-visited"], dir);
    assert.equal(r.code, 1, r.stderr);
    const j = report(r);
    assert.deepEqual(j.violation, {
      kind: "exit",
      message: "actor quitter called exit(0), leaving worker unfinished",
      actor: "quitter",
    });
    assert.equal(j.stats.executions, 1);
    assert.deepEqual(j.trace.map((s) => `${s.actor_name}: ${s.transition}`), ["quitter: yield()"]);
  });
});

Deno.test("a crash in main after isomc_run: crash violation, exit 1", async () => {
  const program = await build("crash_after_run");
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json", "--reduction=none", "--no-visited"], dir);
    assert.equal(r.code, 1, r.stderr);
    const j = report(r);
    assert.equal(j.violation?.kind, "crash");
    assert.match(j.violation?.message ?? "", /killed by SIGSEGV \(segmentation fault\)/);
    assert.equal(j.stats.executions, 1);
    assert.deepEqual(j.trace.map((s) => `${s.actor_name}: ${s.transition}`), ["stepper: yield()"]);
  });
});

// ---- Traces that cannot be replayed -------------------------------------------------------

Deno.test("a trace that does not parse: exit 2, one line naming the file", async () => {
  const program = await build("early_exit");
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/bad.json`, "not json\n{\n");
    const r = await runCli(["replay", "bad.json", "--", program], { cwd: dir });
    assertNothingLeft(program);
    assertOneLine(r, 2, /^isomc: bad\.json is not an isomc trace: .*JSON/);

    await Deno.writeTextFile(`${dir}/other.json`, JSON.stringify({ format: "other", steps: [] }));
    const other = await runCli(["replay", "other.json", "--", program], { cwd: dir });
    assertOneLine(other, 2, /other\.json is not an isomc trace: "format" is not "isomc-trace"$/);

    const missing = await runCli(["replay", "missing.json", "--", program], { cwd: dir });
    assertOneLine(missing, 2, /cannot read the trace missing\.json: no such file$/);
    assertNothingLeft(program);
  });
});

Deno.test("a trace that does not fit the program: exit 2, 'does not fit'", async () => {
  const program = await build("early_exit");
  await inTempDir(async (dir) => {
    const trace = (steps: { actor: number; choice: number }[]): string =>
      JSON.stringify({ format: "isomc-trace", version: 1, steps });
    const cases: [string, RegExp][] = [
      [trace([{ actor: 9, choice: 0 }]), /step 1: there is no actor 9$/],
      [
        trace([{ actor: 1, choice: 5 }]),
        /step 1: choice 5 is out of range for actor 1 \(quitter\)$/,
      ],
    ];
    for (const [text, why] of cases) {
      await Deno.writeTextFile(`${dir}/t.json`, text);
      const r = await runCli(["replay", "--quiet", "t.json", "--", program], { cwd: dir });
      assertNothingLeft(program);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      // The program's runtime says it too, as it would under gdb; the checker's line ends it.
      const err = lines(r.stderr);
      const last = err[err.length - 1];
      assert.match(last, /^isomc: the trace does not fit this program: /);
      assert.match(last, why);
      assert.ok(err.length <= 2, r.stderr);
    }
  });
});

// ---- Usage ----------------------------------------------------------------------------------

Deno.test("unknown commands and options: exit 2 with one line", async () => {
  assertOneLine(await runCli(["frob"]), 2, /^isomc: unknown command 'frob' \(try: isomc --help\)$/);
  assertOneLine(
    await runCli(["check", "--bogus", "--", "./app"]),
    2,
    /^isomc: check: unknown option '--bogus' \(see isomc check --help; the program and its arguments go after --\)$/,
  );
  assertOneLine(await runCli(["replay", "-x", "t.json"]), 2, /^isomc: replay: unknown option '-x'/);
  assertOneLine(await runCli(["check", "--json=yes", "--", "./app"]), 2, /--json takes no value$/);
  assertOneLine(
    await runCli(["check", "--max-depth", "--", "./app"]),
    2,
    /--max-depth needs a value \(--max-depth=VALUE\)$/,
  );
  assertOneLine(
    await runCli(["check", "--max-executions=0", "--", "./app"]),
    2,
    /--max-executions needs a positive integer, not '0'$/,
  );
  assertOneLine(
    await runCli(["check", "--snapshot-spacing=0", "--", "./app"]),
    2,
    /--snapshot-spacing needs a positive integer, not '0'$/,
  );
  assertOneLine(
    await runCli(["check", "--max-checkpoints=-1", "--", "./app"]),
    2,
    /--max-checkpoints needs a positive integer, not '-1'$/,
  );
  assertOneLine(
    await runCli(["check", "--exact-compare", "--reduction=odpor", "--", "./app"]),
    2,
    /--exact-compare checks the states --visited prunes: it needs --visited/,
  );
  assertOneLine(
    await runCli(["check", "--every-end=1", "--", "./app"]),
    2,
    /--every-end takes no value$/,
  );
  assertOneLine(
    await runCli(["check", "--timeout=soon", "--", "./app"]),
    2,
    /--timeout needs a number of seconds/,
  );
  assertOneLine(
    await runCli(["check", "--reduction=magic", "--", "./app"]),
    2,
    /--reduction must be one of: none/,
  );
  assertOneLine(await runCli(["check"]), 2, /check: no program given/);
  assertOneLine(await runCli(["replay"]), 2, /replay: no trace given/);
  assertOneLine(await runCli(["replay", "t.json"]), 2, /replay: no program given/);
  assertOneLine(await runCli(["demo", "extra"]), 2, /demo: takes no arguments/);
  assertOneLine(await runCli(["help", "frob"]), 2, /no such command: frob/);
});

// ---- Limits ---------------------------------------------------------------------------------

Deno.test("--max-executions and --max-depth: exit 3, verdict incomplete, exact counts", async () => {
  const program = await build("long_running");
  await inTempDir(async (dir) => {
    const byExecutions = await check(program, ["--json", "--max-executions=5"], dir);
    assert.equal(byExecutions.code, 3, byExecutions.stderr);
    const e = report(byExecutions);
    assert.equal(e.verdict, "incomplete");
    assert.equal(e.incomplete, "max-executions");
    assert.equal(e.violation, null);
    assert.equal(e.stats.executions, 5);

    // 3 actors, all enabled at every step: depth 3 cuts the tree at 3^3 leaves.
    const byDepth = await check(program, [
      "--json",
      "--reduction=none",
      "--no-visited",
      "--max-depth=3",
    ], dir);
    assert.equal(byDepth.code, 3, byDepth.stderr);
    const d = report(byDepth);
    assert.equal(d.verdict, "incomplete");
    assert.equal(d.incomplete, "max-depth");
    assert.deepEqual(
      [d.stats.executions, d.stats.states, d.stats.transitions, d.stats.max_depth],
      [27, 1 + 3 + 9 + 27, 3 + 9 + 27, 3],
    );

    const human = await check(program, ["--max-executions=2"], dir);
    assert.equal(human.code, 3);
    assert.match(
      human.stdout,
      /^isomc: incomplete: stopped at --max-executions; no violation in the 2 executions explored\.$/m,
    );
  });
});

// ---- Signals to the checker -----------------------------------------------------------------

/** Starts `isomc check` on `program` and waits until the program runs, then ~1 s more. */
async function startChecking(
  program: string,
  options: readonly string[],
  cwd: string,
): Promise<{ child: Deno.ChildProcess; result: Promise<CliResult> }> {
  const started = startCli(["check", ...options, "--", program], { cwd });
  const running = await eventually(() => runningProgram(program).length > 0);
  if (!running) {
    try {
      started.child.kill("SIGKILL");
    } catch {
      // it ended on its own
    }
    assert.fail(`the checked program never started: ${JSON.stringify(await started.result)}`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  return started;
}

/** The checker's result, or a failure (and a killed checker) if it does not end in 30 s. */
async function ended(
  run: { child: Deno.ChildProcess; result: Promise<CliResult> },
): Promise<CliResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => timer = setTimeout(() => resolve("hang"), 30_000));
  const r = await Promise.race([run.result, hang]);
  clearTimeout(timer);
  if (r === "hang") {
    run.child.kill("SIGKILL");
    await run.result;
    assert.fail("the checker did not end after the signal");
  }
  return r;
}

/** Reaps what a killed checker left to us; every one must have died of SIGKILL. */
async function reapOrphans(program: string): Promise<void> {
  assert.ok(
    await eventually(() => liveProcessesOf(program).length === 0),
    "the program outlived the checker",
  );
  for (const { pid, status } of await reapStrays()) {
    assert.deepEqual(status, { signaled: 9 }, `stray child ${pid}`);
  }
}

Deno.test("SIGINT to the checker: partial statistics, exit 3, the program is gone", async () => {
  const program = await build("long_running");
  await inTempDir(async (dir) => {
    const run = await startChecking(program, [], dir);
    run.child.kill("SIGINT");
    const r = await ended(run);
    assertNothingLeft(program);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr, "");
    const m = r.stdout.match(
      /^isomc: incomplete: interrupted; no violation in the ([\d,]+) executions? explored\.\nExplored ([\d,]+) executions?, /,
    );
    assert.ok(m !== null, r.stdout);
    assert.equal(m[1], m[2]);
    assert.ok(Number(m[1].replaceAll(",", "")) >= 1);
  });
});

Deno.test("SIGTERM to the checker: the same clean stop, in JSON", async () => {
  const program = await build("long_running");
  await inTempDir(async (dir) => {
    const run = await startChecking(program, ["--json"], dir);
    run.child.kill("SIGTERM");
    const r = await ended(run);
    assertNothingLeft(program);
    assert.equal(r.code, 3, r.stderr);
    const j = report(r);
    assert.equal(j.verdict, "incomplete");
    assert.equal(j.incomplete, "interrupted");
    assert.ok(j.stats.executions >= 1);
  });
});

Deno.test("a second signal while a transition spins: the checker ends at once (128 + signal), program killed", async () => {
  const program = await build("endless_loop");
  await inTempDir(async (dir) => {
    const run = await startChecking(program, ["--timeout=60"], dir);
    // One asks for a clean stop, which waits for the end of a slice of up to 100 ms; the other,
    // pending by then, ends the checker at once. Which is second is the event loop's choice;
    // two SIGINTs sent together would merge into one.
    run.child.kill("SIGINT");
    run.child.kill("SIGTERM");
    const r = await ended(run);
    assertNothingLeft(program);
    assert.ok(r.code === 130 || r.code === 143, `exit ${r.code}`);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `isomc: stopped at once by a second ${
        r.code === 130 ? "SIGINT" : "SIGTERM"
      }, without a report\n`,
    );
  });
});

Deno.test("SIGINT with no search running (isomc replay): exit 130 at once, the program killed", async () => {
  const program = await build("endless_loop");
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/t.json`,
      JSON.stringify({ format: "isomc-trace", version: 1, steps: [{ actor: 1, choice: 0 }] }),
    );
    const run = startCli(["replay", "--quiet", "t.json", "--", program], { cwd: dir });
    assert.ok(await eventually(() => runningProgram(program).length > 0));
    run.child.kill("SIGINT");
    const r = await ended(run);
    assertNothingLeft(program);
    assert.equal(r.code, 130);
    assert.equal(r.stdout, "");
  });
});

Deno.test("SIGKILL to the checker: the program dies of its parent-death signal", async () => {
  // The spinning program never reads its channel, so only PR_SET_PDEATHSIG can end it.
  const program = await build("endless_loop");
  await inTempDir(async (dir) => {
    const run = await startChecking(program, ["--timeout=60"], dir);
    const [spinning] = runningProgram(program);
    run.child.kill("SIGKILL");
    const r = await ended(run);
    assert.equal(r.signal, "SIGKILL");
    await reapOrphans(program);
    assert.equal(processes().find((p) => p.pid === spinning.pid), undefined);
    assertNothingLeft(program);
  });
});

Deno.test("SIGKILL to the checker of a long search: no process of the program survives", async () => {
  const program = await build("long_running");
  await inTempDir(async (dir) => {
    const run = await startChecking(program, [], dir);
    run.child.kill("SIGKILL");
    const r = await ended(run);
    assert.equal(r.signal, "SIGKILL");
    assert.ok(await eventually(() => liveProcessesOf(program).length === 0));
    // Whether the program saw its channel close first or got SIGKILL, it is reaped here.
    for (const { pid, status } of await reapStrays()) {
      assert.notEqual(status, "running", `stray child ${pid}`);
    }
    assertNothingLeft(program);
  });
});

Deno.test("SIGTERM to isomc replay: exit 143, the program killed, no temporary left", async () => {
  const program = await build("endless_loop");
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/t.json`,
      JSON.stringify({ format: "isomc-trace", version: 1, steps: [{ actor: 1, choice: 0 }] }),
    );
    const run = startCli(["replay", "--quiet", "t.json", "--", program], {
      cwd: dir,
      env: { TMPDIR: dir },
    });
    assert.ok(await eventually(() => runningProgram(program).length > 0));
    await new Promise((r) => setTimeout(r, 500));
    // The replay keeps the runtime's report in a temporary directory of its own.
    assert.equal(
      [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("isomc-replay-")).length,
      1,
    );
    run.child.kill("SIGTERM");
    const r = await ended(run);
    assertNothingLeft(program);
    assert.equal(r.code, 143);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["t.json"]);
  });
});
