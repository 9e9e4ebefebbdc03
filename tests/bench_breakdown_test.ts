/**
 * The per-transition cost breakdown's harness (bench/breakdown/): the timers' accounting of
 * nested calls and phases, the reading of CPU profiles and perf reports, the arithmetic of the
 * components, and one instrumented check through the real CLI whose timer counts must match the
 * checker's own statistics exactly. No assertion depends on a time's value.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { timerCost, Timers } from "../bench/breakdown/timers.ts";
import {
  type CpuProfile,
  groupPerf,
  parsePerfReport,
  summarizeProfile,
} from "../bench/breakdown/profiles.ts";
import { components, leastOf, type TimerData, timersCost } from "../bench/breakdown/components.ts";
import { buildProgram } from "./support/build.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

Deno.test("breakdown timers: self time is the total minus the timed calls nested in it", async () => {
  const t = new Timers((name, result) => name === "outer" && result === "last" ? "end" : name);
  class Work {
    constructor(readonly base: number) {}
    inner(x: number): number {
      return this.base + x;
    }
    async outer(x: number): Promise<string> {
      this.inner(x);
      await new Promise((r) => setTimeout(r, 1));
      this.inner(x);
      return x === 0 ? "last" : "step";
    }
  }
  t.wrap(Work.prototype, "inner", "inner");
  t.wrap(Work.prototype, "outer", "outer");
  const w = new Work(40);
  assert.equal(w.inner(2), 42); // `this` and the result go through
  assert.equal(await w.outer(1), "step");
  assert.equal(await w.outer(1), "step");
  assert.equal(await w.outer(0), "last");
  const data = t.toJSON();
  assert.deepEqual(Object.keys(data).sort(), ["end", "inner", "outer"]);
  assert.equal(data.inner.inner.calls, 1);
  assert.equal(data.outer.outer.calls, 2);
  assert.equal(data.outer.inner.calls, 4);
  assert.equal(data.end.outer.calls, 1);
  assert.equal(data.end.inner.calls, 2);
  assert.equal(data.outer.outer.nestedCalls, 4);
  assert.equal(data.outer.inner.nestedCalls, 0);
  // Which calls returned a promise: their timing costs more, and is taken out apart.
  assert.equal(data.outer.outer.asyncCalls, 2);
  assert.equal(data.outer.outer.nestedAsyncCalls, 0);
  assert.equal(data.outer.inner.asyncCalls, 0);
  for (const phase of ["outer", "end"]) {
    const o = data[phase].outer;
    const i = data[phase].inner;
    assert.ok(Math.abs(o.selfUs - (o.totalUs - i.totalUs)) < 1e-6);
    assert.ok(o.selfUs >= 0 && i.selfUs === i.totalUs);
  }
  assert.equal(t.calls, 10);
});

Deno.test("breakdown timers: their own cost is measured, never negative", async () => {
  const c = await timerCost(3, 1000);
  for (const v of [c.clock, c.sync, c.async]) assert.ok(Number.isFinite(v) && v >= 0);
});

Deno.test("breakdown timers: a throwing call is timed and its error passes through", async () => {
  const t = new Timers();
  const o = {
    bad(): never {
      throw new Error("boom");
    },
    async worse(): Promise<never> {
      await Promise.resolve();
      throw new Error("later");
    },
  };
  t.wrap(o, "bad", "bad");
  t.wrap(o, "worse", "worse");
  assert.throws(() => o.bad(), /boom/);
  await assert.rejects(() => o.worse(), /later/);
  assert.equal(t.toJSON().bad.bad.calls, 1);
  assert.equal(t.toJSON().worse.worse.calls, 1);
  assert.throws(() => t.wrap(o, "missing", "missing"), /no method missing/);
});

Deno.test("breakdown profiles: self time by area of the checker, FFI time in its caller", () => {
  const file = (p: string): string => `file://${root}${p}`;
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "" } },
      { id: 2, callFrame: { functionName: "receive", url: file("lib/native/channel.ts") } },
      {
        id: 3,
        callFrame: { functionName: "analyze", url: file("lib/explore/dpor/happens_before.ts") },
      },
      { id: 4, callFrame: { functionName: "search", url: file("lib/explore/dpor/explorer.ts") } },
      { id: 5, callFrame: { functionName: "(garbage collector)", url: "" } },
      { id: 6, callFrame: { functionName: "", url: "ext:deno_node/internal/querystring.ts" } },
    ],
    samples: [2, 2, 3, 4, 5, 6, 2],
    timeDeltas: [100, 100, 50, 30, 20, 10, 100],
  };
  const s = summarizeProfile(profile, root);
  assert.equal(s.totalUs, 410);
  assert.equal(s.areas["channel: send, wait for the program, receive (native)"], 300);
  assert.equal(s.areas["DPOR analysis (happens-before, races, wakeup trees, sleep sets)"], 50);
  assert.equal(s.areas["search loop (explorer, DFS, statistics)"], 30);
  assert.equal(s.areas["garbage collector"], 20);
  assert.equal(s.areas["Deno and V8, other"], 10);
  assert.deepEqual(s.top[0], ["lib/native/channel.ts:receive", 300]);
});

/** `perf report --stdio --sort comm,dso` of a lastzero run (rows shortened). */
const perfText = `# To display the perf.data header info, please use --header/--header-only options.
#
# Samples: 3K of event 'cpu-clock'
#
# Overhead  Command          Shared Object
# ........  ...............  ....................
#
    39.18%  deno             [kernel.kallsyms]
    18.17%  lastzero         [kernel.kallsyms]
    16.00%  deno             deno
    10.52%  V8 DefaultWorke  deno
     2.67%  deno             libc.so.6
     2.53%  deno             [JIT] tid 24783
     2.03%  cat              [kernel.kallsyms]
     1.92%  deno             libisomc_checker.so
     0.89%  lastzero         libc.so.6
     0.53%  lastzero         lastzero
     0.19%  tokio-runtime-w  [kernel.kallsyms]
`;

