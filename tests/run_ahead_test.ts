/**
 * Running ahead (docs/protocol.md, "Running ahead"; lib/state/memory_target.ts): the program
 * takes the steps the search forecasts without a round trip each. The forecasts of every
 * explorer are checked on the fake system (never wrong where they speak), the counts of the
 * DPOR benchmarks stay those of a step-by-step search with none of them mispredicted, a crash in
 * the middle of a batch is reported at its step, --timeout bounds a step and not a batch, and a
 * search that does not follow the forecast gets the state it asked for.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check, type CheckResult, type Reduction, type Restore } from "../lib/check.ts";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { runJob } from "../lib/parallel/run_job.ts";
import type { Outcome, Target } from "../lib/explore/target.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { ReplayTarget } from "../lib/process/replay_target.ts";
import { MemoryTarget } from "../lib/state/memory_target.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";
import { lastzero, readers } from "./support/fake_programs.ts";
import { type Flavour, randomProgram } from "./support/random_programs.ts";
import { buildProgram, repoRoot } from "./support/build.ts";

// ---- The explorers' forecasts, on the fake system -------------------------------------------

const fakePrograms: [string, FakeProgram][] = [
  ["lastzero(3)", lastzero(3)],
  ["readers(3)", readers(3)],
  ...(["memory", "locks", "sync", "choices", "mixed"] as Flavour[]).flatMap((flavour) =>
    Array.from(
      { length: 8 },
      (_, seed): [string, FakeProgram] => [
        `${flavour} #${seed}`,
        randomProgram(seed, flavour, 2, 3),
      ],
    )
  ),
];

Deno.test("fake system: no explorer's forecast is ever wrong where it says what comes next", async () => {
  let followed = 0;
  for (const [name, program] of fakePrograms) {
    // Bounded: some random programs have hundreds of thousands of interleavings.
    const dfs = new FakeTarget(program);
    await exploreDfs(dfs, { maxExecutions: 2000 });
    assert.equal(dfs.aheadMissed, 0, `none: ${name}`);
    followed += dfs.aheadFollowed;
    for (const reduction of ["sleep", "sdpor", "odpor"] as const) {
      const target = new FakeTarget(program);
      await exploreDpor(target, reduction, { maxExecutions: 2000 });
      assert.equal(target.aheadMissed, 0, `${reduction}: ${name}`);
      followed += target.aheadFollowed;
    }
  }
  assert.ok(followed > 1000, `only ${followed} steps taken as forecast`);
});

Deno.test("fake system: lastzero(3) under odpor takes most steps as forecast", async () => {
  const target = new FakeTarget(lastzero(3));
  const r = await exploreDpor(target, "odpor");
  assert.equal(r.stats.executions, 12);
  assert.equal(target.aheadMissed, 0);
  assert.ok(target.aheadFollowed > 0);
});

// ---- Real programs --------------------------------------------------------------------------

/** The caller's environment without anything that would change the runtime's mode. */
function cleanEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("ISOMC_") && name !== "ISOMC_ZIG" && name !== "ISOMC_ROOT") {
      delete env[name];
    }
  }
  return env;
}

async function run(
  source: string,
  args: readonly string[],
  reduction: Reduction,
  restore: Restore = "memory",
  timeoutMs = 10_000,
): Promise<CheckResult> {
  return await check(await buildProgram(join(repoRoot, source)), args, {
    reduction,
    restore,
    visited: false,
    timeoutMs,
    env: cleanEnv(),
  });
}

/**
 * Executions, transitions and states of a step-by-step search (measured on main before running
 * ahead existed; --restore=replay, which does not run ahead, gives them too).
 */
const expected: [string, string, Reduction, number, number, number][] = [
  ["examples/dpor/lastzero.c", "3", "none", 920, 3271, 3272],
  ["examples/dpor/readers.c", "3", "none", 24, 64, 65],
  ["examples/dpor/lastzero.c", "5", "sleep", 64, 1889, 1890],
  ["examples/dpor/readers.c", "8", "sleep", 256, 6816, 6817],
  ["examples/dpor/lastzero.c", "5", "sdpor", 64, 677, 678],
  ["examples/dpor/readers.c", "8", "sdpor", 256, 1535, 1536],
  ["examples/dpor/indexer.c", "12", "sdpor", 8, 858, 859],
  ["examples/dpor/filesystem.c", "16", "sdpor", 8, 1032, 1033],
  ["examples/dpor/lastzero.c", "5", "odpor", 64, 495, 496],
  ["examples/dpor/readers.c", "8", "odpor", 256, 1535, 1536],
  ["examples/dpor/indexer.c", "12", "odpor", 8, 858, 859],
  ["examples/dpor/filesystem.c", "16", "odpor", 8, 1032, 1033],
];

