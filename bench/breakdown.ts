/**
 * `./isomc bench --breakdown`: where one transition's time goes, on this machine. For each
 * program — yields (two actors that only yield: the checker's own cost), lastzero(10),
 * readers(13) — it runs the plain check 3 times, 3 times with the timers of
 * bench/breakdown/instrument.ts (every native call timed; each component is the least of the
 * runs), once under Deno's --cpu-prof and, when perf works here, once under `perf record`; it
 * measures the start-up apart (Deno, the CLI's modules, the FFI load, the ./isomc wrapper's
 * build check), the round-trip floor, and lastzero(15)'s memory as executions grow, and writes
 * bench/results/breakdown.{json,md}: µs per forward transition per component.
 *
 *   ./isomc bench --breakdown [--quick]    (--quick: smaller inputs, one run of each kind)
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compile, plainCompilerCommand } from "../lib/build/cc.ts";
import { describeMachine } from "./machine.ts";
import { components, leastOf, type TimerData } from "./breakdown/components.ts";
import type { TimerCost } from "./breakdown/timers.ts";
import {
  type CaseResult,
  markdown,
  type MemoryPoint,
  memoryTable,
  type Stats,
} from "./breakdown/report.ts";
import {
  type CpuProfile,
  groupPerf,
  parsePerfReport,
  summarizeProfile,
} from "./breakdown/profiles.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const deno = Deno.execPath();
const cli = join(root, "cli.ts");
const text = new TextDecoder();

export interface Case {
  readonly key: string;
  readonly label: string;
  readonly source: string;
  readonly args: readonly string[];
  readonly options: readonly string[];
}

function cases(quick: boolean): Case[] {
  return [
    {
      key: "yields",
      label: `yields 2×${quick ? "2,000" : "10,000"}`,
      source: "bench/programs/yields.c",
      args: [quick ? "2000" : "10000"],
      // One execution: every transition is a forward step, nothing is restored.
      options: ["--reduction=none", "--no-visited", "--max-executions=1"],
    },
    {
      key: "lastzero",
      label: `lastzero(${quick ? 5 : 10})`,
      source: "examples/dpor/lastzero.c",
      args: [quick ? "5" : "10"],
      options: [],
    },
    {
      key: "readers",
      label: `readers(${quick ? 8 : 13})`,
      source: "examples/dpor/readers.c",
      args: [quick ? "8" : "13"],
      options: [],
    },
  ];
}

interface Measured {
  wall_s: number;
  exit: number;
  max_rss_kib: number;
  stdout: string;
}

async function run(
  tmp: string,
  command: readonly string[],
  env: Record<string, string> = {},
): Promise<Measured> {
  const out = join(tmp, "measure.json");
  const r = await new Deno.Command(join(tmp, "measure"), {
    args: [out, "--", ...command],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) throw new Error(`measure failed: ${text.decode(r.stderr)}`);
  const m = JSON.parse(await Deno.readTextFile(out));
  return { ...m, stdout: text.decode(r.stdout) };
}

async function ok(cmd: string, args: string[]): Promise<string | null> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return r.success ? text.decode(r.stdout) + text.decode(r.stderr) : null;
  } catch {
    return null;
  }
}

export async function build(tmp: string, list: readonly Case[]): Promise<Map<string, string>> {
  for (
    const [src, bin] of [["bench/peers/measure.c", "measure"], [
      "bench/floor/roundtrip.c",
      "roundtrip",
    ]]
  ) {
    const [cc, ...ccArgs] = plainCompilerCommand();
    const r = await ok(cc, [...ccArgs, "-O2", "-o", join(tmp, bin), join(root, src)]);
    if (r === null) throw new Error(`cannot build ${src}`);
  }
  const bins = new Map<string, string>();
  for (const c of list) {
    if (bins.has(c.source)) continue;
    const out = join(tmp, c.source.replaceAll("/", "_").replace(/\.c$/, ""));
    await compile([join(root, c.source)], out, ["-O2"]);
    bins.set(c.source, out);
  }
  return bins;
}

function statsOf(stdout: string): Stats {
  const report = JSON.parse(stdout);
  return report.stats as Stats;
}

/** Start-up: the least of `reps` runs of each probe, in ms (the machine may be busy). */
async function startup(tmp: string, yields: string, reps: number): Promise<Record<string, number>> {
  const empty = join(tmp, "empty.js");
  await Deno.writeTextFile(empty, "");
  const ffi = join(root, "bench", "breakdown", "ffi_load.ts");
  const check = ["check", "--json", "--trace-out=/dev/null", "--", yields, "0"];
  const probes: Record<string, string[]> = {
    deno: [deno, "run", empty],
    cli: [deno, "run", "-A", cli, "--version"],
    ffiImport: [deno, "run", "-A", ffi],
    ffiLoad: [deno, "run", "-A", ffi, "load"],
    wrapper: [join(root, "isomc"), "--version"],
    checkDirect: [deno, "run", "-A", cli, ...check],
    check: [join(root, "isomc"), ...check],
  };
  const ms: Record<string, number> = {};
  const search: number[] = [];
  for (const [name, command] of Object.entries(probes)) {
    await run(tmp, command); // warm the caches
    const walls: number[] = [];
    for (let i = 0; i < reps; i++) {
      const m = await run(tmp, command);
      walls.push(m.wall_s * 1000);
      if (name === "check") search.push(statsOf(m.stdout).seconds * 1000);
    }
    ms[name] = Math.min(...walls);
  }
  ms.checkSearch = Math.min(...search);
  // What single calls cost in the checker's process (ns), for the JavaScript around a step.
  const micro = JSON.parse((await run(tmp, [deno, "run", "-A", ffi, "calls"])).stdout);
  ms.ffiCallNs = micro.ffi_call_ns;
  ms.performanceNowNs = micro.performance_now_ns;
  return ms;
}