Deno.test("breakdown profiles: perf's shares by process and object, grouped", () => {
  const rows = parsePerfReport(perfText);
  assert.equal(rows.length, 11);
  assert.deepEqual(rows[5], { percent: 2.53, comm: "deno", dso: "[JIT] tid 24783" });
  assert.deepEqual(rows[3], { percent: 10.52, comm: "V8 DefaultWorke", dso: "deno" });
  const g = groupPerf(rows, "lastzero");
  assert.equal(g["checker: kernel"], 39.18);
  assert.equal(g["checker: V8 and Deno runtime"], 16);
  assert.equal(g["checker: JavaScript (JIT)"], 2.53);
  assert.equal(g["checker: libisomc_checker.so"], 1.92);
  assert.equal(g["checker: libc"], 2.67);
  assert.equal(g["program: kernel (forked ends too)"], 18.17);
  assert.ok(Math.abs(g["program: user (runtime; forked ends too)"] - 1.42) < 1e-9);
  assert.ok(Math.abs(g["V8 helper threads (GC, compiler)"] - 10.71) < 1e-9);
  assert.equal(g["other processes (./isomc wrapper, ...)"], 2.03);
  // A program's name is cut to 15 characters, as perf does.
  const long = groupPerf(
    parsePerfReport("  5.00%  examples_dpor_l  [kernel.kallsyms]\n"),
    "examples_dpor_lastzero",
  );
  assert.equal(long["program: kernel (forked ends too)"], 5);
});

Deno.test("breakdown components: µs per transition, the timers' cost taken out", () => {
  const t = (
    calls: number,
    totalUs: number,
    nested = [0, 0],
    asyncCalls = calls,
    selfUs = totalUs,
  ) => ({
    calls,
    totalUs,
    selfUs,
    asyncCalls,
    nestedCalls: nested[0],
    nestedAsyncCalls: nested[1],
  });
  // Sync calls cost 1 µs to time, async ones 2 µs; [nested calls, of which async].
  const cost = { clock: 0.1, sync: 1, async: 2 };
  const timers: TimerData = {
    step: {
      "target.execute": t(100, 5000, [400, 100]),
      "memory.settle": t(100, 500, [100, 0], 0),
      "ffi.isomc_channel_send": t(100, 1000, [0, 0], 0),
      "ffi.isomc_channel_recv": t(100, 1200, [0, 0], 0),
    },
    "last step": {
      "target.execute": t(10, 800, [40, 10]),
      "memory.knownEnd": t(10, 300, [20, 0], 0),
    },
    "target.restore": {
      "target.restore": t(9, 900, [45, 9]),
      "engine.plan": t(9, 90, [9, 0], 0),
      "engine.restore": t(9, 180, [9, 0], 0),
      "program.run": t(9, 450, [18, 9]),
    },
    "target.start": { "target.start": t(1, 200, [8, 2]) },
    "target.close": { "target.close": t(1, 100) },
  };
  // Nested: step 300 sync + 100 async = 500; last 30 + 20 = 50; restore 36 + 18 = 54;
  // start 6 + 4 = 10. Own (all async): 2 * (100 + 10 + 9 + 1 + 1) = 242. In all 856.
  assert.equal(timersCost(timers, cost), 856);
  const rows = components({
    timers,
    transitions: 110,
    searchUs: 9100,
    plainSearchUs: 8000,
    cost,
    programOnCpuUs: 770,
    floorUs: 3.3,
    analysisShare: 0.25,
  });
  const get = (prefix: string): number => rows.find((r) => r.name.startsWith(prefix))!.us;
  assert.equal(get("forward step: round trip"), 2200 / 110);
  assert.equal(get("the bare round trip"), 3.3);
  assert.equal(get("the program on CPU"), 7);
  // execute 5000 - 500 = 4500; settle 500 - 100 = 400.
  assert.equal(get("forward step: JavaScript"), (4500 - 400 - 2200) / 110);
  assert.equal(get("forward step: snapshot"), 400 / 110);
  assert.equal(get("restores"), (900 - 54) / 110);
  assert.equal(get("pages"), (81 + 171) / 110);
  assert.equal(get("replayed steps"), (450 - 27) / 110);
  assert.equal(get("end of executions"), 750 / 110);
  assert.equal(get("final-state lookups"), 280 / 110);
  // The search's own time: 9100 less the outermost calls as measured (7000) and their own
  // timers (242).
  assert.equal(get("the search itself"), 1858 / 110);
  assert.equal(get("DPOR analysis"), 0.25 * 1858 / 110);
  assert.equal(get("program start and close"), (190 + 100) / 110);
  assert.equal(get("total: the search, the timers' cost taken out"), (9100 - 856) / 110);
  assert.equal(get("the search without timers"), 8000 / 110);
  // The rows that are not parts add up to the search less the timers.
  const sum = rows.filter((r) => !r.part && !r.name.startsWith("total")).reduce(
    (a, r) => a + r.us,
    0,
  );
  assert.ok(Math.abs(sum - (9100 - 856) / 110) < 1e-9);
});

