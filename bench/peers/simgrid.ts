/**
 * SimGrid's model checker as a peer of `./isomc bench --peers`: the programs of its own tree the
 * comparison runs (issue 10: centralized mutex 3×2, philosophers 4 and 6), the command lines of
 * simgrid-mc and of isomc on them, finding a SimGrid build directory the user built (never built
 * here), and reading what simgrid-mc prints. Pure except locateSimgrid and simgridVersion.
 *
 * The philosophers are a plain pthread program of SimGrid's tree
 * (teshsuite/mc/mcmini/philosophers_mutex_ok.c): both checkers run the very binary SimGrid's
 * build made of it, simgrid-mc under its sthread preload library, isomc under its own
 * (--preload). Both see only the synchronisation calls. The centralized mutex is an S4U C++
 * program; isomc runs its port, bench/programs/centralized_mutex.c (the same actors and messages).
 */

import { join } from "node:path";
import { disagreement, type ToolReport } from "./parse.ts";

export interface SimgridProgram {
  /** Key in results and for --only, e.g. "philosophers4". */
  readonly key: string;
  /** As the table shows it. */
  readonly label: string;
  /**
   * Executions (Mazurkiewicz traces) both checkers explore with optimal DPOR; for a row that
   * must end in a violation (`violation`), 0: each stops at its first deadlock, after a number
   * of executions that depends on its order.
   */
  readonly traces: number;
  /** The violation both must report, or null: both must end ok with `traces` traces. */
  readonly violation: "deadlock" | null;
  /** The binary simgrid-mc runs, relative to the SimGrid build directory. */
  readonly simgridBinary: string;
  /** A pthread program run under sthread (LD_PRELOAD of lib/libsthread.so), not an S4U one. */
  readonly sthread: boolean;
  /** isomc's port, relative to the repository; null: isomc runs SimGrid's binary itself. */
  readonly isomcSource: string | null;
  /** The program's own arguments, the same for both checkers. */
  readonly args: readonly string[];
}

const mutexBinary = "examples/cpp/mc-centralized-mutex/s4u-mc-centralized-mutex";
const philosophersBinary = "teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok";

function mutex(clients: number, cs: number, traces: number): SimgridProgram {
  return {
    key: `mutex${clients}x${cs}`,
    label: `centralized mutex ${clients}×${cs}`,
    traces,
    violation: null,
    simgridBinary: mutexBinary,
    sthread: false,
    isomcSource: "bench/programs/centralized_mutex.c",
    args: [String(clients), String(cs)],
  };
}

function philosophers(n: number, traces: number): SimgridProgram {
  // argv: the number of philosophers, then DEBUG=0 (no printing).
  return {
    key: `philosophers${n}`,
    label: `philosophers(${n})`,
    traces,
    violation: null,
    simgridBinary: philosophersBinary,
    sthread: true,
    isomcSource: null,
    args: [String(n), "0"],
  };
}

/**
 * The deadlocking philosophers of SimGrid's test suite (philosophers_mutex_deadlock.c: no dining
 * mutex, each takes its left fork then its right), at the size of SimGrid's tutorial (5).
 */
function deadlocking(n: number): SimgridProgram {
  return {
    key: `deadlock${n}`,
    label: `philosophers, deadlocking (${n})`,
    traces: 0,
    violation: "deadlock",
    simgridBinary: "teshsuite/mc/mcmini/mcmini-philosophers_mutex_deadlock",
    sthread: true,
    isomcSource: null,
    args: [String(n), "0"],
  };
}

/**
 * The issue's rows: n philosophers have n! traces (the order they take the dining fork); then
 * a row where both must find the same deadlock.
 */
export const simgridPrograms: readonly SimgridProgram[] = [
  mutex(3, 2, 2_898),
  philosophers(4, 24),
  philosophers(6, 720),
  deadlocking(5),
];

/** --quick: one small row of each kind. */
export const simgridQuickPrograms: readonly SimgridProgram[] = [
  mutex(2, 2, 28),
  philosophers(4, 24),
];

/**
 * simgrid-mc with optimal DPOR (`odpor`; its default `dpor` explores more traces than there are
 * Mazurkiewicz classes, so its count would not be comparable) and its other defaults.
 */
export function simgridCommand(p: SimgridProgram, simgridDir: string): string[] {
  return [
    join(simgridDir, "bin", "simgrid-mc"),
    "--cfg=model-check/reduction:odpor",
    ...(p.sthread
      ? [`--cfg=model-check/setenv:LD_PRELOAD=${join(simgridDir, "lib", "libsthread.so")}`]
      : []),
    join(simgridDir, p.simgridBinary),
    ...p.args,
  ];
}

/**
 * isomc with its defaults (optimal DPOR, --restore=memory) on the same program: its port, or
 * SimGrid's own pthread binary under the preload runtime.
 */
