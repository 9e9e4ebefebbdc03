/**
 * The machine-readable report of `isomc check --json`: one JSON object on stdout, documented in
 * the README (verdict, violation, stats, trace, trace_file; and for a liveness check the
 * property, a lasso's violation and the product's figures) — or, when the check could not be
 * done, the error object (verdict "error", the error's kind and message, the exit status).
 */

import type { ErrorKind } from "../errors.ts";
import type { ExplorationResult } from "../explore/result.ts";
import type { NameTable } from "../model/transition.ts";
import type { StateStats } from "../state/memory_target.ts";
import { traceStepsJson, violationJson } from "./trace.ts";
import type { LivenessOutcome } from "../check.ts";
import { livenessJson, livenessStatsJson } from "./liveness.ts";

export function jsonReport(
  result: ExplorationResult,
  names: NameTable,
  state: StateStats | null = null,
  /** The last lines the failing execution wrote on stderr. */
  stderr: string | null = null,
  /** Where the counterexample was written, or null. */
  traceFile: string | null = null,
  /** What a liveness search found. */
  liveness: LivenessOutcome | null = null,
): Record<string, unknown> {
  const s = result.stats;
  const report: Record<string, unknown> = {
    verdict: result.verdict,
    violation: result.violation === null ? null : {
      ...violationJson(result.violation, names),
      // Only when the failing execution wrote on stderr.
      ...(stderr ? { stderr } : {}),
    },
    incomplete: result.incomplete,
    stats: {
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
      wakeup_insertions: s.wakeupInsertions,
      ...(liveness === null ? {} : livenessStatsJson(liveness.stats)),
      ...(state === null ? {} : { state: stateJson(state) }),
    },
    trace: result.violation === null ? [] : traceStepsJson(result.violation.trace, names),
    trace_file: traceFile,
  };
  if (liveness === null) return report;
  const { property, violation } = livenessJson(liveness, names);
  if (violation === null) return { ...report, property };
  return {
    ...report,
    property,
    violation: { ...violation, ...(stderr ? { stderr } : {}) },
    trace: violation.trace,
  };
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
    store_pages: s.storePages,
    store_peak_pages: s.storePeakPages,
    dedup_ratio: s.storeInterned === 0
      ? 0
      : Number((s.storeDeduplicated / s.storeInterned).toFixed(4)),
  };
}
