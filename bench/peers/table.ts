/**
 * From the runs of `./isomc bench --peers` to the tables of issue 10: the median wall time of
 * each tool on each program, the ratios isomc / Nidhugg, isomc / GenMC and isomc / SimGrid,
 * peak memory, and whether every run agreed on the trace count. Pure functions.
 */

import type { ToolReport } from "./parse.ts";
import type { ToolName } from "./programs.ts";
import type { SimgridReport } from "./simgrid.ts";

/** What a table needs of a program, DPOR benchmark or SimGrid example. */
export interface TableProgram {
  readonly key: string;
  readonly label: string;
  readonly traces: number;
  /** A violation every tool must report instead of a trace count (SimGrid's table). */
  readonly violation?: string | null;
}

/** What bench/peers/measure.c says about one command. */
export interface Measurement {
  readonly wall_s: number;
  readonly user_s: number;
  readonly sys_s: number;
  /** Peak resident set of the largest process of the command's tree. */
  readonly max_rss_kib: number;
  /** Exit status, or 128 + the signal that killed it. */
  readonly exit: number;
  /** Processes of the tree that outlived their parent, reaped by measure (SimGrid's). */
  readonly orphans?: number;
  /** Some were still running 10 s after the command ended and were killed. */
  readonly orphans_killed?: boolean;
}

export interface RunRecord extends Measurement {
  readonly program: string;
  readonly tool: ToolName;
  readonly round: number;
  readonly report: ToolReport;
  /** Why the run does not count (wrong count, error, failure), or null. */
  readonly problem: string | null;
  /** The 1-minute load average when the run started. */
  readonly load1: number;
}

export interface ToolCell {
  /** Median wall time of the runs that counted, or null if none did. */
  readonly median_s: number | null;
  readonly runs_s: readonly number[];
  /** Median CPU time (user + system, the command's whole tree), less sensitive to load. */
  readonly cpu_s: number | null;
  readonly max_rss_kib: number | null;
  /** The tool's own search time (isomc: stats.seconds), median. */
  readonly own_s: number | null;
  readonly problems: readonly string[];
}

