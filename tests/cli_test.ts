/**
 * The CLI's contract (issue section 4), through the real CLI: help for every command, the exit
 * codes 0/1/2/3, `--json` as one JSON object alone on stdout, and the human report's numbered
 * counterexample steps.
 */

import assert from "node:assert/strict";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import {
  becomeSubreaper,
  type CliResult,
  lines,
  liveProcessesOf,
  runCli,
  strayChildren,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const philosophersSource = here("../examples/philosophers.c");
const cliPrograms = here("./programs/cli/");
const cliPath = here("../cli.ts");

/** The number of the first line of `path` that holds `text`. */
function lineOf(path: string, text: string): number {
  const n = Deno.readTextFileSync(path).split("\n").findIndex((l) => l.includes(text)) + 1;
  assert.ok(n > 0, `${text} in ${path}`);
  return n;
}

becomeSubreaper();

const inTempDir = tempDirs("isomc-cli-");

async function check(program: string, options: readonly string[], cwd: string): Promise<CliResult> {
  const r = await runCli(["check", ...options, "--", program], { cwd });
  assert.deepEqual(liveProcessesOf(program), []);
  assert.deepEqual(strayChildren(), []);
  return r;
}

// ---- Help ---------------------------------------------------------------------------------

const helpCases: { args: string[]; mentions: string[] }[] = [
  {
    args: ["--help"],
    mentions: ["isomc demo", "isomc cc", "isomc check", "isomc replay", "isomc help", "Exit codes"],
  },
  { args: ["-h"], mentions: ["Usage:"] },
  {
    args: ["check", "--help"],
    mentions: [
      "--reduction=",
      "--max-depth=N",
      "--max-executions=N",
      "--timeout=SECONDS",
      "--json",
      "--trace-out=FILE",
      "--show-output",
      "--every-end",
      "--snapshot-spacing=N",
      "--max-checkpoints=N",
      "--exact-compare",
      "--ltl=FORMULA",
      "--never=FILE",
      "--non-progress",
      "--fairness=KIND",
      "--no-deadlock",
      "-h, --help",
      "Exit codes",
    ],
  },
  { args: ["check", "-h"], mentions: ["Usage: isomc check"] },
  {
    args: ["replay", "--help"],
    mentions: [
      "Usage: isomc replay",
      "--quiet",
      "--timeout=SECONDS",
      "ISOMC_REPLAY=TRACE gdb",
      "ISOMC_REPLAY_CYCLES",
      "Exit codes",
    ],
  },
  { args: ["cc", "--help"], mentions: ["Usage: isomc cc", "-o APP", "-fsanitize"] },
  { args: ["demo", "--help"], mentions: ["Usage: isomc demo", "philosophers"] },
  { args: ["help", "check"], mentions: ["Usage: isomc check", "--max-depth=N"] },
  { args: ["help", "replay"], mentions: ["Usage: isomc replay"] },
  { args: ["help", "cc"], mentions: ["Usage: isomc cc"] },
  { args: ["help", "demo"], mentions: ["Usage: isomc demo"] },
];

for (const { args, mentions } of helpCases) {
  Deno.test(`isomc ${args.join(" ")}: exit 0, help on stdout with its options`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    for (const m of mentions) assert.ok(r.stdout.includes(m), `no '${m}' in:\n${r.stdout}`);
  });
}

Deno.test("isomc with no arguments: exit 2, the usage on stderr, nothing on stdout", async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^isomc \S+ — /);
  assert.ok(r.stderr.includes("isomc check [options] -- PROGRAM [ARGS]"));
});

Deno.test("isomc --version: exit 0, one line", async () => {
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^isomc \d+\.\d+\.\d+\n$/);
});

// ---- Exit codes and --json ----------------------------------------------------------------

interface JsonReport {
  verdict: "ok" | "violation" | "incomplete";
  violation: { kind: string; message: string; actor: string | null } | null;
  stats: {
    executions: number;
    states: number;
    transitions: number;
    max_depth: number;
    seconds: number;
    replayed_transitions?: number;
    /** --restore=memory only. */
    state?: { ends_run: number; ends_reused: number; ends_looked_up: number };
  };
  trace: { step: number; actor: number; choice: number; actor_name: string; transition: string }[];
}

