/**
 * The report a person reads: the verdict, the counterexample as numbered steps, the blocked
 * actors of a deadlock, the statistics, and how to replay and debug what was found. A liveness
 * check's report (a lasso's cycle and propositions) is lib/report/liveness.ts, built from the
 * pieces here; this module loads no liveness or LTL module.
 */

import type { ExplorationResult, Stats } from "../explore/result.ts";
import type { StateStats } from "../state/memory_target.ts";
import { stderrTailLines } from "../process/output.ts";
import type { NameTable } from "../model/transition.ts";
import { noSources, type SourceResolver } from "./source.ts";
import {
  type TraceStepJson,
  traceStepsJson,
  type TraceViolationJson,
  violationJson,
} from "./trace.ts";
import { preloadNote, searchNotes } from "./notes.ts";
import { counterexampleSteps } from "./counterexample.ts";
import { counted } from "./words.ts";
import { weaklyFairNote } from "./liveness_stats.ts";
import { formatCount } from "./count.ts";

export { counted };

export function formatStats(stats: Readonly<Stats>): string {
  const rate = stats.seconds > 0
    ? ` (${formatCount(Math.round(stats.transitions / stats.seconds))} transitions/s)`
    : "";
  const reduction = stats.sleepBlocked + stats.wakeupInsertions > 0
    ? `, ${formatCount(stats.sleepBlocked)} sleep-blocked, ${
      counted(stats.wakeupInsertions, "wakeup insertion")
    }`
    : "";
  const spins = stats.spinBlocked > 0
    ? `, ${formatCount(stats.spinBlocked)} cut at spin loops`
    : "";
  const collisions = stats.hashCollisions > 0
    ? `, ${counted(stats.hashCollisions, "hash collision")} told apart`
    : "";
  const pruned = stats.pruned > 0 || collisions !== ""
    ? ` (${counted(stats.pruned, "revisit")} pruned${collisions})`
    : "";
  const assumes = stats.assumesFailed > 0
    ? ` (${formatCount(stats.assumesFailed)} cut by a failed assumption)`
    : "";
  return `${counted(stats.executions, "execution")}${assumes}, ${
    counted(stats.states, "state")
  }${pruned}, ${
    counted(stats.transitions, "transition")
  }, max depth ${stats.maxDepth}${reduction}${spins}, ${stats.seconds.toFixed(2)} s${rate}`;
}

/** One line on what the snapshot engine did (stateful restores). */
export function formatStateStats(s: StateStats): string {
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  return `State: ${s.tracker} tracking, ${counted(s.snapshots, "snapshot")} (${
    mib(s.bytesRead)
  } MiB read, ${s.snapshotSeconds.toFixed(2)} s), ${counted(s.restores, "restore")} (${
    mib(s.bytesWritten)
  } MiB written, ${s.restoreSeconds.toFixed(2)} s), at most ${
    counted(s.storePeakPages, "distinct page")
  } stored; the rest of main ran from ${counted(s.endsRun, "final state")}${
    s.endsReused > 0 ? ` (its end reused ${counted(s.endsReused, "time")})` : ""
  }.`;
}

/** Why a search is incomplete, as the reports say it. */
export const incompleteText = {
  "max-depth": "some executions were cut at --max-depth",
  "max-executions": "stopped at --max-executions",
  "interrupted": "interrupted",
  "out-of-memory":
    "the checker ran out of memory (DENO_V8_FLAGS=--max-old-space-size=MIB gives it more)",
  "runaway": "an execution did not end",
  "nondet-range":
    "wide __VERIFIER_nondet_* values came from --nondet-range only, not every value of their type",
} as const;

export interface ReportContext {
  readonly names: NameTable;
  /** How isomc was run, for the replay hint: `./isomc`, `isomc`, `deno run -A cli.ts`. */
  readonly command: string;
  /** The program's command line, for the replay hints. */
  readonly program: readonly string[];
  /** Where the counterexample was written, if it was. */
  readonly tracePath: string | null;
  /** What the snapshot engine did, for stateful restores. */
  readonly state?: StateStats | null;
  /** The last lines the failing execution wrote on stderr. */
  readonly stderr?: string | null;
  /** Where each step was made in the source (absent: not said). */
  readonly sources?: SourceResolver;
  /** --preload: the preloaded runtime's path (the report says what is not seen, once). */
  readonly preload?: string | null;
}