for (const [source, n, reduction, executions, transitions, states] of expected) {
  const name = source.replace(/^.*\/(.*)\.c$/, "$1");
  Deno.test(`${name}(${n}) under ${reduction}: the step-by-step counts, run ahead, none mispredicted`, async () => {
    const r = await run(source, [n], reduction);
    assert.equal(r.verdict, "ok");
    const s = r.stats;
    assert.deepEqual([s.executions, s.transitions, s.states], [executions, transitions, states]);
    assert.equal(r.state?.mispredictions, 0);
    assert.ok((r.state?.aheadSteps ?? 0) > 0, "no step was taken ahead");
    assert.ok((r.state?.aheadBatches ?? 0) > 0);
  });
}

/**
 * Under odpor most steps follow wakeup sequences, which the search gives the target as known
 * steps (AheadHint.steps): served ahead, more than the rule alone served (the figures of the
 * rule alone, measured on main before known steps: lastzero(5) 182, readers(8) 1,032,
 * indexer(12) 313, filesystem(16) 252; with them 383, 1,279, 759 and 905), none mispredicted.
 */
const ruleAlone: [string, string, number][] = [
  ["examples/dpor/lastzero.c", "5", 182],
  ["examples/dpor/readers.c", "8", 1032],
  ["examples/dpor/indexer.c", "12", 313],
  ["examples/dpor/filesystem.c", "16", 252],
];

for (const [source, n, before] of ruleAlone) {
  const name = source.replace(/^.*\/(.*)\.c$/, "$1");
  Deno.test(`${name}(${n}) under odpor: the wakeup sequences' steps run ahead too`, async () => {
    const r = await run(source, [n], "odpor");
    assert.equal(r.verdict, "ok");
    assert.equal(r.state?.mispredictions, 0);
    const ahead = r.state?.aheadSteps ?? 0;
    assert.ok(ahead > before, `${ahead} steps ahead, ${before} by the rule alone`);
  });
}

Deno.test("fake system: odpor's known steps are followed, none missed", async () => {
  for (const [name, program] of fakePrograms) {
    const target = new FakeTarget(program);
    await exploreDpor(target, "odpor", { maxExecutions: 2000 });
    assert.equal(target.aheadMissed, 0, name);
  }
  const target = new FakeTarget(lastzero(3));
  await exploreDpor(target, "odpor");
  assert.ok(target.knownFollowed > 0, "no known step followed");
  // Without known steps (the rule alone), none would be.
  const sdpor = new FakeTarget(lastzero(3));
  await exploreDpor(sdpor, "sdpor");
  assert.equal(sdpor.knownFollowed, 0);
});

Deno.test("a crash in the middle of a run-ahead is reported at its step, after the steps before it", async () => {
  for (const restore of ["memory", "replay", "fork"] as const) {
    const r = await run("tests/programs/ahead/crash_late.c", [], "odpor", restore);
    assert.equal(r.verdict, "violation", restore);
    assert.equal(r.violation?.kind, "crash", restore);
    assert.deepEqual(
      r.violation?.trace.map((t) => t.step.actor),
      [1, 1, 1, 1, 1],
      restore,
    );
    // Steps 2 to 5 ran ahead, the crash included.
    if (restore === "memory") assert.equal(r.state?.aheadSteps, 4);
  }
});

Deno.test("a step that hangs in the middle of a batch is the timeout, not a step before it", async () => {
  for (const restore of ["memory", "replay"] as const) {
    const r = await run("tests/programs/ahead/hang_late.c", [], "odpor", restore, 1000);
    assert.equal(r.verdict, "violation", restore);
    assert.equal(r.violation?.kind, "timeout", restore);
    // Steps 2 to 5 run ahead; the fifth yield runs a on into its sleep: step 5 hangs.
    assert.deepEqual(r.violation?.trace.map((t) => t.step.actor), [1, 1, 1, 1, 1], restore);
  }
});

Deno.test("--timeout bounds each step, not a batch: six steps of 0.3 s pass under 1 s", async () => {
  const r = await run("tests/programs/ahead/slow_steps.c", [], "odpor", "memory", 1000);
  assert.equal(r.verdict, "ok");
  assert.deepEqual([r.stats.executions, r.stats.transitions], [1, 6]);
  assert.equal(r.state?.aheadSteps, 5);
  assert.equal(r.state?.aheadBatches, 1);
});

