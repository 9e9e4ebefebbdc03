/**
 * Interrupts (issue 8, items 7, 10 and 23), through the real CLI: a Ctrl-C or SIGTERM stops the
 * search within a second even while a transition spins (the program is killed, the report says
 * "interrupted", exit 3), a second signal stops the checker at once with one line (and, with
 * --json, an error object), and on a terminal the progress line — counting states under
 * --visited, absent with --json — is erased whatever way the checker ends. Nothing of the
 * program is left in any case.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import {
  assertNothingLeft,
  becomeSubreaper,
  type CliResult,
  endsWithin,
  eventually,
  lines,
  processes,
  runningProgram,
  startCli,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const cli = here("../cli.ts");

becomeSubreaper();

const spinning = await buildProgram("tests/programs/faults/endless_loop.c");
const manyStates = await buildProgram("tests/programs/cli/many_states.c");

const inTempDir = tempDirs("isomc-signals-");

/** Starts `isomc check` and returns once the program runs and ~1 s more has passed. */
async function startChecking(
  program: string,
  options: readonly string[],
  cwd: string,
): Promise<{ child: Deno.ChildProcess; result: Promise<CliResult> }> {
  const run = startCli(["check", ...options, "--", program], { cwd });
  if (!await eventually(() => runningProgram(program).length > 0)) {
    run.child.kill("SIGKILL");
    assert.fail(`the checked program never started: ${JSON.stringify(await run.result)}`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  return run;
}

// ---- Item 7: the first signal stops a transition that never returns -------------------------

for (const restore of ["memory", "fork", "replay"]) {
  Deno.test(`--restore=${restore}: SIGINT while a transition spins stops the search within a second`, async () => {
    await inTempDir(async (dir) => {
      // A 60 s timeout: only the interrupt can end this transition in time.
      const run = await startChecking(spinning, ["--timeout=60", `--restore=${restore}`], dir);
      const sent = performance.now();
      run.child.kill("SIGINT");
      const r = await endsWithin(run, 20_000);
      const tookMs = performance.now() - sent;
      assertNothingLeft(spinning);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr, "");
      const out = lines(r.stdout);
      assert.equal(
        out[0],
        "isomc: incomplete: interrupted; no violation in the 0 executions explored.",
      );
      assert.match(out[1], /^Explored 0 executions, 1 state, 0 transitions, max depth 0, /);
      // "Within a second" on an idle machine; a loaded one gets some slack, never 60 s.
      assert.ok(tookMs < 5000, `the checker took ${Math.round(tookMs)} ms to stop`);
    });
  });
}

Deno.test("SIGTERM while a transition spins: the same stop, in JSON", async () => {
  await inTempDir(async (dir) => {
    const run = await startChecking(spinning, ["--json", "--timeout=60"], dir);
    run.child.kill("SIGTERM");
    const r = await endsWithin(run, 20_000);
    assertNothingLeft(spinning);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr, "");
    const j = JSON.parse(r.stdout);
    assert.equal(j.verdict, "incomplete");
    assert.equal(j.incomplete, "interrupted");
    assert.equal(j.violation, null);
    assert.equal(j.stats.executions, 0);
    assert.equal(j.trace_file, null);
  });
});

// ---- A second signal: at once, one line, an error object with --json -----------------------

/**
 * Two signals sent together: both are pending when the checker looks, so one asks for the clean
 * stop and the other ends the checker at once; which one comes second is the event loop's
 * choice. (Two SIGINTs would merge into one while pending: the two are of different kinds.)
 * Returns the one the checker says came second, checking that the exit status is its own.
 */
/**
 * Sends `signals` to `pid` so that they are all pending at once: stopped meanwhile, the checker
 * cannot have handled the first (and ended) before the next is sent, however busy the machine.
 * Under script(1), the stop is propagated: script stops itself when its child stops, and
 * continues the child when it is continued; so `script` (its pid) is the one continued.
 */
async function signalTogether(
  pid: number,
  signals: readonly Deno.Signal[],
  script?: number,
): Promise<void> {
  Deno.kill(pid, "SIGSTOP");
  try {
    for (const s of signals) Deno.kill(pid, s);
  } finally {
    if (script !== undefined) {
      await eventually(() => processState(script) === "T", 5000);
      Deno.kill(script, "SIGCONT");
    }
    Deno.kill(pid, "SIGCONT");
  }
}

/** The state letter of process `pid` (R, S, T, Z...), "" once it is gone. */
function processState(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /s, "")[0];
  } catch {
    return "";
  }
}

function secondSignal(code: number): "SIGINT" | "SIGTERM" {
  assert.ok(code === 130 || code === 143, `exit ${code}: not 128 + SIGINT or SIGTERM`);
  return code === 130 ? "SIGINT" : "SIGTERM";
}

