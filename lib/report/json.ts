/**
 * The machine-readable report of `isomc check --json`: one JSON object on stdout, documented in
 * the README (verdict, violation, stats, trace, trace_file; a liveness check's property, lasso
 * and product figures are added by lib/report/liveness.ts, which a safety check does not load)
 * — or, when the check could not be done, the error object (verdict "error", the error's kind
 * and message, the exit status) — and the statistics both ways (the trace file keeps them for
 * `isomc show`).
 */

import type { ErrorKind } from "../errors.ts";
import type { ExplorationResult, Stats } from "../explore/result.ts";
import type { NameTable } from "../model/transition.ts";
import type { StateStats } from "../state/memory_target.ts";
import { noSources, type SourceResolver } from "./source.ts";
import { preloadNote, searchJson } from "./notes.ts";
import { traceStepsJson, violationJson } from "./trace.ts";
import type { LivenessOutcome } from "../check.ts";
import { livenessStatsJson } from "./liveness_stats.ts";

export interface JsonReportContext {
  readonly state?: StateStats | null;
  /** The last lines the failing execution wrote on stderr. */
  readonly stderr?: string | null;
  /** Where the counterexample was written, or null. */
  readonly traceFile?: string | null;
  /** Where each step was made in the source. */
  readonly sources?: SourceResolver;
  /** --preload: the preloaded runtime's path (the report says what is not seen, once). */
  readonly preload?: string | null;
}

export function jsonReport(
  result: ExplorationResult,
  names: NameTable,
  ctx: JsonReportContext = {},
): Record<string, unknown> {
  const sources = ctx.sources ?? noSources;
  return {
    verdict: result.verdict,
    violation: result.violation === null ? null : {
      ...violationJson(result.violation, names, sources),
      // Only when the failing execution wrote on stderr.
      ...(ctx.stderr ? { stderr: ctx.stderr } : {}),
    },
    incomplete: result.incomplete,
    stats: statsJson(result.stats, ctx.state ?? null),
    trace: result.violation === null ? [] : traceStepsJson(result.violation.trace, names, sources),
    trace_file: ctx.traceFile ?? null,
    // The safety search's notes (an endless execution, no execution ended); a liveness
    // search's report (lib/report/liveness.ts) replaces them.
    ...searchJson(result, names),
    // Only with --preload: what such a check does not see, said once.
    ...(ctx.preload
      ? { preload: { library: ctx.preload, seen: "synchronisation", note: preloadNote } }
      : {}),
  };
}

/** The statistics as `--json` and the trace file hold them (a liveness search's figures too). */
export function statsJson(
  s: Readonly<Stats>,
  state: StateStats | null,
  liveness: LivenessOutcome | null = null,
): Record<string, unknown> {
  return {
    executions: s.executions,
    states: s.states,
    pruned: s.pruned,
    hash_collisions: s.hashCollisions,
    transitions: s.transitions,
    max_depth: s.maxDepth,
    seconds: Number(s.seconds.toFixed(6)),
    replayed_transitions: s.replayedTransitions,
    restarts: s.restarts,
    restores: s.restores,
    restore_seconds: Number(s.restoreSeconds.toFixed(6)),
    sleep_blocked: s.sleepBlocked,
    spin_blocked: s.spinBlocked,
    wakeup_insertions: s.wakeupInsertions,
    assumes_failed: s.assumesFailed,
    ...(liveness === null ? {} : livenessStatsJson(liveness.stats)),
    ...(state === null ? {} : { state: stateJson(state) }),
  };
}

/** The statistics back from their JSON (a trace file's), or null when a count is missing. */
export function statsFromJson(j: Readonly<Record<string, unknown>>): Stats | null {
  const n = (key: string): number | null => {
    const v = j[key];
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
  };
  const counts = {
    executions: n("executions"),
    states: n("states"),
    pruned: n("pruned"),
    hashCollisions: n("hash_collisions"),
    transitions: n("transitions"),
    maxDepth: n("max_depth"),
    seconds: n("seconds"),
    replayedTransitions: n("replayed_transitions"),
    restarts: n("restarts"),
    restores: n("restores"),
    restoreSeconds: n("restore_seconds"),
    sleepBlocked: n("sleep_blocked"),
    wakeupInsertions: n("wakeup_insertions"),
    // Absent from the trace files written before it was counted.
    assumesFailed: j["assumes_failed"] === undefined ? 0 : n("assumes_failed"),
  };
  if (Object.values(counts).some((v) => v === null)) return null;
  // Absent from the traces written before spin loops were cut.
  return { ...counts, spinBlocked: n("spin_blocked") ?? 0 } as Stats;
}

/** The one object printed instead of a report when the check fails (usage, input, ...). */
export function jsonError(kind: ErrorKind, message: string, exit: number): Record<string, unknown> {
  return { verdict: "error", error: { kind, message }, exit };
}

function stateJson(s: StateStats): Record<string, unknown> {
  return {
    tracker: s.tracker,
    snapshots: s.snapshots,
    restores: s.restores,
    pages_read: s.pagesRead,
    pages_written: s.pagesWritten,
    bytes_read: s.bytesRead,
    bytes_written: s.bytesWritten,
    maps_reads: s.mapsReads,
    snapshot_seconds: Number(s.snapshotSeconds.toFixed(6)),
    restore_seconds: Number(s.restoreSeconds.toFixed(6)),
    ends_run: s.endsRun,
    ends_reused: s.endsReused,
    ends_looked_up: s.endsLookedUp,
    ahead_batches: s.aheadBatches,
    ahead_steps: s.aheadSteps,
    mispredictions: s.mispredictions,
    replays_joined: s.replaysJoined,
    clean_restores: s.cleanRestores,
    store_pages: s.storePages,
    store_peak_pages: s.storePeakPages,
    dedup_ratio: s.storeInterned === 0
      ? 0
      : Number((s.storeDeduplicated / s.storeInterned).toFixed(4)),
  };
}
