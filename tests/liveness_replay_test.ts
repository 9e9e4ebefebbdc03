/**
 * Lassos replayed (issue 9, counterexamples): `isomc replay` runs the prefix and the cycle twice
 * under the checker's control and compares state hashes (exit 1 when the cycle comes back to
 * its first state, 3 when it does not, 2 when the trace does not fit); under ISOMC_REPLAY alone
 * the program runs the prefix, then the cycle ISOMC_REPLAY_CYCLES times, and stops with abort(),
 * so that gdb shows it there. Also: Ctrl-C during a liveness search, and its progress line.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { progressText } from "../lib/report/progress.ts";
import { newStats } from "../lib/explore/result.ts";
import { buildProgram } from "./support/build.ts";
import {
  type CliResult,
  endsWithin,
  eventually,
  lines,
  liveProcessesOf,
  runCli,
  runningProgram,
  startCli,
  strayChildren,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const programs = "tests/programs/liveness/";

const inTempDir = tempDirs("isomc-lasso-replay-");

/** The lasso `isomc check` finds for `formula`, written to `dir`/trace.json. */
async function lassoTrace(dir: string, program: string, formula: string): Promise<string> {
  const trace = join(dir, "trace.json");
  const r = await runCli(["check", `--ltl=${formula}`, `--trace-out=${trace}`, "--", program]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  return trace;
}

interface TraceJson {
  violation: { cycle_start: number; [key: string]: unknown };
  steps: { actor: number; propositions?: Record<string, number> }[];
  [key: string]: unknown;
}

function edit(path: string, change: (t: TraceJson) => void): void {
  const t = JSON.parse(Deno.readTextFileSync(path)) as TraceJson;
  change(t);
  Deno.writeTextFileSync(path, JSON.stringify(t));
}

function last(r: CliResult): string {
  return lines(r.stderr).at(-1) ?? "";
}

Deno.test("isomc replay: a lasso's cycle comes back to its first state twice (exit 1), with its log", async () => {
  const program = await buildProgram(`${programs}spin_flag.c`);
  await inTempDir(async (dir) => {
    const trace = await lassoTrace(dir, program, "F seen");
    const t = JSON.parse(Deno.readTextFileSync(trace)) as TraceJson;
    const start = t.violation.cycle_start;
    const r = await runCli(["replay", trace, "--", program]);
    assert.equal(r.code, 1, r.stderr);
    const log = lines(r.stderr);
    assert.equal(log[0], "[isomc]    initially: seen=0");
    assert.ok(
      log.includes(`[isomc] --- the cycle repeats from step ${start + 1} (round 1 of 2) ---`),
    );
    assert.ok(
      log.includes(`[isomc] --- the cycle repeats from step ${start + 1} (round 2 of 2) ---`),
    );
    // The prefix once, the cycle twice: every step numbered, with the propositions.
    const steps = log.filter((l) => /^\[isomc\] \d+\. /.test(l));
    assert.equal(steps.length, start + 2 * (t.steps.length - start));
    assert.ok(steps.every((l) => l.endsWith("    [seen=0]")), steps.join("\n"));
    assert.match(
      last(r),
      new RegExp(
        `^isomc: replay reproduced the liveness violation: the cycle \\(steps ${
          start + 1
        }..${t.steps.length}\\) came back to the state it started from, 2 times out of 2 \\(state 0x[0-9a-f]+\\)$`,
      ),
    );
    const quiet = await runCli(["replay", "--quiet", trace, "--", program]);
    assert.equal(quiet.code, 1);
    assert.equal(lines(quiet.stderr).length, 1, quiet.stderr);
  });
});

Deno.test("isomc replay: a run that ends repeats its last state (exit 1); a cycle that does not come back, exit 3", async () => {
  const ends = await buildProgram(`${programs}ends.c`);
  const spin = await buildProgram(`${programs}spin_flag.c`);
  await inTempDir(async (dir) => {
    const trace = await lassoTrace(dir, ends, "F done");
    const r = await runCli(["replay", "--quiet", trace, "--", ends]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      last(r),
      "isomc: replay reproduced the liveness violation: the run ends after the trace's 4 steps: its last state repeats forever",
    );
    // The cycle made one step longer: after it the spinner is at its yield, not its load.
    const spinning = await lassoTrace(dir, spin, "F seen");
    edit(spinning, (t) => {
      t.steps = [{ actor: 1 }, { actor: 1 }, { actor: 1 }];
      t.violation.cycle_start = 0;
    });
    const other = await runCli(["replay", "--quiet", spinning, "--", spin]);
    assert.equal(other.code, 3, other.stderr);
    assert.equal(
      last(other),
      "isomc: after the cycle (steps 1..3) the program is not in the state the cycle started from: the state did not repeat; the recorded liveness did not happen",
    );
    // A recorded value the program does not give: not that lasso.
    const wrong = await lassoTrace(dir, spin, "F seen");
    edit(wrong, (t) => t.steps[0].propositions = { seen: 1 });
    const mismatch = await runCli(["replay", "--quiet", wrong, "--", spin]);
    assert.equal(mismatch.code, 3);
    assert.match(last(mismatch), /^isomc: step 1 leads to seen=0, the trace recorded seen=1; /);
    // A step the program cannot take: the trace is another program's (exit 2).
    const misfit = await lassoTrace(dir, spin, "F seen");
    edit(misfit, (t) => t.steps[0] = { actor: 7 });
    const refused = await runCli(["replay", "--quiet", misfit, "--", spin]);
    assert.equal(refused.code, 2);
    assert.deepEqual(lines(refused.stderr), [
      "isomc: the trace does not fit this program: step 1: actor 7 has no step to take",
    ]);
  });
});

function cleanEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("ISOMC_") && name !== "ISOMC_ZIG" && name !== "ISOMC_ROOT") {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

const text = new TextDecoder();

async function alone(
  program: string,
  args: readonly string[],
  env: Record<string, string>,
  command = program,
): Promise<{ code: number; signal: Deno.Signal | null; stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, {
    args: [...args],
    env: cleanEnv(env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

Deno.test("ISOMC_REPLAY of a lasso: the prefix, the cycle ISOMC_REPLAY_CYCLES times, then abort()", async () => {
  const program = await buildProgram(`${programs}spin_flag.c`);
  await inTempDir(async (dir) => {
    const trace = await lassoTrace(dir, program, "F seen");
    const t = JSON.parse(Deno.readTextFileSync(trace)) as TraceJson;
    const start = t.violation.cycle_start;
    const cycle = t.steps.length - start;
    const report = join(dir, "report.json");
    const r = await alone(program, [], {
      ISOMC_REPLAY: trace,
      ISOMC_REPLAY_CYCLES: "2",
      ISOMC_REPORT: report,
    });
    assert.equal(r.signal, "SIGABRT", r.stderr);
    const log = lines(r.stderr);
    assert.equal(log[0], "[isomc]    initially: seen=0");
    const rounds = log.filter((l) => l.startsWith("[isomc] --- the cycle repeats"));
    assert.deepEqual(rounds, [
      `[isomc] --- the cycle repeats from step ${start + 1} (round 1 of 2) ---`,
      `[isomc] --- the cycle repeats from step ${start + 1} (round 2 of 2) ---`,
    ]);
    const steps = log.filter((l) => /^\[isomc\] \d+\. /.test(l));
    assert.equal(steps.length, start + 2 * cycle);
    // Each step is followed by the propositions' values in the state it leads to.
    assert.equal(log.filter((l) => l === "[isomc]    -> seen=0").length, steps.length);
    const prefix = `${start} step${start === 1 ? "" : "s"}`;
    const message = `the prefix (${prefix}) and the cycle (steps ${
      start + 1
    }..${t.steps.length}) 2 times (ISOMC_REPLAY_CYCLES) are done: the cycle repeats forever`;
    assert.equal(log.at(-1), `isomc: liveness: ${message} (step ${start + 2 * cycle})`);
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(report)), {
      kind: "liveness",
      steps: start + 2 * cycle,
      actor: "",
      message,
    });
    // The default is 3 rounds; a value that is not a count is refused (exit 2).
    const three = await alone(program, [], { ISOMC_REPLAY: trace, ISOMC_VERBOSE: "0" });
    assert.equal(three.signal, "SIGABRT");
    assert.match(lines(three.stderr).at(-1)!, / 3 times \(ISOMC_REPLAY_CYCLES\) are done/);
    const bad = await alone(program, [], { ISOMC_REPLAY: trace, ISOMC_REPLAY_CYCLES: "many" });
    assert.equal(bad.code, 2);
    assert.deepEqual(lines(bad.stderr), [
      "isomc: ISOMC_REPLAY_CYCLES: 'many' is not a number of cycles (0, 1, 2...)",
    ]);
  });
});

function onPath(command: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(join(dir === "" ? "." : dir, command)).isFile) return true;
    } catch {
      // not there
    }
  }
  return false;
}