Deno.test("two signals: the second ends the checker at once, one line, a JSON error object", async () => {
  await inTempDir(async (dir) => {
    const run = await startChecking(spinning, ["--json", "--timeout=60"], dir);
    await signalTogether(run.child.pid, ["SIGINT", "SIGTERM"]);
    const r = await endsWithin(run, 20_000);
    assertNothingLeft(spinning);
    const message = `stopped at once by a second ${secondSignal(r.code)}, without a report`;
    assert.equal(r.stderr, `isomc: ${message}\n`);
    assert.deepEqual(JSON.parse(r.stdout), {
      verdict: "error",
      error: { kind: "interrupted", message },
      exit: r.code,
    });
  });
});

// ---- On a terminal: the progress line -------------------------------------------------------

/** `isomc check` under a pseudo-terminal (script(1)): its stdout and stderr, as one stream. */
function startOnTerminal(
  options: readonly string[],
  program: string,
  cwd: string,
): { child: Deno.ChildProcess; output: () => string; ended: Promise<number> } {
  const command = [Deno.execPath(), "run", "-A", cli, "check", ...options, "--", program]
    .map((w) => `'${w}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qefc", command, "/dev/null"],
    cwd,
    stdin: "piped", // script reads the terminal's input from here; it must not see EOF
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pumped = (async () => {
    for await (const chunk of child.stdout) text += decoder.decode(chunk, { stream: true });
  })();
  const ended = Promise.all([child.status, pumped]).then(([s]) => s.code);
  return { child, output: () => text, ended };
}

/** The checker's pid: the deno process running cli.ts on `program`. */
function checkerOf(program: string): number {
  const found = processes().filter((p) =>
    p.state !== "Z" && p.argv.includes(cli) && p.argv.includes(program)
  );
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0].pid;
}

const progressLine =
  /isomc: [\d,]+ distinct states \([\d,]+ revisits pruned\), [\d,]+ transitions, depth \d+, [\d,]+ transitions\/s, \d+ s/;

async function onTerminal(
  options: readonly string[],
  signals: readonly Deno.Signal[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const run = startOnTerminal(options, manyStates, cwd);
  try {
    assert.ok(
      await eventually(() => runningProgram(manyStates).length > 0, 20_000),
      "the program never started",
    );
    // The search has run a while: with a progress line, it has been shown.
    await new Promise((r) => setTimeout(r, 1500));
    const pid = checkerOf(manyStates);
    if (signals.length === 1) Deno.kill(pid, signals[0]);
    else await signalTogether(pid, signals, run.child.pid);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const code = await Promise.race([
      run.ended,
      new Promise<number>((resolve) => timer = setTimeout(() => resolve(-1), 20_000)),
    ]);
    clearTimeout(timer);
    if (code === -1) {
      Deno.kill(pid, "SIGKILL");
      assert.fail("the checker did not end after the signal");
    }
    return { code, output: run.output() };
  } finally {
    try {
      run.child.stdin.close();
    } catch {
      // closed already
    }
    await run.ended;
    assertNothingLeft(manyStates);
  }
}

Deno.test("on a terminal, --visited: the progress line counts states and is erased before the report", async () => {
  await inTempDir(async (dir) => {
    const { code, output } = await onTerminal(["--reduction=none"], ["SIGINT"], dir);
    assert.equal(code, 3, output);
    const at = output.lastIndexOf("\r\x1b[2K");
    assert.ok(at > 0, `no progress line: ${JSON.stringify(output)}`);
    assert.match(output.slice(0, at), new RegExp(`${progressLine.source}$`));
    // The erased line is followed by the report, from the start of the line.
    assert.match(
      output.slice(at + 5),
      /^isomc: incomplete: interrupted; no violation in the [\d,]+ distinct states explored\.\r\n/,
    );
  });
});

Deno.test("on a terminal, a second signal erases the progress line, then says why it stopped", async () => {
  await inTempDir(async (dir) => {
    const { code, output } = await onTerminal(["--reduction=none"], ["SIGINT", "SIGTERM"], dir);
    const signal = secondSignal(code);
    assert.match(
      output,
      new RegExp(
        `${progressLine.source}\\r\\x1b\\[2Kisomc: stopped at once by a second ${signal}, without a report\\r\\n$`,
      ),
    );
  });
});

Deno.test("on a terminal, --json shows no progress line: stdout and stderr hold the JSON alone", async () => {
  await inTempDir(async (dir) => {
    const { code, output } = await onTerminal(["--json", "--reduction=none"], ["SIGINT"], dir);
    assert.equal(code, 3, output);
    assert.ok(!output.includes("\x1b[2K"), "a progress line was shown");
    const j = JSON.parse(output);
    assert.equal(j.incomplete, "interrupted");
    assert.ok(j.stats.states > 1);
  });
});
