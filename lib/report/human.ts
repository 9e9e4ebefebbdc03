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
import type { LivenessOutcome } from "../check.ts";
import { counted } from "./words.ts";
import { formatLivenessStats, lassoLines, livenessVerdictLines } from "./liveness.ts";

const count = new Intl.NumberFormat("en-US");

export { counted };

export function formatStats(stats: Readonly<Stats>): string {
  const rate = stats.seconds > 0
    ? ` (${count.format(Math.round(stats.transitions / stats.seconds))} transitions/s)`
    : "";
  const reduction = stats.sleepBlocked + stats.wakeupInsertions > 0
    ? `, ${count.format(stats.sleepBlocked)} sleep-blocked, ${
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
  /** What a liveness search found (--ltl, --never, --non-progress). */
  readonly liveness?: LivenessOutcome | null;
}

/** A word as a POSIX shell reads it back: bare when safe, in single quotes otherwise. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function formatReport(result: ExplorationResult, ctx: ReportContext): string {
  const lines: string[] = [];
  const v = result.violation;
  const l = ctx.liveness ?? null;
  const explored = (): string =>
    `Explored ${l === null ? formatStats(result.stats) : formatLivenessStats(l.stats)}.`;
  if (l !== null && l.lasso !== null) {
    lines.push(...lassoLines(l, l.lasso, ctx.names));
    pushStderr(lines, ctx);
    lines.push("", explored());
    if (ctx.state) lines.push(formatStateStats(ctx.state));
    pushReplay(lines, ctx, true);
    return lines.join("\n") + "\n";
  }
  if (l !== null && v === null) {
    const why = incompleteText[result.incomplete ?? "interrupted"];
    lines.push(...livenessVerdictLines(l, result.verdict === "ok" ? "ok" : "incomplete", why));
    lines.push(explored());
    if (ctx.state) lines.push(formatStateStats(ctx.state));
    return lines.join("\n") + "\n";
  }
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
  pushStderr(lines, ctx);
  lines.push("");
  lines.push(explored());
  if (ctx.state) lines.push(formatStateStats(ctx.state));
  pushReplay(lines, ctx, false);
  return lines.join("\n") + "\n";
}

function pushStderr(lines: string[], ctx: ReportContext): void {
  if (!ctx.stderr) return;
  lines.push("");
  lines.push(`The program's stderr in this execution (its last ${stderrTailLines} lines at most):`);
  for (const l of ctx.stderr.split("\n")) lines.push(`  | ${l}`);
}

/** How to replay and debug the trace written; a lasso runs its cycle a few times alone. */
function pushReplay(lines: string[], ctx: ReportContext, lasso: boolean): void {
  if (ctx.tracePath === null) return;
  const program = ctx.program.map(shellQuote).join(" ");
  const trace = shellQuote(ctx.tracePath);
  lines.push(`Trace written to ${ctx.tracePath}. Replay it outside the checker:`);
  lines.push(`  ${ctx.command} replay ${trace} -- ${program}`);
  lines.push(
    lasso
      ? "or debug it (the prefix, then the cycle ISOMC_REPLAY_CYCLES times, default 3):"
      : "or debug it:",
  );
  lines.push(`  ISOMC_REPLAY=${trace} gdb --args ${program}`);
  lines.push(`  ISOMC_REPLAY=${trace} valgrind ${program}`);
}
