/**
 * The report a person reads: the verdict, the counterexample as numbered steps, the blocked
 * actors of a deadlock, the statistics, and how to replay and debug what was found.
 */

import type { ExplorationResult, Stats } from "../explore/result.ts";
import type { StateStats } from "../state/memory_target.ts";
import {
  actorName,
  blockedReason,
  describeTransition,
  type NameTable,
} from "../model/transition.ts";
import { searchNotes } from "./notes.ts";

const count = new Intl.NumberFormat("en-US");

export function formatStats(stats: Readonly<Stats>): string {
  const rate = stats.seconds > 0
    ? ` (${count.format(Math.round(stats.transitions / stats.seconds))} transitions/s)`
    : "";
  const reduction = stats.sleepBlocked + stats.wakeupInsertions > 0
    ? `, ${count.format(stats.sleepBlocked)} sleep-blocked, ${
      count.format(stats.wakeupInsertions)
    } wakeup insertions`
    : "";
  const collisions = stats.hashCollisions > 0
    ? `, ${count.format(stats.hashCollisions)} hash collisions told apart`
    : "";
  const pruned = stats.pruned > 0 || collisions !== ""
    ? ` (${count.format(stats.pruned)} revisits pruned${collisions})`
    : "";
  return `${count.format(stats.executions)} executions, ${
    count.format(stats.states)
  } states${pruned}, ${
    count.format(stats.transitions)
  } transitions, max depth ${stats.maxDepth}${reduction}, ${stats.seconds.toFixed(2)} s${rate}`;
}

/** One line on what the snapshot engine did (stateful restores). */
export function formatStateStats(s: StateStats): string {
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  return `State: ${s.tracker} tracking, ${count.format(s.snapshots)} snapshots (${
    mib(s.bytesRead)
  } MiB read, ${s.snapshotSeconds.toFixed(2)} s), ${count.format(s.restores)} restores (${
    mib(s.bytesWritten)
  } MiB written, ${s.restoreSeconds.toFixed(2)} s), at most ${
    count.format(s.storePeakPages)
  } distinct pages stored; the rest of main ran from ${count.format(s.endsRun)} final states${
    s.endsReused > 0 ? ` (its end reused ${count.format(s.endsReused)} times)` : ""
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
  /** The program's command line, for the replay hints. */
  readonly program: readonly string[];
  /** Where the counterexample was written, if it was. */
  readonly tracePath: string | null;
  /** What the snapshot engine did, for stateful restores. */
  readonly state?: StateStats | null;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function formatReport(result: ExplorationResult, ctx: ReportContext): string {
  const lines: string[] = [];
  const v = result.violation;
  if (v === null) {
    if (result.verdict === "ok" && result.stats.pruned > 0) {
      lines.push(
        `isomc: no violation in ${count.format(result.stats.states)} distinct states.`,
      );
    } else if (result.verdict === "ok") {
      lines.push(`isomc: no violation in ${count.format(result.stats.executions)} executions.`);
    } else {
      lines.push(
        `isomc: incomplete: ${
          incompleteText[result.incomplete ?? "interrupted"]
        }; no violation in the ${count.format(result.stats.executions)} executions explored.`,
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
  lines.push("");
  lines.push(...searchNotes(result, ctx.names, Boolean(ctx.state)));
  lines.push(`Explored ${formatStats(result.stats)}.`);
  if (ctx.state) lines.push(formatStateStats(ctx.state));
  if (ctx.tracePath !== null) {
    const program = ctx.program.map(shellQuote).join(" ");
    const trace = shellQuote(ctx.tracePath);
    lines.push(`Trace written to ${ctx.tracePath}. Replay it outside the checker:`);
    lines.push(`  ./isomc replay ${trace} -- ${program}`);
    lines.push("or debug it:");
    lines.push(`  ISOMC_REPLAY=${trace} gdb --args ${program}`);
    lines.push(`  ISOMC_REPLAY=${trace} valgrind ${program}`);
  }
  return lines.join("\n") + "\n";
}