/** stdout holds one JSON object and nothing else: one line that parses, with the documented keys. */
function onlyJson(r: CliResult): JsonReport {
  const out = lines(r.stdout);
  assert.equal(out.length, 1, `stdout has ${out.length} lines:\n${r.stdout}`);
  assert.ok(r.stdout.endsWith("}\n"));
  const j = JSON.parse(out[0]);
  assert.equal(typeof j, "object");
  for (const key of ["verdict", "violation", "stats", "trace"]) assert.ok(key in j, `no ${key}`);
  for (const key of ["executions", "states", "transitions", "max_depth", "seconds"]) {
    assert.equal(typeof j.stats[key], "number", `stats.${key}`);
  }
  assert.ok(Array.isArray(j.trace));
  return j as JsonReport;
}

Deno.test("exit 0 and verdict ok: a program without violation, exact count", async () => {
  const program = await buildProgram(`${cliPrograms}two_yields.c`);
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json", "--reduction=none", "--no-visited"], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const j = onlyJson(r);
    assert.equal(j.verdict, "ok");
    assert.equal(j.violation, null);
    assert.deepEqual(j.trace, []);
    assert.equal(j.stats.executions, 6);
    assert.equal(j.stats.max_depth, 4);

    const human = await check(program, ["--reduction=none", "--no-visited"], dir);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^isomc: no violation in 6 executions\.\nExplored 6 executions, /);
    // No violation, no trace file.
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("exit 1 and verdict violation: the deadlock of the philosophers, in JSON", async () => {
  const program = await buildProgram(philosophersSource);
  await inTempDir(async (dir) => {
    const r = await check(program, [
      "--json",
      "--reduction=none",
      "--no-visited",
      "--trace-out=out.json",
    ], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, "");
    const j = onlyJson(r);
    assert.equal(j.verdict, "violation");
    assert.equal(j.violation?.kind, "deadlock");
    assert.equal(j.violation?.actor, null);
    assert.match(j.violation?.message ?? "", /^every unfinished actor is blocked: /);
    assert.deepEqual(
      j.trace.map((s) => [s.step, s.actor_name, s.transition]),
      [
        [1, "philosopher-0", "mutex_lock(mutex 1)"],
        [2, "philosopher-1", "mutex_lock(mutex 2)"],
        [3, "philosopher-2", "mutex_lock(mutex 3)"],
      ],
    );
    // The trace file holds the same steps; replaying it reproduces the deadlock (exit 1).
    const trace = JSON.parse(await Deno.readTextFile(`${dir}/out.json`));
    assert.deepEqual(trace.steps, j.trace);
    const replay = await runCli(["replay", "--quiet", "out.json", "--", program], { cwd: dir });
    assert.equal(replay.code, 1, replay.stderr);
    assert.match(lines(replay.stderr).at(-1) ?? "", /^isomc: replay reproduced the deadlock: /);
    assert.deepEqual(liveProcessesOf(program), []);
  });
});

Deno.test("--json --show-output: the program's output goes to stderr, stdout keeps the JSON alone", async () => {
  const program = await buildProgram(`${cliPrograms}bad_value.c`);
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json", "--show-output", "--reduction=none"], dir);
    assert.equal(r.code, 1, r.stderr);
    const j = onlyJson(r);
    assert.equal(j.violation?.kind, "assertion");
    assert.deepEqual(lines(r.stderr), ["picked 0", "picked 1", "picked 2"]);
  });
});

Deno.test("--every-end and --snapshot-spacing change what the JSON statistics count", async () => {
  const program = await buildProgram(`${cliPrograms}two_yields.c`);
  await inTempDir(async (dir) => {
    const state = async (extra: string[]) => {
      const r = await check(program, ["--json", "--reduction=none", "--no-visited", ...extra], dir);
      assert.equal(r.code, 0, r.stderr);
      const j = onlyJson(r);
      assert.ok(j.stats.state !== undefined, "stats.state with --restore=memory");
      return {
        executions: j.stats.executions,
        replayed: j.stats.replayed_transitions,
        ...j.stats.state,
      };
    };
    const plain = await state([]);
    const every = await state(["--every-end", "--snapshot-spacing=1"]);
    assert.equal(every.executions, plain.executions);
    // Every execution ends in the same state: its end runs once, or every time when asked.
    assert.deepEqual([plain.ends_run, plain.ends_reused], [1, plain.executions - 1]);
    assert.deepEqual([every.ends_run, every.ends_reused], [every.executions, 0]);
    // A snapshot at every branching point: nothing is ever replayed.
    assert.equal(every.replayed, 0);
  });
});