/**
 * The checker's peak memory on lastzero(N) as the number of executions grows: it must depend
 * on the depth of the search, not on how many executions it has explored.
 */
export async function memoryGrowth(
  tmp: string,
  bin: string,
  size: string,
  limits: readonly number[],
): Promise<MemoryPoint[]> {
  const points: MemoryPoint[] = [];
  const out = join(tmp, "memory.json");
  const probe = join(root, "bench", "breakdown", "probe.ts");
  for (const limit of limits) {
    const m = await run(tmp, [
      deno,
      "run",
      "-A",
      // The probe collects garbage before it reads the heap: what is left is live.
      "--v8-flags=--expose-gc",
      probe,
      "check",
      "--json",
      "--trace-out=/dev/null",
      `--max-executions=${limit}`,
      "--",
      bin,
      size,
    ], {
      ISOMC_BENCH_OUT: out,
      ISOMC_BENCH_HEAP_EVERY: String(Math.max(100, Math.floor(limit / 20))),
    });
    const st = statsOf(m.stdout);
    const probed = JSON.parse(await Deno.readTextFile(out));
    const end = probed.memory as Deno.MemoryUsage;
    const live = probed.live as Deno.MemoryUsage;
    const searchPeak = (probed.heapDuringSearch?.peak ?? 0) as number;
    const samples = (probed.heapDuringSearch?.samples ?? []) as [number, number][];
    points.push({
      max_executions: limit,
      executions: Number(st.executions),
      max_depth: Number(st.max_depth),
      seconds: st.seconds,
      max_rss_kib: m.max_rss_kib,
      end,
      live,
      live_peak_during_search: searchPeak,
      live_samples: samples,
    });
    console.log(
      `lastzero(${size}), at most ${limit} executions: peak ${
        Math.round(m.max_rss_kib / 1024)
      } MiB, live heap at most ${(searchPeak / 2 ** 20).toFixed(1)} MiB during the search, ${
        (live.heapUsed / 2 ** 20).toFixed(1)
      } MiB after it`,
    );
  }
  return points;
}

/** What probe.ts writes for an instrumented run. */
interface Probed {
  timers: TimerData;
  program: { onCpuUs: number; waitUs: number; processes: number };
  checker: { onCpuUs: number; waitUs: number; wallUs: number };
  timerCost: TimerCost;
}

