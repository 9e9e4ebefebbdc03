/**
 * `deno task bench` (./isomc bench): reproduces every benchmark. It builds the pinned inputs,
 * times each case with hyperfine (--export-json), runs it once more with `isomc check --json`
 * for the checker's own counters, and writes everything — with a description of the machine —
 * under bench/results/. Results are compared as ratios between strategies measured in the same
 * run; bench/README.md records them with the machine they came from.
 *
 *   ./isomc bench [--quick] [--only=NAME,...]
 *   ./isomc bench --peers [...]   side by side with Nidhugg and GenMC (bench/peers.ts)
 *   ./isomc bench --breakdown     where one transition's time goes (bench/breakdown.ts)
 *   ./isomc bench --parallel      --jobs's speed-up and the scaling simulation (bench/parallel.ts)
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { basename, join } from "node:path";
import { compile } from "../lib/build/cc.ts";
import { type BenchCase, cases } from "./cases.ts";
import { describeMachine } from "./machine.ts";
import { runPeers } from "./peers.ts";
import { runBreakdown } from "./breakdown.ts";
import { parallelOptions, runParallel } from "./parallel.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const resultsDir = join(root, "bench", "results");
const buildDir = join(root, ".isomc", "bench");

interface CaseResult {
  name: string;
  group: string;
  command: string[];
  mean_s: number;
  /** null for a single run. */
  stddev_s: number | null;
  runs: number;
  stats: Record<string, unknown> | null;
  verdict: string | null;
}

async function hyperfine(
  dir: string,
  name: string,
  command: string[],
  runs: number,
  warmup: number,
): Promise<{ mean: number; stddev: number | null; runs: number }> {
  const out = join(dir, `${name}.json`);
  const quoted = command.map((
    a,
  ) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
  const r = await new Deno.Command("hyperfine", {
    args: [
      "--warmup",
      String(warmup),
      "--runs",
      String(runs),
      "-N",
      "--ignore-failure",
      "--export-json",
      out,
      quoted,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) throw new Error(`hyperfine failed on ${name}`);
  const data = JSON.parse(await Deno.readTextFile(out));
  const res = data.results[0];
  // hyperfine reports no standard deviation for a single run.
  return { mean: res.mean, stddev: res.stddev ?? null, runs: res.times.length };
}

async function checkerStats(
  command: string[],
): Promise<{ stats: Record<string, unknown> | null; verdict: string | null }> {
  const r = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "null",
  }).output();
  try {
    const report = JSON.parse(new TextDecoder().decode(r.stdout));
    return { stats: report.stats ?? null, verdict: report.verdict ?? null };
  } catch {
    return { stats: null, verdict: null };
  }
}

function num(v: unknown): number {
  return typeof v === "number" ? v : NaN;
}

function table(results: readonly CaseResult[]): string {
  const lines = [
    "| case | verdict | executions | transitions | command s (± sd) | search s | transitions/s | restores | ms/restore | KiB read/snapshot |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    const st = r.stats ?? {};
    const state = (st.state ?? {}) as Record<string, unknown>;
    const tr = num(st.transitions);
    const restores = num(st.restores);
    const perRestore = restores > 0 ? (num(st.restore_seconds) * 1000 / restores).toFixed(3) : "-";
    const snaps = num(state.snapshots);
    const perSnap = snaps > 0 ? (num(state.bytes_read) / 1024 / snaps).toFixed(1) : "-";
    lines.push(
      `| ${r.name} | ${r.verdict ?? "?"} | ${num(st.executions)} | ${tr} | ${r.mean_s.toFixed(3)}${
        r.stddev_s === null ? "" : ` (± ${r.stddev_s.toFixed(3)})`
      } | ${num(st.seconds).toFixed(3)} | ${
        Math.round(tr / num(st.seconds))
      } | ${restores} | ${perRestore} | ${perSnap} |`,
    );
  }
  return lines.join("\n");
}

/** The floor: a bare round trip between two processes, on one CPU and on two. */
async function floor(): Promise<Record<string, number>> {
  const bin = join(buildDir, "roundtrip");
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", bin, join(root, "bench", "floor", "roundtrip.c")],
  }).output();
  if (!cc.success) return {};
  const out = await new Deno.Command(bin, { stdout: "piped" }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const usage = `Usage: isomc bench [--quick] [--only=NAME,...]
       isomc bench --peers [--help] [...]
       isomc bench --breakdown [--quick]
       isomc bench --parallel [--quick] [--only=NAMES] [--runs=N]

Runs the benchmarks (bench/README.md) and writes their results under bench/results/:
  (none)        isomc's restore strategies and reductions against each other
  --peers       isomc side by side with Nidhugg and GenMC (see --peers --help)
  --breakdown   where one transition's time goes, the start-up, memory as executions grow
  --parallel    --jobs=2 against --jobs=1 and the sequential search (--runs=N times round
                robin, default 3), the 2-CPU bound, the scaling simulation
  --quick       run less (each case once, smaller inputs), into results/partial*
  --only=NAMES  run only these cases (bench/cases.ts), into results/partial*
  -h, --help    this help

Exit codes: 0 done, 2 usage.`;

/**
 * What `parse` returns, or null after one line on stderr when an option is unknown: parseArgs
 * throws a TypeError, whose stack is no answer to a typing mistake.
 */
function parsed<T>(mode: string, parse: () => T): T | null {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    console.error(`isomc bench${mode}: ${e.message} (see isomc bench --help)`);
    return null;
  }
}