Deno.test("breakdown components: of several runs, each row's least", () => {
  const a = [{ name: "x", us: 3 }, { name: "y", us: 1, part: true }];
  const b = [{ name: "x", us: 2 }, { name: "y", us: 4, part: true }];
  assert.deepEqual(leastOf([a, b]), [{ name: "x", us: 2 }, { name: "y", us: 1, part: true }]);
  assert.deepEqual(leastOf([]), []);
});

Deno.test("breakdown probe: the timers count exactly the steps and executions the checker reports", async () => {
  const bin = await buildProgram(join(root, "tests", "programs", "cli", "two_yields.c"));
  const dir = await Deno.makeTempDir({ prefix: "isomc-breakdown-test-" });
  try {
    const out = join(dir, "timers.json");
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        join(root, "bench", "breakdown", "probe.ts"),
        "check",
        "--json",
        "--trace-out=/dev/null",
        "--reduction=none",
        "--no-visited",
        "--",
        bin,
      ],
      env: { ISOMC_BENCH_TIMERS: "ffi", ISOMC_BENCH_OUT: out, ISOMC_BENCH_HEAP_EVERY: "2" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const stats = JSON.parse(new TextDecoder().decode(r.stdout)).stats;
    assert.equal(stats.executions, 6);
    const probe = JSON.parse(await Deno.readTextFile(out));
    const calls = (phase: string, name: string): number => probe.timers[phase]?.[name]?.calls ?? 0;
    // Every forward transition is one execute: an ordinary step, or the last of an execution.
    assert.equal(
      calls("step", "target.execute") + calls("last step", "target.execute"),
      stats.transitions,
    );
    assert.equal(calls("last step", "target.execute"), stats.executions);
    assert.equal(calls("target.restore", "target.restore"), stats.restores);
    assert.equal(calls("target.start", "target.start"), 1);
    // Each forward step is one RUN frame sent, but for those served from a run-ahead's reports;
    // the last steps send FINISH too where the rest of main runs.
    const ahead = stats.state.ahead_steps;
    assert.ok(ahead > 0);
    assert.equal(stats.state.mispredictions, 0);
    assert.equal(
      calls("step", "ffi.isomc_channel_send") + calls("last step", "ffi.isomc_channel_send"),
      stats.transitions - ahead + stats.state.ends_run,
    );
    assert.equal(probe.program.processes, 1);
    assert.ok(probe.program.onCpuUs > 0 && probe.checker.onCpuUs > 0);
    // The live heap is sampled at every second restore.
    const samples = probe.heapDuringSearch.samples as [number, number][];
    assert.deepEqual(samples.map(([n]) => n), [2, 4].filter((n) => n <= stats.restores));
    assert.ok(probe.heapDuringSearch.peak > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("breakdown probe: without ISOMC_BENCH_TIMERS it is the plain CLI; a bad level is exit 2", async () => {
  const run = async (
    env: Record<string, string>,
    flags: string[] = [],
  ): Promise<Deno.CommandOutput> =>
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...flags, join(root, "bench", "breakdown", "probe.ts"), "--version"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const plain = await run({});
  assert.equal(plain.code, 0);
  assert.match(new TextDecoder().decode(plain.stdout), /^isomc /);
  const bad = await run({ ISOMC_BENCH_TIMERS: "all" });
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /ISOMC_BENCH_TIMERS must be methods or ffi/);
  // With ISOMC_BENCH_OUT alone it reports the checker's memory, and its live heap under
  // --expose-gc.
  const dir = await Deno.makeTempDir({ prefix: "isomc-breakdown-test-" });
  try {
    const out = join(dir, "memory.json");
    assert.equal((await run({ ISOMC_BENCH_OUT: out }, ["--v8-flags=--expose-gc"])).code, 0);
    const probe = JSON.parse(await Deno.readTextFile(out));
    assert.equal(probe.level, null);
    assert.equal(probe.timers, undefined);
    assert.ok(probe.memory.rss > 0 && probe.memory.heapTotal > 0);
    assert.ok(probe.live.heapUsed > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
