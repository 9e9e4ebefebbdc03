/**
 * `./isomc bench --parallel`: the parallel search's speed-up on this machine and the scaling
 * simulation. Each case runs sequentially, with --jobs=1 and with --jobs=2 (`isomc check
 * --json`, wall-clock time around the whole command), --runs times round robin (the three
 * modes one after the other, then again), so that a machine whose speed drifts over minutes
 * (this one's did by 20 %) moves every mode alike; the medians are kept. Each case also gets
 * the bound no 2-CPU schedule passes: --jobs=1's own CPU time (its coordinator, worker, the
 * worker's helper threads and its program) spread over two CPUs. The --jobs=1 runs also record
 * their job log (ISOMC_PARALLEL_LOG, lib/parallel/job_log.ts; the last one is kept), which the
 * simulation (lib/parallel/scaling.ts) replays with 1 to 1,024 workers, locally and over a
 * cluster network. Writes
 * results/parallel.{json,md} (results/partial-parallel.* with --quick or --only).
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { compile } from "../lib/build/cc.ts";
import type { JobLog } from "../lib/parallel/job_log.ts";
import { type Network, replay, type ReplayJob } from "../lib/parallel/scaling.ts";
import { describeMachine } from "./machine.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const resultsDir = join(root, "bench", "results");
const buildDir = join(root, ".isomc", "bench");

interface ParallelCase {
  readonly name: string;
  readonly program: string;
  readonly args: readonly string[];
  readonly reduction: string;
}

const parallelCase = (program: string, n: number, reduction: string): ParallelCase => ({
  name: `${program}${n}-${reduction}`,
  program,
  args: [String(n)],
  reduction,
});

const cases: readonly ParallelCase[] = [
  parallelCase("lastzero", 5, "sleep"),
  parallelCase("readers", 7, "sleep"),
  parallelCase("lastzero", 12, "odpor"),
  parallelCase("readers", 13, "odpor"),
  parallelCase("indexer", 15, "odpor"),
];

/** The networks the simulation replays over: this machine's Unix socket, a cluster's TCP. */
const networks: Record<string, Network> = {
  local: { latency: 0, bandwidth: Infinity },
  cluster: { latency: 50e-6, bandwidth: 1.25e9 },
};
const simulatedWorkers = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024];

interface Run {
  readonly mode: string;
  /** The median of the runs' wall-clock times (and cpu_s the median of their CPU times). */
  readonly wall_s: number;
  /** Every run's wall-clock time, in the order they ran. */
  readonly walls_s?: readonly number[];
  /**
   * CPU seconds of the whole run: the check, its workers and their programs (each waits for
   * its children, so all are in our children's times). Steadier than wall on a shared machine.
   */
  readonly cpu_s: number;
  readonly verdict: string;
  readonly executions: number;
  readonly transitions: number;
  readonly states: number;
  readonly sleep_blocked: number;
  readonly parallel: Record<string, number> | null;
}

