/**
 * What a liveness check (`isomc check --ltl`, `--never`, `--non-progress`) reports beyond a
 * safety search: the verdict in the property's words, the lasso as numbered steps with the
 * propositions' values and the cycle's marker (lib/liveness/report.ts), the product states
 * searched, and the lasso as the JSON report and the trace file hold it.
 */

import type { LivenessOutcome } from "../check.ts";
import type { LivenessStats } from "../liveness/search.ts";
import {
  formatLasso,
  lassoStepsJson,
  type LassoViolationJson,
  lassoViolationJson,
} from "../liveness/report.ts";
import type { Lasso } from "../liveness/lasso.ts";
import type { NameTable } from "../model/transition.ts";
import { counted } from "./words.ts";
import { TRACE_FORMAT, TRACE_VERSION, type TraceFile } from "./trace.ts";

const count = new Intl.NumberFormat("en-US");

/** What the reports call the property checked. */
function property(l: LivenessOutcome): string {
  return l.kind === "non-progress" ? "non-progress cycles" : l.formula;
}

/** The statistics of a liveness search, in product states. */
export function formatLivenessStats(s: Readonly<LivenessStats>): string {
  const rate = s.seconds > 0
    ? ` (${count.format(Math.round(s.states / s.seconds))} product states/s)`
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

/** The report's violation part for a lasso: what it violates, then the numbered steps. */
export function lassoLines(l: LivenessOutcome, lasso: Lasso, names: NameTable): string[] {
  const v = lassoViolationJson(lasso, names, l.formula, l.kind);
  const fair = l.fairness === "weak"
    ? " (weakly fair: no actor is enabled in all of the cycle's states without moving)"
    : "";
  return [
    `isomc: violation found: ${l.kind}`,
    `  ${v.message}${fair}`,
    "",
    formatLasso(lasso, names),
  ];
}

/** The JSON report's additions: the property checked, and the violation as a lasso. */
export function livenessJson(l: LivenessOutcome, names: NameTable): {
  property: { kind: string; formula: string; fairness: string };
  violation: LassoViolationJson | null;
} {
  return {
    property: { kind: l.kind, formula: l.formula, fairness: l.fairness },
    violation: l.lasso === null ? null : lassoViolationJson(l.lasso, names, l.formula, l.kind),
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

/** The trace file of a lasso: its steps, where the cycle starts, the propositions' values. */
export function buildLassoTrace(
  program: readonly string[],
  l: LivenessOutcome,
  lasso: Lasso,
  names: NameTable,
  timeoutMs: number,
): TraceFile {
  const v = lassoViolationJson(lasso, names, l.formula, l.kind);
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program: [...program],
    violation: {
      kind: v.kind,
      message: v.message,
      actor: null,
      formula: v.formula,
      cycle_start: v.cycle_start,
      stutter: v.stutter,
      initial_propositions: v.initial_propositions,
    },
    timeout_ms: timeoutMs,
    steps: lassoStepsJson(lasso, names),
  };
}
