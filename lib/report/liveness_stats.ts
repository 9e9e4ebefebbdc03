/**
 * What the reports of a liveness check say without its lasso: the verdict when no lasso was
 * found, the product's statistics (in words, and in the JSON report and the trace file), and
 * the note a weakly fair lasso carries. Types only from the liveness search: the safety
 * reports (lib/report/human.ts, json.ts) import this, and a safety check loads no liveness or
 * LTL module; the lasso's own rendering is lib/report/liveness.ts, loaded by a liveness check.
 */

import type { LivenessOutcome } from "../check.ts";
import type { LivenessStats } from "../liveness/search.ts";
import type { Stats } from "../explore/result.ts";
import { counted } from "./words.ts";
import { formatCount } from "./count.ts";

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
