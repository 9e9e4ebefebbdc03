/**
 * Liveness checking of real programs (issue 9): propositions read from the program's memory
 * (isomc_prop), progress markers (isomc_progress), `isomc check --ltl / --never /
 * --non-progress` with weak fairness, stuttering finite runs and deadlocks, the lasso in the
 * reports and the trace file, the options refused with it, and the misuses of isomc_prop. The
 * programs are in tests/programs/liveness/, each deriving its verdict in its header.
 *
 * Counts: the runtime's memory is canonical (docs/state.md: the entry stubs clear the stack below
 * each API call and the scratch registers), so a loop's rounds come back to equal states and the
 * counts are the ones the headers derive. (Before it, stale words in the actors' live frames told
 * apart equal states: spin_flag had 3 states where it has 2.)
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check, type CheckResult, type LivenessCheck } from "../lib/check.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import { nonProgressAutomaton } from "../lib/liveness/progress.ts";
import type { Fairness } from "../lib/liveness/search.ts";
import { lassoTrace } from "../lib/liveness/lasso.ts";
import { actorName, describeTransition } from "../lib/model/transition.ts";
import { readTrace } from "../lib/report/trace.ts";
import { buildProgram } from "./support/build.ts";
import { type CliResult, lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const programs = "tests/programs/liveness/";

async function build(name: string, flags: readonly string[] = []): Promise<string> {
  return await buildProgram(`${programs}${name}.c`, flags);
}

function ltl(
  formula: string,
  fairness: Fairness = "none",
  deadlockIsFinite = false,
): LivenessCheck {
  return {
    kind: "liveness",
    automaton: translateNegation(parseLtl(formula)),
    formula,
    fairness,
    deadlockIsFinite,
  };
}

const nonProgress = (fairness: Fairness = "none"): LivenessCheck => ({
  kind: "non-progress",
  automaton: nonProgressAutomaton(),
  formula: "G F @progress",
  fairness,
});

async function live(
  program: string,
  property: LivenessCheck,
  args: string[] = [],
): Promise<CheckResult> {
  return await check(program, args, { liveness: property });
}

/** The lasso as "actor: transition" lines, and where its cycle starts. */
function lassoShape(r: CheckResult): { steps: string[]; cycleStart: number; stutter: boolean } {
  const lasso = r.liveness?.lasso;
  assert.ok(lasso, `no lasso: ${r.verdict} ${r.violation?.message ?? ""}`);
  const { trace, cycleStart } = lassoTrace(lasso);
  return {
    steps: trace.map((s) =>
      `${actorName(r.names, s.step.actor)}: ${
        describeTransition(s.transition, r.names, s.step.choice)
      }`
    ),
    cycleStart,
    stutter: lasso.stutter,
  };
}

function counts(r: CheckResult): { product: number; program: number } {
  const s = r.liveness!.stats;
  return { product: s.states, program: s.programStates };
}

const inTempDir = tempDirs("isomc-liveness-");

// ---- Verdicts, fairness, stuttering, deadlocks, non-progress -------------------------------

Deno.test("F seen while a spinner waits for a flag: a lasso without fairness, holds under weak fairness", async () => {
  const program = await build("spin_flag");
  const r = await live(program, ltl("F seen"));
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation, null);
  const s = lassoShape(r);
  // The spinner's load and yield forever, the setter never moving.
  assert.deepEqual(s.steps.slice(s.cycleStart), ["spinner: load(flag)", "spinner: yield()"]);
  assert.equal(s.cycleStart, 0);
  assert.ok(r.liveness!.lasso!.cycle.every((c) => c.after.propositions.every((v) => !v)));
  assert.deepEqual(counts(r), { product: 2, program: 2 });

  const fair = await live(program, ltl("F seen", "weak"));
  assert.equal(fair.verdict, "ok", fair.violation?.message);
  assert.equal(fair.liveness!.lasso, null);
  // (spinner at load | at yield) x (setter before | after its store), then the spinner past
  // its loop (seen = 1, where the automaton stops): 5.
  assert.deepEqual(counts(fair), { product: 5, program: 5 });
});