Deno.test({
  name: "gdb: a replayed lasso stops after its cycles, in the runtime, with the actors' stacks",
  ignore: !onPath("gdb"),
  fn: async () => {
    const program = await buildProgram(`${programs}spin_flag.c`);
    await inTempDir(async (dir) => {
      const trace = await lassoTrace(dir, program, "F seen");
      const r = await alone(
        "gdb",
        ["-nx", "-batch", "-ex", "run", "-ex", "bt", "--args", program],
        { ISOMC_REPLAY: trace, ISOMC_REPLAY_CYCLES: "1", DEBUGINFOD_URLS: "" },
        "gdb",
      );
      assert.match(r.stdout, /Program received signal SIGABRT/);
      assert.match(r.stdout, /lassoDone/);
      assert.match(r.stdout + r.stderr, /isomc: liveness: the prefix/);
    });
  },
});

Deno.test("Ctrl-C during a liveness search: interrupted, exit 3, product states so far, nothing left", async () => {
  const program = await buildProgram(`${programs}counters.c`);
  await inTempDir(async (dir) => {
    // 50^3 states: far more than a second's worth.
    const run = startCli(["check", "--ltl=G !wrapped_all", "--", program, "50"], { cwd: dir });
    assert.ok(await eventually(() => runningProgram(program).length > 0), "never started");
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill("SIGINT");
    const r = await endsWithin(run, 30_000);
    assert.equal(r.code, 3, r.stderr);
    const out = lines(r.stdout);
    const m = out[0].match(
      /^isomc: incomplete: interrupted; no violation of G !wrapped_all in the ([\d,]+) product states explored\.$/,
    );
    assert.ok(m !== null, r.stdout);
    assert.match(out[1], new RegExp(`^Explored ${m[1]} product states \\(`));
    assert.ok(await eventually(() => liveProcessesOf(program).length === 0));
    assert.deepEqual(strayChildren(), []);
  });
});

Deno.test("the progress line of a liveness search counts product and program states", () => {
  const stats = { ...newStats(), states: 12_345, transitions: 20_000, maxDepth: 40, seconds: 2 };
  assert.equal(
    progressText({ ...stats, programStates: 6_000 } as typeof stats, "product"),
    "isomc: 12,345 product states (6,000 program states), 20,000 transitions, depth 40, 10,000 transitions/s, 2 s",
  );
});