async function main(): Promise<number> {
  const values = parsed("", () =>
    parseArgs({
      args: Deno.args,
      options: { quick: { type: "boolean" }, only: { type: "string" } },
    }).values);
  if (values === null) return 2;
  const only = values.only?.split(",");
  // A partial or quick run must not replace the full results the README quotes.
  const stem = values.quick || only !== undefined ? "partial" : "latest";
  const hyperfineDir = join(resultsDir, stem === "latest" ? "hyperfine" : "partial-hyperfine");
  await Deno.mkdir(hyperfineDir, { recursive: true });
  await Deno.mkdir(buildDir, { recursive: true });
  const machine = await describeMachine();
  await Deno.writeTextFile(
    join(resultsDir, "machine.json"),
    JSON.stringify(machine, null, 2) + "\n",
  );
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Linux ${machine.kernel}`);

  const selected: BenchCase[] = cases.filter((c) => only === undefined || only.includes(c.name));
  const binaries = new Map<string, string>();
  for (const c of selected) {
    if (binaries.has(c.source)) continue;
    const out = join(buildDir, c.source.replaceAll("/", "_").replace(/\.c$/, ""));
    await compile([join(root, c.source)], out, ["-O2"]);
    binaries.set(c.source, out);
  }

  const results: CaseResult[] = [];
  for (const c of selected) {
    const command = [
      join(root, "isomc"),
      "check",
      "--json",
      "--trace-out=/dev/null",
      ...c.options,
      "--",
      binaries.get(c.source)!,
      ...c.args,
    ];
    console.log(`\n== ${c.name}: ${c.description}`);
    const timing = await hyperfine(
      hyperfineDir,
      c.name,
      command,
      values.quick ? 1 : c.runs,
      values.quick ? 0 : c.warmup ?? 1,
    );
    const { stats, verdict } = await checkerStats(command);
    results.push({
      name: c.name,
      group: c.group,
      command,
      mean_s: timing.mean,
      stddev_s: timing.stddev,
      runs: timing.runs,
      stats,
      verdict,
    });
  }
  const roundTrip = await floor();
  console.log(`\nfloor: round trip ${JSON.stringify(roundTrip)} (microseconds)`);
  const report = { date: new Date().toISOString(), machine, floor_us: roundTrip, results };
  await Deno.writeTextFile(
    join(resultsDir, `${stem}.json`),
    JSON.stringify(report, null, 2) + "\n",
  );
  const md = table(results);
  await Deno.writeTextFile(join(resultsDir, `${stem}.md`), md + "\n");
  console.log(
    `\n${md}\n\nwritten: bench/results/${stem}.json, ${stem}.md, machine.json, ${
      basename(hyperfineDir)
    }/*.json`,
  );
  return 0;
}

if (import.meta.main) {
  if (Deno.args.includes("--peers")) {
    Deno.exit(await runPeers(Deno.args.filter((a) => a !== "--peers")));
  }
  if (Deno.args.includes("--parallel")) {
    const rest = Deno.args.filter((a) => a !== "--parallel");
    if (parsed(" --parallel", () => parseArgs({ args: rest, options: parallelOptions })) === null) {
      Deno.exit(2);
    }
    Deno.exit(await runParallel(rest));
  }
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  if (Deno.args.includes("--breakdown")) {
    const rest = Deno.args.filter((a) => a !== "--breakdown");
    const known = { quick: { type: "boolean" } } as const;
    if (parsed(" --breakdown", () => parseArgs({ args: rest, options: known })) === null) {
      Deno.exit(2);
    }
    Deno.exit(await runBreakdown(rest));
  }
  Deno.exit(await main());
}
