/**
 * What a liveness check (`isomc check --ltl`, `--never`, `--non-progress`) reports beyond a
 * safety search: its whole report (the verdict in the property's words, or the lasso through
 * the same formatter as `isomc show`), the lasso as the trace file's violation and steps, and
 * as the JSON report and the trace file hold it. This module loads the lasso's rendering
 * (lib/liveness/report.ts, and the LTL modules it needs): `isomc check` imports it only for a
 * liveness check; what the safety reports share with it is lib/report/liveness_stats.ts.
 */

import type { LivenessOutcome } from "../check.ts";
import type { ExplorationResult } from "../explore/result.ts";
import { type LassoViolationJson, lassoViolationJson } from "../liveness/report.ts";
import type { Lasso } from "../liveness/lasso.ts";
import type { NameTable } from "../model/transition.ts";
import { noSources, type SourceResolver } from "./source.ts";
import {
  actorsJson,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceExtras,
  type TraceFile,
  type TraceStepJson,
  traceStepsJson,
  type TraceViolationJson,
  violationJson,
} from "./trace.ts";
import {
  formatCounterexample,
  formatStateStats,
  incompleteText,
  replayHints,
  type ReportContext,
} from "./human.ts";
import { jsonReport, type JsonReportContext, statsJson } from "./json.ts";
import { preloadNote } from "./notes.ts";
import { formatLivenessStats, livenessVerdictLines } from "./liveness_stats.ts";

/**
 * A liveness search's report: its verdict in the property's words, a lasso through the same
 * formatter as `isomc show` (the trace file's fields), or a safety violation met on the way;
 * the product's statistics.
 */
export function formatLivenessReport(
  result: ExplorationResult,
  l: LivenessOutcome,
  ctx: ReportContext,
): string {
  const sources = ctx.sources ?? noSources;
  const lines: string[] = [];
  const v = result.violation;
  const stderr = ctx.stderr ? { stderr: ctx.stderr } : {};
  if (l.lasso !== null) {
    const { violation, steps } = lassoTraceParts(l, l.lasso, ctx.names, sources);
    lines.push(...formatCounterexample({ ...violation, ...stderr }, steps));
  } else if (v !== null) {
    lines.push(
      ...formatCounterexample(
        { ...violationJson(v, ctx.names, sources), ...stderr },
        traceStepsJson(v.trace, ctx.names, sources),
      ),
    );
  } else {
    const why = incompleteText[result.incomplete ?? "interrupted"];
    lines.push(...livenessVerdictLines(l, result.verdict === "ok" ? "ok" : "incomplete", why));
  }
  if (v !== null || l.lasso !== null) lines.push("");
  if (ctx.preload) lines.push(`Note: ${preloadNote}.`);
  lines.push(`Explored ${formatLivenessStats(l.stats)}.`);
  if (ctx.state) lines.push(formatStateStats(ctx.state));
  if (ctx.tracePath !== null && (v !== null || l.lasso !== null)) {
    lines.push(
      ...replayHints(
        ctx.command,
        ctx.tracePath,
        ctx.program,
        undefined,
        l.lasso !== null,
        ctx.preload,
      ),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * The JSON report of a liveness search: the safety report's fields, the product's figures in
 * its statistics, no safety notes (a liveness search's executions never end by design), the
 * property checked, and a lasso as its violation and trace.
 */
export function livenessJsonReport(
  result: ExplorationResult,
  names: NameTable,
  l: LivenessOutcome,
  ctx: JsonReportContext = {},
): Record<string, unknown> {
  const report = {
    ...jsonReport(result, names, ctx),
    stats: statsJson(result.stats, ctx.state ?? null, l),
    endless: null,
    fallback: null,
    warnings: [],
  };
  const { property, violation } = livenessJson(l, names, ctx.sources ?? noSources);
  if (violation === null) return { ...report, property };
  return {
    ...report,
    property,
    violation: { ...violation, ...(ctx.stderr ? { stderr: ctx.stderr } : {}) },
    trace: violation.trace,
  };
}

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