Deno.test("starvation at a mutex taken in a loop: F b_done fails without fairness and under weak fairness", async () => {
  const program = await build("mutex_loop");
  for (const fairness of ["none", "weak"] as const) {
    const r = await live(program, ltl("F b_done", fairness));
    assert.equal(r.verdict, "violation", fairness);
    const s = lassoShape(r);
    const cycle = s.steps.slice(s.cycleStart);
    // Only A moves in the cycle; B, at its lock, is disabled whenever A holds m.
    assert.ok(cycle.every((l) => l.startsWith("A: ")), cycle.join("; "));
    assert.deepEqual(cycle.map((l) => l.replace(/\(.*\)/, "")).sort(), [
      "A: mutex_lock",
      "A: mutex_unlock",
    ]);
    assert.equal(counts(r).product, 2, fairness);
  }
});

Deno.test("a run that ends stutters: F done fails on it, F started and G F finished hold", async () => {
  const program = await build("ends");
  const r = await live(program, ltl("F done"));
  assert.equal(r.verdict, "violation");
  const s = lassoShape(r);
  // The depth-first search's first run, w1's two steps then w2's, and its end forever.
  assert.deepEqual(s.steps, [
    "w1: fetch_add(count, 1)",
    "w1: fetch_add(count, 1)",
    "w2: fetch_add(count, 1)",
    "w2: fetch_add(count, 1)",
  ]);
  assert.equal(s.cycleStart, 4);
  assert.ok(s.stutter);
  // Its 4 states and the terminal one.
  assert.deepEqual(counts(r), { product: 5, program: 5 });

  // started holds in the initial state: the automaton of G !started stops there.
  const started = await live(program, ltl("F started"));
  assert.equal(started.verdict, "ok");
  assert.deepEqual(counts(started), { product: 1, program: 1 });
  // 3 x 3 interleavings of two actors of two steps; the 8 before the end in both automaton
  // states of F G !finished, the end (finished) in the first only: 17 product states.
  const finished = await live(program, ltl("G F finished"));
  assert.equal(finished.verdict, "ok");
  assert.deepEqual(counts(finished), { product: 17, program: 9 });
});

Deno.test("a deadlock met by a liveness search is reported; with --no-deadlock it is a run that ends", async () => {
  const program = await build("deadlock");
  const r = await live(program, ltl("G started"));
  assert.equal(r.verdict, "violation");
  assert.equal(r.liveness?.lasso, null);
  assert.equal(r.violation?.kind, "deadlock");
  assert.deepEqual(r.violation?.trace.map((s) => actorName(r.names, s.step.actor)), [
    "forward",
    "backward",
  ]);

  const finite = await live(program, ltl("G started", "none", true));
  assert.equal(finite.verdict, "ok", finite.violation?.message);
  assert.deepEqual(counts(finite), { product: 29, program: 29 });

  // F both: the deadlocked run ends without both actors through.
  const both = await live(program, ltl("F both", "none", true));
  const s = lassoShape(both);
  assert.ok(s.stutter);
  assert.deepEqual(s.steps, ["forward: mutex_lock(mutex 1)", "backward: mutex_lock(mutex 2)"]);
});