export function isomcSimgridCommand(
  p: SimgridProgram,
  isomc: string,
  simgridDir: string,
  port: string | null,
): string[] {
  const binary = p.isomcSource === null ? join(simgridDir, p.simgridBinary) : port;
  if (binary === null) throw new Error(`no isomc port built for ${p.key}`);
  return [
    isomc,
    "check",
    "--json",
    "--trace-out=/dev/null",
    ...(p.isomcSource === null ? ["--preload"] : []),
    "--",
    binary,
    ...p.args,
  ];
}

/**
 * Why a run of `p` does not count, or null: the expected traces for an ok row (disagreement);
 * for a violation row, that violation, and the tool's exit status for it (isomc 1, simgrid-mc 2).
 */
export function simgridDisagreement(
  p: SimgridProgram,
  report: ToolReport,
  tool: "isomc" | "simgrid",
  exitCode: number,
): string | null {
  if (p.violation === null) return disagreement(report, p.traces, exitCode);
  if (report.verdict !== "violation" || !report.message?.startsWith(p.violation)) {
    return `expected a ${p.violation}, got ${report.message ?? `verdict ${report.verdict}`}`;
  }
  const expected = tool === "isomc" ? 1 : 2;
  return exitCode === expected ? null : `exit status ${exitCode}, expected ${expected}`;
}

/** What simgrid-mc says beyond the common report: its own three counters. */
export interface SimgridReport extends ToolReport {
  /** "N unique states visited". */
  readonly uniqueStates: number | null;
  /** "(N transition replays": transitions re-executed to come back to a state. */
  readonly replays: number | null;
  /** "N states visited overall": the states reached forward, not by a replay. */
  readonly statesVisited: number | null;
}

const ended =
  /(?:DFS|BeFS) exploration ended\. (\d+) unique states visited; (\d+) explored traces \((\d+) transition replays, (\d+) states visited overall\)/;

/** The violations simgrid-mc announces in a banner, and what the table calls them. */
const banners: readonly [RegExp, string][] = [
  [/\*\*\* DEADLOCK DETECTED \*\*\*/, "deadlock"],
  [/\*\*\* PROPERTY NOT VALID \*\*\*/, "property not valid"],
  [/\*\* CRASH IN THE PROGRAM \*\*/, "crash in the program"],
  [/Found a datarace at location/, "data race"],
];

/**
 * simgrid-mc (src/mc/explo/DFSExplorer.cpp, Exploration.cpp) logs on stderr, through XBT:
 * a banner when it finds a violation, then "DFS exploration ended. U unique states visited;
 * T explored traces (R transition replays, S states visited overall)". It prints no timer.
 * `output` is its stderr and stdout together.
 */
export function parseSimgrid(output: string): SimgridReport {
  const m = output.match(ended);
  const violation = banners.find(([re]) => re.test(output));
  const n = (i: number): number | null => (m === null ? null : Number(m[i]));
  const problem = output.split("\n").find((l) => /CRITICAL|\/ERROR\]|[Ee]rror:/.test(l))?.trim();
  return {
    traces: n(2),
    blocked: 0,
    verdict: violation !== undefined ? "violation" : m !== null ? "ok" : "unknown",
    message: violation !== undefined
      ? violation[1]
      : m !== null
      ? null
      : problem ?? "no end of exploration in simgrid-mc's output",
    ownSeconds: null,
    transitions: null,
    uniqueStates: n(1),
    replays: n(3),
    statesVisited: n(4),
  };
}

async function exists(path: string, executable = false): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && (!executable || ((st.mode ?? 0) & 0o111) !== 0);
  } catch {
    return false;
  }
}

/**
 * The files a run on `programs` needs from the SimGrid build directory `dir`, relative to it,
 * that are missing: the checker, the sthread library, the programs' binaries.
 */
export async function missingSimgridFiles(
  dir: string,
  programs: readonly SimgridProgram[],
): Promise<string[]> {
  const needed = [
    "bin/simgrid-mc",
    ...(programs.some((p) => p.sthread) ? ["lib/libsthread.so"] : []),
    ...new Set(programs.map((p) => p.simgridBinary)),
  ];
  const missing: string[] = [];
  for (const f of needed) {
    if (!(await exists(join(dir, f), !f.endsWith(".so")))) missing.push(f);
  }
  return missing;
}

/** "SimGrid version 4.1.1, Release" from the build directory's version.h and CMakeCache.txt. */
export async function simgridVersion(dir: string): Promise<string> {
  const read = (f: string) => Deno.readTextFile(join(dir, f)).catch(() => "");
  const version = (await read("include/simgrid/version.h")).match(
    /#define SIMGRID_VERSION_STRING "([^"]+)"/,
  )?.[1] ?? "SimGrid (unknown version)";
  const type = (await read("CMakeCache.txt")).match(/^CMAKE_BUILD_TYPE:STRING=(.*)$/m)?.[1];
  return `${version}${type ? `, ${type}` : ""} (${dir})`;
}
