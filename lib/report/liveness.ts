/**
 * What a liveness check (`isomc check --ltl`, `--never`, `--non-progress`) reports beyond a
 * safety search: the verdict in the property's words, the lasso as the trace file's violation
 * and steps (which the human report formats, lib/report/counterexample.ts), the product states
 * searched, and the lasso as the JSON report and the trace file hold it.
 */

import type { LivenessOutcome } from "../check.ts";
import type { LivenessStats } from "../liveness/search.ts";
import type { Stats } from "../explore/result.ts";
import { type LassoViolationJson, lassoViolationJson } from "../liveness/report.ts";
import type { Lasso } from "../liveness/lasso.ts";
import type { NameTable } from "../model/transition.ts";
import { counted } from "./words.ts";
import { formatCount } from "./count.ts";
import { noSources, type SourceResolver } from "./source.ts";
import {
  actorsJson,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceExtras,
  type TraceFile,
  type TraceStepJson,
  type TraceViolationJson,
} from "./trace.ts";

/** What the reports call the property checked. */
function property(l: LivenessOutcome): string {
  return l.kind === "non-progress" ? "non-progress cycles" : l.formula;
}

/** The statistics of a liveness search, in product states. */
export function formatLivenessStats(s: Readonly<LivenessStats>): string {
  const rate = s.seconds > 0
    ? ` (${formatCount(Math.round(s.states / s.seconds))} product states/s)`
    : "";
  return `${counted(s.states, "product state")} (${counted(s.programStates, "program state")}, ${
    counted(s.pruned, "revisit")
  }), ${counted(s.transitions, "transition")}, max depth ${s.maxDepth}, ${
    s.seconds.toFixed(2)
  } s${rate}`;
}

/** The first lines of a report whose liveness search found no lasso. */
export function livenessVerdictLines(
  l: LivenessOutcome,
  verdict: "ok" | "incomplete",
  why: string,
): string[] {
  const fair = l.fairness === "weak" ? " weakly fair" : "";
  if (verdict === "ok") {
    return l.kind === "non-progress"
      ? [`isomc: no non-progress cycle: every${fair} cycle passes an isomc_progress() marker.`]
      : [`isomc: the property holds in every${fair} execution: ${l.formula}`];
  }
  return [
    `isomc: incomplete: ${why}; no violation of ${property(l)} in the ${
      counted(l.stats.states, "product state")
    } explored.`,
  ];
}

/** What a weakly fair search adds to a lasso's message in the human report. */
export const weaklyFairNote =
  "(weakly fair: no actor is enabled in all of the cycle's states without moving)";

/** A lasso as the trace file's violation and steps (the human report formats these too). */
export function lassoTraceParts(
  l: LivenessOutcome,
  lasso: Lasso,
  names: NameTable,
  sources: SourceResolver = noSources,
): { violation: TraceViolationJson; steps: TraceStepJson[] } {
  const v = lassoViolationJson(lasso, names, l.formula, l.kind, sources);
  return {
    violation: {
      kind: v.kind,
      message: v.message,
      actor: null,
      formula: v.formula,
      cycle_start: v.cycle_start,
      stutter: v.stutter,
      initial_propositions: v.initial_propositions,
      fairness: l.fairness,
    },
    steps: v.trace,
  };
}

/** The JSON report's additions: the property checked, and the violation as a lasso. */
export function livenessJson(l: LivenessOutcome, names: NameTable, sources: SourceResolver): {
  property: { kind: string; formula: string; fairness: string };
  violation: (LassoViolationJson & { fairness: string }) | null;
} {
  return {
    property: { kind: l.kind, formula: l.formula, fairness: l.fairness },
    violation: l.lasso === null ? null : {
      ...lassoViolationJson(l.lasso, names, l.formula, l.kind, sources),
      fairness: l.fairness,
    },
  };
}

/** The statistics a liveness search adds to `stats` in the JSON report. */
export function livenessStatsJson(s: Readonly<LivenessStats>): Record<string, number> {
  return {
    product_states: s.states,
    program_states: s.programStates,
    table_bytes: s.tableBytes,
  };
}

/** A liveness search's statistics back from their JSON (a trace file's), or null. */
export function livenessStatsFromJson(
  stats: Stats,
  j: Readonly<Record<string, unknown>>,
): LivenessStats | null {
  const n = (key: string): number | null => {
    const v = j[key];
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
  };
  const programStates = n("program_states");
  const tableBytes = n("table_bytes");
  if (n("product_states") === null || programStates === null || tableBytes === null) return null;
  return { ...stats, programStates, tableBytes };
}

/**
 * The trace file of a lasso: its steps with their source lines and propositions, where the
 * cycle starts, the property and fairness, the actors, the stderr and the statistics.
 */
export function buildLassoTrace(
  program: readonly string[],
  l: LivenessOutcome,
  lasso: Lasso,
  names: NameTable,
  timeoutMs: number,
  extras: TraceExtras = {},
): TraceFile {
  const { violation, steps } = lassoTraceParts(l, lasso, names, extras.sources);
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program: [...program],
    violation: { ...violation, ...(extras.stderr ? { stderr: extras.stderr } : {}) },
    timeout_ms: timeoutMs,
    steps,
    actors: actorsJson(names),
    ...(extras.stats === undefined ? {} : { stats: extras.stats }),
    ...(extras.memory === "sync" ? { memory: "sync" as const } : {}),
    ...(extras.preload === true ? { preload: true as const } : {}),
    ...(extras.joinOnExit === true ? { join_on_exit: true as const } : {}),
  };
}