Deno.test("--non-progress: a livelock of two polite diners; none when every retry is marked", async () => {
  const r = await live(await build("livelock"), nonProgress());
  assert.equal(r.verdict, "violation");
  assert.equal(r.liveness?.kind, "non-progress");
  const s = lassoShape(r);
  // Each holds its own fork; left tries the other's, fails, puts its own back, takes it again.
  assert.deepEqual(s.steps, [
    "left: mutex_lock(mutex 1)",
    "right: mutex_lock(mutex 2)",
    "left: mutex_trylock(mutex 2) = 0",
    "left: mutex_unlock(mutex 1)",
    "left: mutex_lock(mutex 1)",
  ]);
  assert.equal(s.cycleStart, 2);
  assert.deepEqual(counts(r), { product: 6, program: 6 });
  // Both diners move in the livelock of weak fairness too.
  const fair = await live(await build("livelock"), nonProgress("weak"));
  assert.equal(fair.verdict, "violation");
  const cycle = lassoShape(fair);
  const movers = new Set(cycle.steps.slice(cycle.cycleStart).map((l) => l.split(":")[0]));
  assert.deepEqual([...movers].sort(), ["left", "right"]);

  // Every retry passes a marker, and a run that ends does not loop: no non-progress cycle. The
  // marker is part of the state: the same program states with and without it are two.
  const marked = await live(await build("livelock", ["-DPROGRESS_ON_RETRY"]), nonProgress());
  assert.equal(marked.verdict, "ok", marked.liveness?.lasso ? "a lasso" : "");
  assert.deepEqual(counts(marked), { product: 52, program: 30 });
});

Deno.test("isomc_prop misuse: a bad name, a keyword, twice, NULL, unaligned, after the first point", async () => {
  const program = await build("misuse");
  const cases: [string, RegExp, string][] = [
    ["name", /isomc_prop\("in cs"\): not a proposition name/, "main"],
    ["keyword", /isomc_prop\("F"\): not a proposition name/, "main"],
    ["twice", /isomc_prop\("x"\): the name is registered twice/, "main"],
    ["null", /isomc_prop\("x"\): the address is NULL/, "main"],
    ["unaligned", /isomc_prop\("x"\): the address 0x[0-9a-f]+ is not aligned for an int/, "main"],
    ["late", /isomc_prop\("late"\) after the first scheduling point/, "late"],
  ];
  for (const [how, message, who] of cases) {
    const r = await check(program, [how], { reduction: "none" });
    assert.equal(r.verdict, "violation", how);
    assert.equal(r.violation?.kind, "assertion", how);
    assert.match(r.violation!.message, /^API misuse: /, how);
    assert.match(r.violation!.message, message, how);
    assert.equal(actorName(r.names, r.violation!.actor), who, how);
  }
});

// ---- Through the CLI -----------------------------------------------------------------------

function json(r: CliResult): Record<string, unknown> {
  const text = r.stdout.trimEnd();
  assert.ok(!text.includes("\n"), r.stdout);
  return JSON.parse(text);
}

