/**
 * The machine-readable report of `isomc check --json`: one JSON object on stdout, documented in
 * the README (verdict, violation, stats, trace).
 */

import type { ExplorationResult } from "../explore/result.ts";
import type { NameTable } from "../model/transition.ts";
import { traceStepsJson, violationJson } from "./trace.ts";

export function jsonReport(result: ExplorationResult, names: NameTable): Record<string, unknown> {
  const s = result.stats;
  return {
    verdict: result.verdict,
    violation: result.violation === null ? null : violationJson(result.violation, names),
    incomplete: result.incomplete,
    stats: {
      executions: s.executions,
      states: s.states,
      transitions: s.transitions,
      max_depth: s.maxDepth,
      seconds: Number(s.seconds.toFixed(6)),
      replayed_transitions: s.replayedTransitions,
      restarts: s.restarts,
    },
    trace: result.violation === null ? [] : traceStepsJson(result.violation.trace, names),
  };
}