async function measureCase(
  tmp: string,
  c: Case,
  bin: string,
  plainRuns: number,
  floorUs: number,
  perf: boolean,
): Promise<CaseResult> {
  const check = ["check", "--json", "--trace-out=/dev/null", ...c.options, "--", bin, ...c.args];
  const command = [join(root, "isomc"), ...check];
  const walls: number[] = [];
  const searches: number[] = [];
  let stats: Stats | null = null;
  let rss = 0;
  for (let i = 0; i < plainRuns; i++) {
    const m = await run(tmp, command);
    stats = statsOf(m.stdout);
    walls.push(m.wall_s);
    searches.push(stats.seconds);
    rss = Math.max(rss, m.max_rss_kib);
  }
  // The instrumented runs: as many as the plain ones; each component is the least of them.
  const timersOut = join(tmp, `${c.key}-timers.json`);
  const probe = join(root, "bench", "breakdown", "probe.ts");
  const probes: { stats: Stats; probed: Probed }[] = [];
  for (let i = 0; i < plainRuns; i++) {
    const inst = await run(tmp, [deno, "run", "-A", probe, ...check], {
      ISOMC_BENCH_TIMERS: "ffi",
      ISOMC_BENCH_OUT: timersOut,
    });
    probes.push({
      stats: statsOf(inst.stdout),
      probed: JSON.parse(await Deno.readTextFile(timersOut)),
    });
  }

  const profDir = join(tmp, `${c.key}-prof`);
  await run(tmp, [
    deno,
    "run",
    "-A",
    "--cpu-prof",
    `--cpu-prof-dir=${profDir}`,
    "--cpu-prof-interval=100",
    cli,
    ...check,
  ]);
  let profile = null;
  for await (const e of Deno.readDir(profDir)) {
    const p = JSON.parse(await Deno.readTextFile(join(profDir, e.name))) as CpuProfile;
    profile = summarizeProfile(p, root);
  }
  let perfShares = null;
  if (perf) {
    const data = join(tmp, `${c.key}.perf`);
    await run(tmp, [
      "perf",
      "record",
      "-q",
      "-e",
      "cpu-clock",
      "-F",
      "4999",
      "-o",
      data,
      "--",
      deno,
      "run",
      "-A",
      cli,
      ...check,
    ]);
    const report = await ok("perf", ["report", "-i", data, "--stdio", "--sort", "comm,dso"]);
    if (report !== null) {
      perfShares = groupPerf(
        parsePerfReport(report),
        bin.split("/").pop()!,
      );
    }
  }
  const analysis =
    profile?.areas["DPOR analysis (happens-before, races, wakeup trees, sleep sets)"] ?? 0;
  const loop = profile?.areas["search loop (explorer, DFS, statistics)"] ?? 0;
  const analysisShare = profile === null || analysis + loop === 0
    ? null
    : analysis / (analysis + loop);
  const perRun = probes.map(({ stats: st, probed }) =>
    components({
      timers: probed.timers,
      transitions: st.transitions,
      searchUs: st.seconds * 1e6,
      plainSearchUs: Math.min(...searches) * 1e6,
      programOnCpuUs: probed.program.onCpuUs,
      cost: probed.timerCost,
      floorUs,
      analysisShare,
    })
  );
  return {
    key: c.key,
    label: c.label,
    command,
    plain: { wall_s: walls, search_s: searches, max_rss_kib: rss },
    stats: stats!,
    instrumented: probes.map(({ stats: st, probed }) => ({
      stats: st,
      timers: probed.timers,
      program: probed.program,
      checker: probed.checker,
      timerCost: probed.timerCost,
    })),
    profile,
    perf: perfShares,
    components: leastOf(perRun),
    componentsPerRun: perRun,
  };
}

export async function runBreakdown(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { quick: { type: "boolean" } } });
  const quick = values.quick === true;
  const list = cases(quick);
  const tmp = await Deno.makeTempDir({ prefix: "isomc-breakdown-" });
  try {
    const bins = await build(tmp, list);
    const floor = JSON.parse((await ok(join(tmp, "roundtrip"), []))!);
    const perf = (await ok("perf", ["stat", "-e", "task-clock", "true"])) !== null;
    const machine = await describeMachine();
    const loadBefore = (await Deno.readTextFile("/proc/loadavg")).trim();
    const date = new Date().toISOString();
    console.log(
      `machine: ${machine.cpu}, ${machine.cores} cores; load ${loadBefore}; floor ${
        JSON.stringify(floor)
      } µs; perf ${perf ? "yes" : "no"}`,
    );
    const start = await startup(tmp, bins.get("bench/programs/yields.c")!, quick ? 3 : 10);
    const results: CaseResult[] = [];
    for (const c of list) {
      console.log(`== ${c.label}`);
      results.push(
        await measureCase(tmp, c, bins.get(c.source)!, quick ? 1 : 3, floor.same_cpu_us, perf),
      );
    }
    const size = quick ? "10" : "15";
    const limits = quick ? [100, 1000, 3328] : [1_000, 10_000, 50_000, 147_456];
    const memory = await memoryGrowth(tmp, bins.get("examples/dpor/lastzero.c")!, size, limits);
    const loadAfter = (await Deno.readTextFile("/proc/loadavg")).trim();
    const stem = quick ? "partial-breakdown" : "breakdown";
    const md = [
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, Linux ${machine.kernel}; Deno ${machine.deno}.`,
      `Date: ${date}. Load average before: ${loadBefore}; after: ${loadAfter}. Round trip floor: ${floor.same_cpu_us} µs on one CPU, ${floor.two_cpus_us} µs across two.`,
      "",
      markdown(results, start),
      "",
      memoryTable(size, memory),
    ].join("\n") + "\n";
    const dir = join(root, "bench", "results");
    await Deno.writeTextFile(
      join(dir, `${stem}.json`),
      JSON.stringify(
        {
          date,
          machine,
          loadBefore,
          loadAfter,
          floor_us: floor,
          startup_ms: start,
          results,
          memory,
        },
        null,
        2,
      ) + "\n",
    );
    await Deno.writeTextFile(join(dir, `${stem}.md`), md);
    console.log(`\n${md}\nwritten: bench/results/${stem}.json, ${stem}.md`);
    return 0;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await runBreakdown(Deno.args));