Deno.test("exit 3 and verdict incomplete: a limit reached, in JSON and in words", async () => {
  const program = await buildProgram(philosophersSource);
  await inTempDir(async (dir) => {
    const r = await check(program, [
      "--json",
      "--reduction=none",
      "--no-visited",
      "--max-executions=1",
    ], dir);
    assert.equal(r.code, 3, r.stderr);
    const j = onlyJson(r);
    assert.equal(j.verdict, "incomplete");
    assert.equal(j.stats.executions, 1);
    assert.equal(j.violation, null);

    const human = await check(program, ["--reduction=none", "--no-visited", "--max-depth=2"], dir);
    assert.equal(human.code, 3);
    assert.match(
      human.stdout,
      /^isomc: incomplete: some executions were cut at --max-depth; no violation in the [\d,]+ executions explored\./,
    );
  });
});

Deno.test("exit 2: usage and input errors print one line on stderr; with --json, one error object on stdout", async () => {
  await inTempDir(async (dir) => {
    const cases: { args: string[]; kind: string | null; message: RegExp }[] = [
      { args: ["check", "--json", "--", "./missing"], kind: "input", message: /no such file$/ },
      {
        args: ["check", "--json", "--bogus", "--", "./missing"],
        kind: "usage",
        message: /unknown option '--bogus'/,
      },
      { args: ["replay", "missing.json", "--", "./missing"], kind: null, message: /no such file$/ },
    ];
    for (const { args, kind, message } of cases) {
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /^isomc: /);
      if (kind === null) {
        assert.equal(r.stdout, "", args.join(" "));
        continue;
      }
      const out = lines(r.stdout);
      assert.equal(out.length, 1, r.stdout);
      const j = JSON.parse(out[0]);
      assert.deepEqual(Object.keys(j), ["verdict", "error", "exit"]);
      assert.equal(j.verdict, "error");
      assert.equal(j.error.kind, kind);
      assert.match(j.error.message, message);
      assert.equal(`isomc: ${j.error.message}\n`, r.stderr);
      assert.equal(j.exit, 2);
    }
  });
});

// ---- The human report ---------------------------------------------------------------------

Deno.test("the human report: verdict, numbered steps 'N. actor: transition', stats, replay hint", async () => {
  const program = await buildProgram(`${cliPrograms}bad_value.c`);
  await inTempDir(async (dir) => {
    const r = await check(program, ["--reduction=none", "--no-visited"], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, "");
    const out = lines(r.stdout);
    assert.equal(out[0], "isomc: violation found: assertion in picker");
    assert.match(
      out[1],
      /^ {2}two is not allowed \(isomc_assert_msg\(v != 2\) at .*bad_value\.c:\d+\)$/,
    );
    assert.equal(out[2], "");
    assert.equal(out[3], "Counterexample (1 step):");
    // Each step says the line that made it.
    const random = lineOf(`${cliPrograms}bad_value.c`, "isomc_random(0, 2);");
    assert.equal(out[4], `  1. picker: random(0, 2) = 2   bad_value.c:${random}`);
    assert.match(out[5], /^ {5}=> assertion: two is not allowed/);
    assert.match(
      out.find((l) => l.startsWith("Explored ")) ?? "",
      /^Explored 3 executions, 4 states, 3 transitions, max depth 1, /,
    );
    // The trace is named after the program; the hint is the command as it was run.
    const trace = `${basename(program)}.isomc-trace.json`;
    assert.ok(out.includes(`Trace written to ${trace}. Replay it outside the checker:`));
    assert.ok(out.includes(`  deno run -A ${cliPath} replay ${trace} -- ${program}`));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [trace]);
  });
});

Deno.test("the human report numbers every step of a longer counterexample in order", async () => {
  const program = await buildProgram(philosophersSource);
  await inTempDir(async (dir) => {
    const r = await check(program, ["--reduction=none", "--no-visited"], dir);
    assert.equal(r.code, 1);
    const steps = lines(r.stdout).filter((l) => /^\s+\d+\. /.test(l));
    const left = lineOf(philosophersSource, "isomc_mutex_lock(left);");
    const right = lineOf(philosophersSource, "isomc_mutex_lock(right);");
    assert.deepEqual(steps, [
      `  1. philosopher-0: mutex_lock(mutex 1)   philosophers.c:${left}`,
      `  2. philosopher-1: mutex_lock(mutex 2)   philosophers.c:${left}`,
      `  3. philosopher-2: mutex_lock(mutex 3)   philosophers.c:${left}`,
    ]);
    assert.match(
      r.stdout,
      /^isomc: violation found: deadlock\n {2}every unfinished actor is blocked:\n/,
    );
    assert.ok(
      lines(r.stdout).includes(
        `    philosopher-0 waits at mutex_lock(mutex 2) (philosophers.c:${right}): the mutex is held by philosopher-1`,
      ),
      r.stdout,
    );
  });
});