/** Our waited-for children's user and system time, in seconds (/proc/self/stat, USER_HZ 100). */
function childrenCpu(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime: fields 16 and 17 of proc(5), 14 and 15 after the command's name.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function timed(argv: string[], env: Record<string, string> = {}): Promise<Run | null> {
  const cpuFrom = childrenCpu();
  const from = performance.now();
  const out = await new Deno.Command(join(root, "isomc"), {
    args: argv,
    env,
    stdout: "piped",
    stderr: "inherit",
    // A cut run (SIGTERM) still reports its counts so far: --json's interrupted verdict.
    signal: AbortSignal.timeout(600_000),
  }).output().catch(() => null);
  const wall = (performance.now() - from) / 1000;
  const cpu = childrenCpu() - cpuFrom;
  if (out === null) return null;
  try {
    const json = JSON.parse(new TextDecoder().decode(out.stdout));
    return {
      mode: "",
      wall_s: Number(wall.toFixed(3)),
      cpu_s: Number(cpu.toFixed(2)),
      verdict: json.verdict,
      executions: json.stats.executions,
      transitions: json.stats.transitions,
      states: json.stats.states,
      sleep_blocked: json.stats.sleep_blocked,
      parallel: json.parallel ?? null,
    };
  } catch {
    return null;
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The speed-up over --jobs=1 that no schedule of --jobs=2 on two CPUs passes: the second
 * worker explores nothing the first did not, so the two runs' CPU time is at least --jobs=1's,
 * and two CPUs take at least half of it: 2 x wall / CPU of --jobs=1. Its start, its own JIT and
 * the split's messages only lower it further.
 */
export function twoCpuBound(one: { wall_s: number; cpu_s: number }): number {
  return one.cpu_s > 0 ? (2 * one.wall_s) / one.cpu_s : Infinity;
}

/** The log's jobs as the simulation takes them: a job's cost is its time away from us. */
export function replayJobs(log: JobLog): ReplayJob[] {
  return log.jobs.map((j) => ({
    id: j.id,
    cost: Math.max(0, j.received - j.sent),
    jobBytes: j.jobBytes,
    outcomeBytes: j.outcomeBytes,
    hand: j.handSeconds,
    take: j.takeSeconds,
  }));
}

/** The options of `isomc bench --parallel` (bench/run.ts checks them with these too). */
export const parallelOptions = {
  quick: { type: "boolean" },
  only: { type: "string" },
  runs: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function runParallel(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: parallelOptions });
  if (values.help) {
    console.log(`Usage: isomc bench --parallel [--quick] [--only=NAME,...] [--runs=N]

Runs each case sequentially, with --jobs=1 and --jobs=2, N times round robin (default 3, 1 with
--quick; medians kept), then replays the --jobs=1 run's job log with 1 to 1,024 simulated
workers. The "bound" column is the speed-up over --jobs=1 that no schedule on 2 CPUs passes:
2 x its wall / its CPU time.
Cases: ${cases.map((c) => c.name).join(", ")}.
--quick runs the sleep cases only; results/partial-parallel.* then. A case's --jobs=1 job log
is kept in .isomc/bench/CASE.jobs.json.`);
    return 0;
  }
  const only = values.only?.split(",");
  const rounds = Number(values.runs ?? (values.quick ? "1" : "3"));
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(
      `isomc bench --parallel: --runs must be a positive integer (not '${values.runs}')`,
    );
    return 2;
  }
  const chosen = cases.filter((c) =>
    only !== undefined ? only.includes(c.name) : !values.quick || c.reduction === "sleep"
  );
  await Deno.mkdir(buildDir, { recursive: true });
  await Deno.mkdir(resultsDir, { recursive: true });
  const results: Result[] = [];
  for (const c of chosen) {
    const binary = join(buildDir, `${c.program}-parallel`);
    await compile([join(root, "examples", "dpor", `${c.program}.c`)], binary, ["-O2"]);
    const check = ["check", "--json", `--reduction=${c.reduction}`];
    const program = ["--", binary, ...c.args];
    const logPath = join(buildDir, `${c.name}.jobs.json`);
    const loadBefore = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
    const modes = [
      ["sequential", ["--no-visited"], {}],
      ["--jobs=1", ["--jobs=1"], { ISOMC_PARALLEL_LOG: logPath }],
      ["--jobs=2", ["--jobs=2"], {}],
    ] as const;
    const each = new Map<string, Run[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const [mode, extra, env] of modes) {
        console.error(`bench: ${c.name} ${mode} (${round}/${rounds})`);
        const r = await timed([...check, ...extra, ...program], env);
        if (r !== null) each.set(mode, [...(each.get(mode) ?? []), { ...r, mode }]);
      }
    }
    const runs = modes.flatMap(([mode]) => {
      const rs = each.get(mode) ?? [];
      return rs.length === 0 ? [] : [{
        ...rs[rs.length - 1],
        wall_s: median(rs.map((r) => r.wall_s)),
        cpu_s: median(rs.map((r) => r.cpu_s)),
        walls_s: rs.map((r) => r.wall_s),
      }];
    });
    const loadAfter = (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
    let simulation = null;
    try {
      const log = JSON.parse(await Deno.readTextFile(logPath)) as JobLog;
      const jobs = replayJobs(log);
      simulation = Object.entries(networks).map(([name, network]) => {
        const one = replay(jobs, 1, network).makespan;
        return {
          network: name,
          jobs: jobs.length,
          bytes: jobs.reduce((s, j) => s + j.jobBytes + j.outcomeBytes, 0),
          points: simulatedWorkers.map((n) => {
            const r = replay(jobs, n, network);
            return {
              workers: n,
              makespan_s: Number(r.makespan.toFixed(3)),
              speedup: Number((one / r.makespan).toFixed(2)),
              work_bound_s: Number(r.workBound.toFixed(3)),
              coordinator_bound_s: Number(r.coordinatorBound.toFixed(3)),
              critical_path_s: Number(r.criticalPath.toFixed(3)),
              coordinator_load: Number(r.coordinatorLoad.toFixed(2)),
            };
          }),
        };
      });
    } catch (e) {
      console.error(`bench: ${c.name}: no job log (${(e as Error).message})`);
    }
    results.push({ ...c, load: [loadBefore, loadAfter], runs, simulation });
  }
  const stem = values.quick || only !== undefined ? "partial-parallel" : "parallel";
  const machine = await describeMachine();
  await Deno.writeTextFile(
    join(resultsDir, `${stem}.json`),
    JSON.stringify({ machine, results }, null, 2) + "\n",
  );
  await Deno.writeTextFile(join(resultsDir, `${stem}.md`), markdown(results));
  console.log(markdown(results));
  return 0;
}

