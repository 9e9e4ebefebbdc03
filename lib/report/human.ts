/**
 * The report a person reads: the verdict, the counterexample as numbered steps, the blocked
 * actors of a deadlock, the statistics, and how to replay and debug what was found.
 */

import type { ExplorationResult, Stats } from "../explore/result.ts";
import type { StateStats } from "../state/memory_target.ts";
import { stderrTailLines } from "../process/output.ts";
import {
  actorName,
  blockedReason,
  describeTransition,
  type NameTable,
} from "../model/transition.ts";
import { searchNotes } from "./notes.ts";
import { formatCount } from "./count.ts";

/** "1 execution", "2 executions", "1,024 executions": every noun here takes an s. */
export function counted(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

export function formatStats(stats: Readonly<Stats>): string {
  const rate = stats.seconds > 0
    ? ` (${formatCount(Math.round(stats.transitions / stats.seconds))} transitions/s)`
    : "";
  const reduction = stats.sleepBlocked + stats.wakeupInsertions > 0
    ? `, ${formatCount(stats.sleepBlocked)} sleep-blocked, ${
      counted(stats.wakeupInsertions, "wakeup insertion")
    }`
    : "";
  const collisions = stats.hashCollisions > 0
    ? `, ${counted(stats.hashCollisions, "hash collision")} told apart`
    : "";
  const pruned = stats.pruned > 0 || collisions !== ""
    ? ` (${counted(stats.pruned, "revisit")} pruned${collisions})`
    : "";
  return `${counted(stats.executions, "execution")}, ${counted(stats.states, "state")}${pruned}, ${
    counted(stats.transitions, "transition")
  }, max depth ${stats.maxDepth}${reduction}, ${stats.seconds.toFixed(2)} s${rate}`;
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

const incompleteText = {
  "max-depth": "some executions were cut at --max-depth",
  "max-executions": "stopped at --max-executions",
  "interrupted": "interrupted",
  "out-of-memory":
    "the checker ran out of memory (DENO_V8_FLAGS=--max-old-space-size=MIB gives it more)",
  "runaway": "an execution did not end",
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
}

/** A word as a POSIX shell reads it back: bare when safe, in single quotes otherwise. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function formatReport(result: ExplorationResult, ctx: ReportContext): string {
  const lines: string[] = [];
  const v = result.violation;
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
    lines.push(`Explored ${formatStats(result.stats)}.`);
    if (ctx.state) lines.push(formatStateStats(ctx.state));
    return lines.join("\n") + "\n";
  }

  const who = v.actor === null ? "" : ` in ${actorName(ctx.names, v.actor)}`;
  lines.push(`isomc: violation found: ${v.kind}${who}`);
  if (v.blocked !== undefined) {
    lines.push("  every unfinished actor is blocked:");
    for (const t of v.blocked.transitions) {
      lines.push(
        `    ${actorName(ctx.names, t.actor)} waits at ${describeTransition(t, ctx.names)}: ${
          blockedReason(t, ctx.names)
        }`,
      );
    }
  } else {
    lines.push(`  ${v.message}`);
  }
  lines.push("");
  lines.push(`Counterexample (${v.trace.length} step${v.trace.length === 1 ? "" : "s"}):`);
  const width = String(v.trace.length).length;
  v.trace.forEach((s, i) => {
    lines.push(
      `  ${String(i + 1).padStart(width)}. ${actorName(ctx.names, s.step.actor)}: ${
        describeTransition(s.transition, ctx.names, s.step.choice)
      }`,
    );
  });
  if (v.blocked === undefined) lines.push(`  ${"".padStart(width)}  => ${v.kind}: ${v.message}`);
  if (ctx.stderr) {
    lines.push("");
    lines.push(
      `The program's stderr in this execution (its last ${stderrTailLines} lines at most):`,
    );
    for (const l of ctx.stderr.split("\n")) lines.push(`  | ${l}`);
  }
  lines.push("");
  lines.push(...searchNotes(result, ctx.names, Boolean(ctx.state)));
  lines.push(`Explored ${formatStats(result.stats)}.`);
  if (ctx.state) lines.push(formatStateStats(ctx.state));
  if (ctx.tracePath !== null) {
    const program = ctx.program.map(shellQuote).join(" ");
    const trace = shellQuote(ctx.tracePath);
    lines.push(`Trace written to ${ctx.tracePath}. Replay it outside the checker:`);
    lines.push(`  ${ctx.command} replay ${trace} -- ${program}`);
    lines.push("or debug it:");
    lines.push(`  ISOMC_REPLAY=${trace} gdb --args ${program}`);
    lines.push(`  ISOMC_REPLAY=${trace} valgrind ${program}`);
  }
  return lines.join("\n") + "\n";
}
