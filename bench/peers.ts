/**
 * `./isomc bench --peers`: isomc side by side with Nidhugg (optimal DPOR) and GenMC on the
 * classic DPOR benchmarks, and with SimGrid's checker on SimGrid's examples when a SimGrid
 * build is given (bench/peers/simgrid.ts), on this machine, in one run. It finds or builds
 * Nidhugg and GenMC (bench/peers/install.ts; SimGrid is never built here), builds isomc's ports
 * with `isomc cc -O2`, then runs the tools alternately — isomc, Nidhugg, GenMC, isomc, ... on
 * each program — timing whole commands with bench/peers/measure.c, checks that every run
 * reports the same trace count, and writes bench/results/peers.{json,md} (--quick, --only:
 * partial-peers.{json,md}, ignored by git).
 *
 * Exit status: 0 every run agreed, 1 some run failed or reported another count, 2 usage,
 * 3 a peer or an input could not be found or built.
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { compile, plainCompilerCommand } from "../lib/build/cc.ts";
import { InputError } from "../lib/errors.ts";
import { describeMachine } from "./machine.ts";
import { parsePeerOptions, type PeerOptions, peerUsage, PeerUsageError } from "./peers/options.ts";
import { locatePeers, PeerSetupError, peerVersions } from "./peers/install.ts";
import {
  dporTools,
  type PeerProgram,
  quickPrograms,
  toolCommand,
  type ToolName,
  type ToolPaths,
} from "./peers/programs.ts";
import { disagreement, parseReport, type ToolReport } from "./peers/parse.ts";
import {
  isomcSimgridCommand,
  missingSimgridFiles,
  simgridCommand,
  simgridDisagreement,
  type SimgridProgram,
  simgridVersion,
} from "./peers/simgrid.ts";
import {
  allAgree,
  markdownTable,
  type Measurement,
  type RunRecord,
  simgridTable,
  summarize,
  type TableProgram,
} from "./peers/table.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const text = new TextDecoder();
/** The warm-up program: the smallest, whatever the run measures. */
const warm = quickPrograms[0];

async function loadAverage(): Promise<number[]> {
  const s = await Deno.readTextFile("/proc/loadavg").catch(() => "");
  return s.split(" ").slice(0, 3).map(Number);
}