export interface Row {
  readonly program: string;
  readonly label: string;
  readonly traces: number;
  readonly violation?: string | null;
  readonly cells: Partial<Record<ToolName, ToolCell>>;
  /** isomc's median over the peer's; null when either is missing. */
  readonly isomcOverNidhugg: number | null;
  readonly isomcOverGenmc: number | null;
  /** The same ratios of CPU time. */
  readonly cpuOverNidhugg: number | null;
  readonly cpuOverGenmc: number | null;
  readonly isomcOverSimgrid: number | null;
  readonly cpuOverSimgrid: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function cell(runs: readonly RunRecord[]): ToolCell {
  const good = runs.filter((r) => r.problem === null);
  const own = good.map((r) => r.report.ownSeconds).filter((s): s is number => s !== null);
  return {
    median_s: median(good.map((r) => r.wall_s)),
    runs_s: runs.map((r) => r.wall_s),
    cpu_s: median(good.map((r) => r.user_s + r.sys_s)),
    max_rss_kib: good.length === 0 ? null : Math.max(...good.map((r) => r.max_rss_kib)),
    own_s: median(own),
    problems: runs.filter((r) => r.problem !== null).map((r) => `run ${r.round}: ${r.problem}`),
  };
}

function ratio(
  a: ToolCell | undefined,
  b: ToolCell | undefined,
  of: (c: ToolCell) => number | null = (c) => c.median_s,
): number | null {
  const x = a === undefined ? null : of(a);
  const y = b === undefined ? null : of(b);
  return x === null || y === null || y === 0 ? null : x / y;
}

export function summarize(
  programs: readonly TableProgram[],
  tools: readonly ToolName[],
  runs: readonly RunRecord[],
): Row[] {
  return programs.map((p) => {
    const cells: Partial<Record<ToolName, ToolCell>> = {};
    for (const t of tools) cells[t] = cell(runs.filter((r) => r.program === p.key && r.tool === t));
    return {
      program: p.key,
      label: p.label,
      traces: p.traces,
      violation: p.violation ?? null,
      cells,
      isomcOverNidhugg: ratio(cells.isomc, cells.nidhugg),
      isomcOverGenmc: ratio(cells.isomc, cells.genmc),
      cpuOverNidhugg: ratio(cells.isomc, cells.nidhugg, (c) => c.cpu_s),
      cpuOverGenmc: ratio(cells.isomc, cells.genmc, (c) => c.cpu_s),
      isomcOverSimgrid: ratio(cells.isomc, cells.simgrid),
      cpuOverSimgrid: ratio(cells.isomc, cells.simgrid, (c) => c.cpu_s),
    };
  });
}

/** Every run of every tool reported the expected count and no error. */
export function allAgree(rows: readonly Row[]): boolean {
  return rows.every((r) => Object.values(r.cells).every((c) => c.problems.length === 0));
}

function seconds(
  c: ToolCell | undefined,
  of: (c: ToolCell) => number | null = (c) => c.median_s,
): string {
  if (c === undefined) return "-";
  const s = of(c);
  if (s === null) return "failed";
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

function times(r: number | null): string {
  return r === null ? "-" : `${r < 10 ? r.toFixed(1) : r.toFixed(0)}×`;
}

function mib(c: ToolCell | undefined): string {
  const kib = c?.max_rss_kib ?? null;
  return kib === null ? "-" : String(Math.round(kib / 1024));
}

/** The table of issue 10, then CPU time, peak memory and isomc's own search time. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| program | traces | isomc | Nidhugg optimal | GenMC | isomc / Nidhugg | isomc / GenMC |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${r.traces.toLocaleString("en-US")} | ${seconds(r.cells.isomc)} | ${
        seconds(r.cells.nidhugg)
      } | ${seconds(r.cells.genmc)} | ${times(r.isomcOverNidhugg)} | ${times(r.isomcOverGenmc)} |`,
    );
  }
  const cpu = (c: ToolCell): number | null => c.cpu_s;
  lines.push(
    "",
    "| program | isomc CPU | Nidhugg CPU | GenMC CPU | isomc / Nidhugg | isomc / GenMC | isomc search s | peak RSS MiB: isomc, Nidhugg, GenMC |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of rows) {
    const own = r.cells.isomc?.own_s ?? null;
    lines.push(
      `| ${r.label} | ${seconds(r.cells.isomc, cpu)} | ${seconds(r.cells.nidhugg, cpu)} | ${
        seconds(r.cells.genmc, cpu)
      } | ${times(r.cpuOverNidhugg)} | ${times(r.cpuOverGenmc)} | ${
        own === null ? "-" : own.toFixed(2)
      } | ${mib(r.cells.isomc)}, ${mib(r.cells.nidhugg)}, ${mib(r.cells.genmc)} |`,
    );
  }
  return [...lines, ...problemLines(rows)].join("\n");
}

function problemLines(rows: readonly Row[]): string[] {
  const problems = rows.flatMap((r) =>
    Object.entries(r.cells).flatMap(([tool, c]) => c.problems.map((p) => `${r.label} ${tool} ${p}`))
  );
  return problems.length === 0
    ? []
    : ["", "Runs that did not count:", ...problems.map((p) => `- ${p}`)];
}

/** The median of one counter over the runs of a tool on a program that counted. */
function counter(
  runs: readonly RunRecord[],
  of: (r: RunRecord) => number | null | undefined,
): string {
  const v = median(
    runs.filter((r) => r.problem === null).map(of).filter((x): x is number =>
      typeof x === "number"
    ),
  );
  return v === null ? "-" : v.toLocaleString("en-US");
}

/**
 * isomc against SimGrid's checker: wall and CPU times with their ratios, peak memory, and each
 * checker's own counters (isomc: transitions executed forward; SimGrid: states visited overall
 * and transition replays), taken from the runs of the rows.
 */
export function simgridTable(rows: readonly Row[], runs: readonly RunRecord[]): string {
  const cpu = (c: ToolCell): number | null => c.cpu_s;
  const lines = [
    "| program | traces | isomc | SimGrid | isomc / SimGrid | isomc CPU | SimGrid CPU | CPU isomc / SimGrid | peak RSS MiB: isomc, SimGrid |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.label} | ${r.violation ?? r.traces.toLocaleString("en-US")} | ${
        seconds(r.cells.isomc)
      } | ${seconds(r.cells.simgrid)} | ${times(r.isomcOverSimgrid)} | ${
        seconds(r.cells.isomc, cpu)
      } | ${seconds(r.cells.simgrid, cpu)} | ${times(r.cpuOverSimgrid)} | ${mib(r.cells.isomc)}, ${
        mib(r.cells.simgrid)
      } |`,
    );
  }
  lines.push(
    "",
    "| program | isomc transitions | SimGrid states visited | SimGrid replays | isomc search s |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const r of rows) {
    const of = (tool: ToolName) => runs.filter((x) => x.program === r.program && x.tool === tool);
    const sg = (f: (s: SimgridReport) => number | null) => (x: RunRecord) =>
      f(x.report as SimgridReport);
    const own = r.cells.isomc?.own_s ?? null;
    lines.push(
      `| ${r.label} | ${counter(of("isomc"), (x) => x.report.transitions)} | ${
        counter(of("simgrid"), sg((s) => s.statesVisited))
      } | ${counter(of("simgrid"), sg((s) => s.replays))} | ${
        own === null ? "-" : own.toFixed(2)
      } |`,
    );
  }
  return [...lines, ...problemLines(rows)].join("\n");
}