interface Point {
  readonly workers: number;
  readonly makespan_s: number;
  readonly speedup: number;
  readonly work_bound_s: number;
  readonly coordinator_bound_s: number;
  readonly critical_path_s: number;
  readonly coordinator_load: number;
}

interface Result extends ParallelCase {
  readonly load: readonly string[];
  readonly runs: readonly Run[];
  readonly simulation:
    | readonly { network: string; jobs: number; bytes: number; points: Point[] }[]
    | null;
}

function markdown(results: readonly Result[]): string {
  const lines = [
    "| case | load | sequential | --jobs=1 | --jobs=2 | 2 vs 1 | bound | 2 vs seq | CPU s (seq / 1 / 2) | executions | states | jobs |",
    "| ---- | ---- | ---------- | -------- | -------- | ------ | ----- | -------- | ------------------- | ---------- | ------ | ---- |",
  ];
  for (const r of results) {
    const by = (m: string): Run | undefined => r.runs.find((x) => x.mode === m);
    const [s, one, two] = [by("sequential"), by("--jobs=1"), by("--jobs=2")];
    const t = (x: Run | undefined): string => (x === undefined ? "-" : `${x.wall_s.toFixed(1)} s`);
    const ratio = (a?: Run, b?: Run): string =>
      a === undefined || b === undefined ? "-" : `${(a.wall_s / b.wall_s).toFixed(2)}x`;
    const execs = [s, one, two].map((x) => x?.executions ?? "-").join(" / ");
    const states = [s, one, two].map((x) => x?.states ?? "-").join(" / ");
    lines.push(
      `| ${r.name} (${r.args.join(" ")}) | ${r.load.join("-")} | ${t(s)} | ${t(one)} | ${
        t(two)
      } | ` +
        `${ratio(one, two)} | ${one === undefined ? "-" : `${twoCpuBound(one).toFixed(2)}x`} | ${
          ratio(s, two)
        } | ${
          [s, one, two].map((x) => x?.cpu_s.toFixed(1) ?? "-").join(" / ")
        } | ${execs} | ${states} | ${
          [one, two].map((x) => x?.parallel?.jobs ?? "-").join(" / ")
        } |`,
    );
  }
  for (const r of results) {
    for (const sim of r.simulation ?? []) {
      lines.push("", `${r.name}, ${sim.network} network: ${sim.jobs} jobs, ${sim.bytes} bytes`, "");
      lines.push("| workers | makespan | speed-up | work/N | coordinator | critical path | load |");
      lines.push("| ------- | -------- | -------- | ------ | ----------- | ------------- | ---- |");
      for (const p of sim.points) {
        lines.push(
          `| ${p.workers} | ${p.makespan_s} s | ${p.speedup}x | ${p.work_bound_s} s | ` +
            `${p.coordinator_bound_s} s | ${p.critical_path_s} s | ${p.coordinator_load} |`,
        );
      }
    }
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) Deno.exit(await runParallel(Deno.args));