async function buildMeasure(buildDir: string): Promise<string> {
  const bin = join(buildDir, "measure");
  const [cc, ...ccArgs] = plainCompilerCommand();
  const r = await new Deno.Command(cc, {
    args: [...ccArgs, "-O2", "-o", bin, join(root, "bench", "peers", "measure.c")],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) throw new PeerSetupError(`cannot build measure.c: ${text.decode(r.stderr)}`);
  return bin;
}

/**
 * isomc's ports, one binary per source (the size is an argument), keyed by source; or, with
 * --same-c, the peers' own files, one binary per program (the size a -D macro), keyed by
 * program.
 */
async function buildPorts(
  buildDir: string,
  programs: readonly PeerProgram[],
  sameC: string | null,
): Promise<Map<string, string>> {
  const bins = new Map<string, string>();
  for (const p of programs) {
    if (sameC !== null) {
      const out = join(buildDir, `same-c-${p.key}`);
      const define = `-D${p.sizeMacro}=${p.size}`;
      if (!bins.has(p.key)) await compile([join(sameC, p.peerSource)], out, ["-w", define]);
      bins.set(p.key, out);
      continue;
    }
    if (bins.has(p.isomcSource)) continue;
    const out = join(buildDir, p.isomcSource.replaceAll("/", "_").replace(/\.c$/, ""));
    await compile([join(root, p.isomcSource)], out, ["-O2"]);
    bins.set(p.isomcSource, out);
  }
  return bins;
}

async function measured(
  measure: string,
  command: readonly string[],
): Promise<{ m: Measurement; stdout: string; stderr: string }> {
  const out = `${measure}.json`;
  const r = await new Deno.Command(measure, {
    args: [out, "--", ...command],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) {
    throw new PeerSetupError(`measure failed on ${command.join(" ")}: ${text.decode(r.stderr)}`);
  }
  const m = JSON.parse(await Deno.readTextFile(out)) as Measurement;
  return { m, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

const labels: Record<ToolName, string> = {
  isomc: "isomc",
  nidhugg: "Nidhugg",
  genmc: "GenMC",
  simgrid: "SimGrid",
};

/** One program of a table with the command each of its tools runs on it. */
interface Job extends TableProgram {
  command(tool: ToolName): string[];
  /** Why a run does not count; by default, not the expected trace count (disagreement). */
  problem?(tool: ToolName, report: ToolReport, exitCode: number): string | null;
}

/**
 * Runs `tools` in turn on each job, `runs` rounds each, after one unrecorded run of each tool
 * on `warmUp`: caches (Deno's, the page cache) are warm for all.
 */
async function runAll(
  jobs: readonly Job[],
  warmUp: Job,
  tools: readonly ToolName[],
  runsPerTool: number,
  measure: string,
): Promise<RunRecord[]> {
  for (const tool of tools) await measured(measure, warmUp.command(tool));
  const runs: RunRecord[] = [];
  for (const p of jobs) {
    for (let round = 1; round <= runsPerTool; round++) {
      for (const tool of tools) {
        const load1 = (await loadAverage())[0];
        const { m, stdout, stderr } = await measured(measure, p.command(tool));
        const report = parseReport(tool, stdout, stderr);
        const problem = p.problem === undefined
          ? disagreement(report, p.traces, m.exit)
          : p.problem(tool, report, m.exit);
        runs.push({ ...m, program: p.key, tool, round, report, problem, load1 });
        console.log(
          `${p.label} ${labels[tool]} run ${round}: ${m.wall_s.toFixed(2)} s, ${
            report.traces?.toLocaleString("en-US") ?? "?"
          } traces, ${Math.round(m.max_rss_kib / 1024)} MiB, load ${load1}${
            problem === null ? "" : ` — does not count: ${problem}`
          }`,
        );
        if (problem !== null && stderr.trim() !== "") {
          console.log(stderr.trim().split("\n").slice(-5).map((l) => `  | ${l}`).join("\n"));
        }
      }
    }
  }
  return runs;
}

async function isomcVersion(): Promise<string> {
  try {
    const r = await new Deno.Command("git", {
      args: ["describe", "--always", "--dirty"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    return r.success ? `isomc ${text.decode(r.stdout).trim()}` : "isomc (no git)";
  } catch {
    return "isomc (no git)";
  }
}

function header(
  machine: Awaited<ReturnType<typeof describeMachine>>,
  date: string,
  load: { min: number; max: number; before: number[]; after: number[] },
  versions: Record<string, string>,
  runs: number,
): string {
  return [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, Linux ${machine.kernel}; Deno ${machine.deno}, Zig ${machine.zig}.`,
    `Date: ${date}. Load average (1 min) during the run: ${load.min.toFixed(2)}-${
      load.max.toFixed(2)
    } (before: ${load.before.join(" ")}; after: ${load.after.join(" ")}).`,
    `Tools: ${Object.values(versions).join("; ")}.`,
    `Whole-command wall time, median of ${runs} alternating run${runs === 1 ? "" : "s"} per tool.`,
  ].join("\n");
}

export async function runPeers(args: readonly string[]): Promise<number> {
  let options: PeerOptions;
  try {
    options = parsePeerOptions(args, Deno.env.toObject(), root);
  } catch (e) {
    if (!(e instanceof PeerUsageError)) throw e;
    console.error(`isomc bench --peers: ${e.message} (see --peers --help)`);
    return 2;
  }
  if (options.help) {
    console.log(peerUsage);
    return 0;
  }
  // The ports and the timer are built per run: two runs at once must not share binaries.
  const buildDir = await Deno.makeTempDir({ prefix: "isomc-peers-" });
  try {
    return await measurePeers(options, buildDir);
  } catch (e) {
    if (!(e instanceof PeerSetupError || e instanceof InputError)) throw e;
    console.error(`isomc bench --peers: ${e.message}`);
    return 3;
  } finally {
    await Deno.remove(buildDir, { recursive: true });
  }
}

/** The SimGrid build, checked to hold what the programs need. */
async function locateSimgrid(options: PeerOptions): Promise<string | null> {
  const dir = options.simgrid;
  if (options.simgridPrograms.length === 0 || dir === null) return null;
  const missing = await missingSimgridFiles(dir, options.simgridPrograms);
  if (missing.length > 0) {
    throw new PeerSetupError(
      `${dir} is not a SimGrid build directory with model checking and sthread: ${
        missing.join(", ")
      } missing`,
    );
  }
  return dir;
}

/** isomc's ports of SimGrid's S4U examples, keyed by source. */
async function buildSimgridPorts(
  buildDir: string,
  programs: readonly SimgridProgram[],
): Promise<Map<string, string>> {
  const bins = new Map<string, string>();
  for (const p of programs) {
    if (p.isomcSource === null || bins.has(p.isomcSource)) continue;
    const out = join(buildDir, p.isomcSource.replaceAll("/", "_").replace(/\.c$/, ""));
    await compile([join(root, p.isomcSource)], out, ["-O2"]);
    bins.set(p.isomcSource, out);
  }
  return bins;
}

async function measurePeers(options: PeerOptions, buildDir: string): Promise<number> {
  const dporRun = options.programs.length > 0;
  const tools = options.tools.filter((t) => dporTools.includes(t));
  const dirs = dporRun ? await locatePeers(options, root) : { nidhugg: null, genmc: null };
  const simgrid = await locateSimgrid(options);
  if (options.simgrid === null) {
    console.log("SimGrid rows left out: no SimGrid build given (--simgrid=DIR or ISOMC_SIMGRID)");
  }
  const measure = await buildMeasure(buildDir);
  const ports = dporRun && tools.includes("isomc") ? [warm, ...options.programs] : [];
  if (options.sameC && dirs.nidhugg === null) {
    throw new PeerSetupError("--same-c needs Nidhugg's checkout: its benchmarks/ are the C files");
  }
  const bins = await buildPorts(buildDir, ports, options.sameC ? dirs.nidhugg : null);
  const sgBins = options.tools.includes("isomc")
    ? await buildSimgridPorts(buildDir, options.simgridPrograms)
    : new Map<string, string>();
  const paths: ToolPaths = {
    isomc: join(root, "isomc"),
    nidhugg: dirs.nidhugg ?? "",
    genmc: dirs.genmc ?? "",
    python: "python3",
    simgrid: simgrid ?? "",
  };
  const machine = await describeMachine();
  const versions: Record<string, string> = {
    isomc: await isomcVersion(),
    ...await peerVersions(dirs, paths.python),
    ...(simgrid === null ? {} : { simgrid: await simgridVersion(simgrid) }),
  };
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Linux ${machine.kernel}`);
  console.log(`tools: ${Object.values(versions).join("; ")}`);
  const dporJob = (p: PeerProgram): Job => ({
    ...p,
    command: (tool) =>
      toolCommand(tool, p, paths, bins.get(options.sameC ? p.key : p.isomcSource)!, options.sameC),
  });
  const sgTools = options.tools.filter((t) => t === "isomc" || t === "simgrid");
  const sgJob = (p: SimgridProgram): Job => ({
    ...p,
    problem: (tool, report, exitCode) =>
      simgridDisagreement(p, report, tool === "simgrid" ? "simgrid" : "isomc", exitCode),
    command: (tool) =>
      tool === "simgrid" ? simgridCommand(p, paths.simgrid!) : isomcSimgridCommand(
        p,
        paths.isomc,
        paths.simgrid!,
        p.isomcSource === null ? null : sgBins.get(p.isomcSource)!,
      ),
  });
  const before = await loadAverage();
  const date = new Date().toISOString();
  const dporRuns = dporRun
    ? await runAll(options.programs.map(dporJob), dporJob(warm), tools, options.runs, measure)
    : [];
  const sgPrograms = simgrid === null ? [] : options.simgridPrograms;
  // The warm-up is the smallest program, whatever the run measures.
  const sgWarm =
    [...sgPrograms].sort((a, b) =>
      (a.violation === null ? a.traces : Infinity) - (b.violation === null ? b.traces : Infinity)
    )[0];
  const sgRuns = sgPrograms.length === 0
    ? []
    : await runAll(sgPrograms.map(sgJob), sgJob(sgWarm), sgTools, options.runs, measure);
  const runs = [...dporRuns, ...sgRuns];
  const after = await loadAverage();
  const loads = runs.map((r) => r.load1);
  const load = { min: Math.min(...loads), max: Math.max(...loads), before, after };
  const dporRows = summarize(options.programs, tools, dporRuns);
  const sgRows = summarize(sgPrograms, sgTools, sgRuns);
  const rows = [...dporRows, ...sgRows];
  // SimGrid's table alone goes beside the DPOR table, not over it.
  const stem = `${options.partial ? "partial-" : ""}${options.sameC ? "same-c-" : ""}${
    dporRun ? "" : "simgrid-"
  }peers`;
  const tables = [
    ...(dporRows.length > 0 ? [markdownTable(dporRows)] : []),
    ...(sgRows.length > 0 ? [`Against SimGrid's checker:\n\n${simgridTable(sgRows, sgRuns)}`] : []),
  ];
  const md = `${header(machine, date, load, versions, options.runs)}\n\n${tables.join("\n\n")}\n`;
  const out = join(options.resultsDir, stem);
  await Deno.mkdir(options.resultsDir, { recursive: true });
  await Deno.writeTextFile(
    `${out}.json`,
    JSON.stringify(
      {
        date,
        machine,
        versions,
        load,
        runs_per_tool: options.runs,
        rows: dporRows,
        simgrid_rows: sgRows,
        runs,
      },
      null,
      2,
    ) + "\n",
  );
  await Deno.writeTextFile(`${out}.md`, md);
  console.log(`\n${md}\nwritten: ${out}.json, ${out}.md`);
  if (!allAgree(rows)) {
    console.error("isomc bench --peers: some runs failed or reported another trace count");
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await runPeers(Deno.args));