Deno.test("a step other than the forecast one: the state asked for, one misprediction", async () => {
  const path = await buildProgram(join(repoRoot, "tests/programs/ahead/two_by_three.c"));
  const forecast = { asleep: [], maxDepth: Infinity };
  const a = { actor: 1, choice: 0 };
  const b = { actor: 2, choice: 0 };
  const memory = new MemoryTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  const replay = new ReplayTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  try {
    const seen: Outcome[][] = [[], []];
    const targets: Target[] = [memory, replay];
    for (const [i, target] of targets.entries()) {
      await target.start();
      // a then, against the forecast (a again), b; then a as forecast from there.
      seen[i].push(await target.execute(a, forecast));
      seen[i].push(await target.execute(b, forecast));
      seen[i].push(await target.execute(a, forecast));
      seen[i].push(await target.execute(a));
      // Back up, and down another way, as forecast after its first step.
      await target.restore([a]);
      seen[i].push(await target.execute(b, forecast));
      seen[i].push(await target.execute(a, forecast));
      seen[i].push(await target.execute(a, forecast));
    }
    // The step counter in a point is the runtime's, which replay's RUNs do not set: not compared.
    const shape = (o: Outcome) => o.kind === "point" ? o.point.transitions : o;
    assert.deepEqual(seen[0].map(shape), seen[1].map(shape));
    const stats = memory.stateStats();
    assert.equal(stats.mispredictions, 1);
    // Three batches; the second and the third each served two steps (a, a after a, b).
    assert.equal(stats.aheadBatches, 3);
    assert.equal(stats.aheadSteps, 4);
  } finally {
    await memory.close();
    await replay.close();
  }
});

Deno.test("known steps run ahead, and the batch stops where they end or one cannot be taken", async () => {
  const path = await buildProgram(join(repoRoot, "tests/programs/ahead/two_by_three.c"));
  const a = { actor: 1, choice: 0 };
  const b = { actor: 2, choice: 0 };
  const memory = new MemoryTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  const replay = new ReplayTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  try {
    const seen: Outcome[][] = [[], []];
    const targets: Target[] = [memory, replay];
    for (const [i, target] of targets.entries()) {
      await target.start();
      // a, then b twice as known (no rule after them: the batch ends there).
      seen[i].push(await target.execute(a, { steps: [b, b], asleep: null, maxDepth: Infinity }));
      seen[i].push(await target.execute(b));
      seen[i].push(await target.execute(b));
      // A known step of no actor: the runtime does not take it and waits after a.
      const bogus = { steps: [{ actor: 9, choice: 0 }], asleep: [], maxDepth: Infinity };
      seen[i].push(await target.execute(a, bogus));
      seen[i].push(await target.execute(b));
      seen[i].push(await target.execute(a));
    }
    const shape = (o: Outcome) => o.kind === "point" ? o.point.transitions : o;
    assert.deepEqual(seen[0].map(shape), seen[1].map(shape));
    assert.equal(seen[0][5].kind, "done");
    const stats = memory.stateStats();
    assert.equal(stats.mispredictions, 0);
    assert.equal(stats.aheadSteps, 2);
    assert.equal(stats.aheadBatches, 2);
  } finally {
    await memory.close();
    await replay.close();
  }
});

Deno.test("fake system: a parallel job's prefix is given as known steps, followed, none missed", async () => {
  // A prefix of lastzero(3): the lowest enabled actor at each of its first four points.
  const probe = new FakeTarget(lastzero(3));
  let o = await probe.start();
  const prefix = [];
  for (let i = 0; i < 4 && o.kind === "point"; i++) {
    const t = o.point.transitions.find((x) => x.enabled)!;
    prefix.push({ actor: t.actor, choice: 0 });
    o = await probe.execute({ actor: t.actor, choice: 0 });
  }
  const target = new FakeTarget(lastzero(3));
  const config = { reduction: "odpor", splitDepth: 0, maxFanout: 64 } as const;
  const r = await runJob(target, config, { id: [], prefix, spawners: [], epoch: 0 });
  assert.equal(r.kind, "explored");
  assert.equal(target.aheadMissed, 0);
  // Every prefix step after the first is a known step followed (then the subtree's own).
  assert.ok(target.knownFollowed >= prefix.length - 1, `${target.knownFollowed} known followed`);
});