/** A word as a POSIX shell reads it back: bare when safe, in single quotes otherwise. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function formatReport(result: ExplorationResult, ctx: ReportContext): string {
  const lines: string[] = [];
  const v = result.violation;
  const sources = ctx.sources ?? noSources;
  if (v === null) {
    if (result.verdict === "ok" && result.stats.pruned > 0) {
      lines.push(`isomc: no violation in ${counted(result.stats.states, "distinct state")}.`);
    } else if (result.verdict === "ok") {
      lines.push(`isomc: no violation in ${counted(result.stats.executions, "execution")}.`);
    } else {
      // A search that prunes visited states counts what it explored in states.
      const explored = result.stats.pruned > 0
        ? counted(result.stats.states, "distinct state")
        : counted(result.stats.executions, "execution");
      lines.push(
        `isomc: incomplete: ${
          incompleteText[result.incomplete ?? "interrupted"]
        }; no violation in the ${explored} explored.`,
      );
    }
    lines.push(...searchNotes(result, ctx.names, Boolean(ctx.state)));
    if (ctx.preload) lines.push(`Note: ${preloadNote}.`);
    lines.push(`Explored ${formatStats(result.stats)}.`);
    if (ctx.state) lines.push(formatStateStats(ctx.state));
    return lines.join("\n") + "\n";
  }

  lines.push(
    ...formatCounterexample(
      { ...violationJson(v, ctx.names, sources), ...(ctx.stderr ? { stderr: ctx.stderr } : {}) },
      traceStepsJson(v.trace, ctx.names, sources),
    ),
  );
  lines.push("");
  lines.push(...searchNotes(result, ctx.names, Boolean(ctx.state)));
  if (ctx.preload) lines.push(`Note: ${preloadNote}.`);
  lines.push(`Explored ${formatStats(result.stats)}.`);
  if (ctx.state) lines.push(formatStateStats(ctx.state));
  if (ctx.tracePath !== null) {
    lines.push(
      ...replayHints(ctx.command, ctx.tracePath, ctx.program, undefined, false, ctx.preload),
    );
  }
  return lines.join("\n") + "\n";
}

/** How to replay and debug a trace outside the checker; a lasso runs its cycle a few times. */
export function replayHints(
  command: string,
  tracePath: string,
  program: readonly string[],
  heading = `Trace written to ${tracePath}. Replay it outside the checker:`,
  lasso = false,
  preload: string | null = null,
): string[] {
  const words = program.map(shellQuote).join(" ");
  const trace = shellQuote(tracePath);
  const debug = lasso
    ? "or debug it (the prefix, then the cycle ISOMC_REPLAY_CYCLES times, default 3):"
    : "or debug it:";
  // Preloaded into the program alone: LD_PRELOAD given to gdb or valgrind would load the
  // runtime into them too.
  const env = preload === null ? "" : `env LD_PRELOAD=${shellQuote(preload)} `;
  return [
    heading,
    `  ${command} replay ${trace} -- ${words}`,
    debug,
    preload === null
      ? `  ISOMC_REPLAY=${trace} gdb --args ${words}`
      : `  ISOMC_REPLAY=${trace} gdb -ex ${
        shellQuote(`set exec-wrapper ${env.trim()}`)
      } --args ${words}`,
    preload === null
      ? `  ISOMC_REPLAY=${trace} valgrind ${words}`
      : `  ISOMC_REPLAY=${trace} valgrind --trace-children=yes ${env}${words}`,
  ];
}

/**
 * The violation and its counterexample, as `isomc check` prints them and `isomc show` prints
 * them again from the trace file: the same words from the same fields.
 */
export function formatCounterexample(
  v: TraceViolationJson,
  steps: readonly TraceStepJson[],
): string[] {
  const lines: string[] = [];
  lines.push(`isomc: violation found: ${v.kind}${v.actor === null ? "" : ` in ${v.actor}`}`);
  if (v.blocked !== undefined) {
    lines.push("  every unfinished actor is blocked:");
    for (const b of v.blocked) {
      const where = b.source === undefined ? "" : ` (${b.source})`;
      lines.push(`    ${b.actor_name} waits at ${b.transition}${where}: ${b.reason}`);
    }
  } else {
    lines.push(`  ${v.message}${v.fairness === "weak" ? ` ${weaklyFairNote}` : ""}`);
  }
  lines.push("");
  lines.push(...counterexampleSteps(v, steps));
  if (v.stderr) {
    lines.push("");
    lines.push(
      `The program's stderr in this execution (its last ${stderrTailLines} lines at most):`,
    );
    for (const l of v.stderr.split("\n")) lines.push(`  | ${l}`);
  }
  return lines;
}