Deno.test("isomc check --ltl: the lasso in the report, the JSON and the trace file; exit 1", async () => {
  const program = await build("spin_flag");
  await inTempDir(async (dir) => {
    const tracePath = join(dir, "lasso.json");
    const r = await runCli([
      "check",
      "--json",
      "--ltl=F seen",
      `--trace-out=${tracePath}`,
      "--",
      program,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const report = json(r) as {
      verdict: string;
      property: unknown;
      violation: Record<string, unknown>;
      trace: {
        actor_name: string;
        transition: string;
        propositions: unknown;
        source?: string;
        location?: { file: string; line: number; function?: string };
      }[];
      stats: Record<string, number>;
      trace_file: string;
    };
    assert.equal(report.verdict, "violation");
    assert.deepEqual(report.property, { kind: "liveness", formula: "F seen", fairness: "none" });
    const v = report.violation;
    assert.equal(v.kind, "liveness");
    assert.equal(v.formula, "F seen");
    assert.equal(v.stutter, false);
    assert.equal(v.cycle_start, 0);
    assert.deepEqual(v.initial_propositions, { seen: 0 });
    assert.deepEqual(report.trace, v.trace);
    assert.deepEqual(
      report.trace.map((s) => [s.actor_name, s.transition, s.propositions]),
      [
        ["spinner", "load(flag)", { seen: 0 }],
        ["spinner", "yield()", { seen: 0 }],
      ],
    );
    assert.equal(report.stats.product_states, 2);
    assert.equal(report.stats.program_states, 2);
    assert.ok(report.stats.table_bytes > 0);
    assert.equal(report.stats.states, report.stats.product_states);
    assert.equal(report.trace_file, tracePath);
    // Each step says the line that made it: the spinner's loop (its load and its yield).
    for (const s of report.trace) {
      assert.equal(s.source, "spin_flag.c:10", s.transition);
      assert.equal(s.location?.line, 10);
      assert.equal(s.location?.function, "spinner");
    }

    // The trace file holds the same lasso.
    const trace = readTrace(tracePath);
    assert.equal(trace.violation?.kind, "liveness");
    assert.equal(trace.violation?.formula, "F seen");
    assert.equal(trace.violation?.cycle_start, v.cycle_start);
    assert.deepEqual(trace.violation?.initial_propositions, { seen: 0 });
    assert.deepEqual(trace.steps, report.trace);
    assert.equal(trace.violation?.fairness, "none");
    assert.deepEqual(trace.actors?.map((a) => a.name), ["spinner", "setter"]);
    assert.equal(trace.stats?.product_states, report.stats.product_states);

    // The human report: numbered steps with the propositions, the cycle's marker.
    const human = await runCli(["check", "--ltl=F seen", "--trace-out", tracePath, "--", program]);
    assert.equal(human.code, 1, human.stderr);
    const out = lines(human.stdout);
    assert.equal(out[0], "isomc: violation found: liveness");
    assert.equal(out[1], "  an execution that violates F seen: a prefix, then a cycle forever");
    const start = (v.cycle_start as number) + 1;
    assert.ok(out.includes(`     --- the cycle repeats from step ${start} ---`), human.stdout);
    assert.ok(out.includes("     initially: seen=0"), human.stdout);
    assert.ok(
      out.some((l) => /^ {2}\d\. spinner: load\(flag\) {4}\[seen=0\] {3,}spin_flag\.c:10$/.test(l)),
      human.stdout,
    );
    assert.ok(
      out.includes(
        `     => back to the state before step ${start}: steps ${start}..${report.trace.length} repeat forever`,
      ),
      human.stdout,
    );
    assert.match(human.stdout, /^Explored \d+ product states \(\d+ program states, /m);
  });
});

Deno.test("isomc check --ltl: a property that holds, exit 0, in the property's words", async () => {
  const program = await build("spin_flag");
  const r = await runCli(["check", "--ltl=F seen", "--fairness=weak", "--", program]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    lines(r.stdout)[0],
    "isomc: the property holds in every weakly fair execution: F seen",
  );
  const j = json(
    await runCli(["check", "--json", "--non-progress", "--trace-out=/dev/null", "--", program]),
  );
  // The spinner's loop passes no marker: a non-progress cycle.
  assert.equal(j.verdict, "violation");
  assert.equal((j.violation as Record<string, unknown>).kind, "non-progress");
  assert.equal((j.violation as Record<string, unknown>).formula, "G F @progress");
});

Deno.test("--never=FILE: a SPIN never claim is checked like the formula it stands for", async () => {
  const program = await build("spin_flag");
  await inTempDir(async (dir) => {
    // spin -f '!<>seen' (the claim of the executions that violate F seen).
    const claim = join(dir, "claim.pml");
    Deno.writeTextFileSync(
      claim,
      "never { /* !<>seen */\naccept_init:\nT0_init:\n  do\n  :: (! ((seen))) -> goto T0_init\n  od;\n}\n",
    );
    const r = json(
      await runCli(["check", "--json", `--never=${claim}`, "--", program], { cwd: dir }),
    );
    assert.equal(r.verdict, "violation");
    const v = r.violation as Record<string, unknown>;
    assert.equal(v.kind, "liveness");
    assert.equal(v.formula, `never claim ${claim}`);
    const fair = await runCli(["check", `--never=${claim}`, "--fairness=weak", "--", program]);
    assert.equal(fair.code, 0, fair.stdout + fair.stderr);

    // A claim over a name the program does not register, and a claim that is not there.
    Deno.writeTextFileSync(
      claim,
      "never {\nT0_init:\n  do\n  :: (done) -> goto T0_init\n  od;\n}\n",
    );
    const unknown = await runCli(["check", `--never=${claim}`, "--", program]);
    assert.equal(unknown.code, 2);
    assert.deepEqual(lines(unknown.stderr), [
      `isomc: unknown proposition 'done' in 'never claim ${claim}' (registered: seen)`,
    ]);
    const missing = await runCli(["check", `--never=${dir}/none.pml`, "--", program]);
    assert.equal(missing.code, 2);
    assert.match(lines(missing.stderr)[0], /^isomc: cannot read the never claim .*none\.pml: /);
  });
});

Deno.test("an unknown proposition: one line naming it and the registered ones, exit 2, no search", async () => {
  const program = await build("ends");
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--ltl=G(started -> F in_cs)", "--", program], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.deepEqual(lines(r.stderr), [
      "isomc: unknown proposition 'in_cs' in 'G(started -> F in_cs)' (registered: started, done, finished)",
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no trace written");
    const j = json(await runCli(["check", "--json", "--ltl=F nope", "--", program]));
    assert.equal(j.verdict, "error");
    assert.deepEqual(j.error, {
      kind: "input",
      message: "unknown proposition 'nope' in 'F nope' (registered: started, done, finished)",
    });
  });
});

Deno.test("a bad formula is refused before the program runs (one line, exit 2)", async () => {
  const r = await runCli(["check", "--ltl=G(p -> F q", "--", "./no-such-program"]);
  assert.equal(r.code, 2);
  assert.deepEqual(lines(r.stderr), [
    "isomc: bad formula: missing ')' at column 11: 'G(p -> F q<here>'",
  ]);
});

Deno.test("options a liveness check cannot honour are refused with one line (exit 2)", async () => {
  const program = await build("ends");
  const refused: [string[], RegExp][] = [
    [
      ["--ltl=F done", "--reduction=odpor"],
      /^isomc: --ltl needs --reduction=none .*not --reduction=odpor$/,
    ],
    [["--non-progress", "--reduction=sleep"], /^isomc: --non-progress needs --reduction=none/],
    [
      ["--ltl=F done", "--restore=fork"],
      /^isomc: --ltl needs --restore=memory .*not --restore=fork$/,
    ],
    [["--ltl=F done", "--restore=replay"], /needs --restore=memory .*not --restore=replay$/],
    [["--ltl=F done", "--no-visited"], /^isomc: --ltl needs visited states .*not --no-visited$/],
    [
      ["--ltl=F done", "--exact-compare"],
      /^isomc: --ltl tells states apart by their 64-bit hashes/,
    ],
    [["--ltl=F done", "--max-executions=3"], /searches states, not executions/],
    [["--non-progress", "--dot=g.dot"], /^isomc: --non-progress searches pairs of .*not with it$/],
    [
      ["--ltl=F done", "--non-progress"],
      /^isomc: check one property at a time: --ltl and --non-progress/,
    ],
    [["--fairness=weak"], /^isomc: --fairness is for liveness checks/],
    [["--no-deadlock"], /^isomc: --no-deadlock is for liveness checks/],
    [
      ["--ltl=F done", "--fairness=strong"],
      /^isomc: --fairness must be one of: none, weak \(not 'strong'\)$/,
    ],
    [
      ["--ltl=F done", "--snapshot-spacing=4"],
      /^isomc: --snapshot-spacing is for --restore=memory without --visited/,
    ],
  ];
  for (const [options, line] of refused) {
    const r = await runCli(["check", ...options, "--", program]);
    assert.equal(r.code, 2, `${options.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    const err = lines(r.stderr);
    assert.equal(err.length, 1, r.stderr);
    assert.match(err[0], line);
  }
  // --reduction=none and --restore=memory given explicitly are what it needs: accepted.
  const ok = await runCli([
    "check",
    "--ltl=F started",
    "--reduction=none",
    "--restore=memory",
    "--",
    program,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
});
