/**
 * A lasso as people and programs read it: numbered steps with the propositions' values in the
 * state each leads to, the marker where the cycle starts, and how it closes (back to that
 * state, or a finite run whose last state repeats); and the JSON violation (`kind`
 * "liveness", `cycle_start`, `formula`, `trace`, each step with its `propositions`) that
 * reports and trace files carry.
 */

import type { NameTable } from "../model/transition.ts";
import { counterexampleSteps } from "../report/counterexample.ts";
import { type TraceStepJson, traceStepsJson } from "../report/trace.ts";
import { noSources, type SourceResolver } from "../report/source.ts";
import { type Lasso, type LassoState, lassoTrace } from "./lasso.ts";
import { progressProp } from "./observe.ts";

export type LassoKind = "liveness" | "non-progress";

/**
 * The lasso as numbered lines (no trailing newline), as the reports say it
 * (lib/report/counterexample.ts, from the same fields the trace file holds).
 */
export function formatLasso(l: Lasso, names: NameTable): string {
  const v = lassoViolationJson(l, names, "");
  return counterexampleSteps(v, v.trace).join("\n");
}

/** A step of a lasso with the propositions' values (0 or 1) in the state it leads to. */
export interface LassoStepJson extends TraceStepJson {
  propositions: Record<string, number>;
}

export interface LassoViolationJson {
  readonly kind: LassoKind;
  readonly message: string;
  readonly actor: null;
  readonly formula: string;
  /** Index in `trace` of the cycle's first step (= trace.length when the last state stutters). */
  readonly cycle_start: number;
  readonly stutter: boolean;
  /** The propositions' values in the initial state. */
  readonly initial_propositions: Record<string, number>;
  readonly trace: LassoStepJson[];
}

/** The values of a state's propositions by name (the progress flag left out). */
export function propositionsJson(l: Lasso, s: LassoState): Record<string, number> {
  const out: Record<string, number> = {};
  l.propositions.forEach((p, i) => {
    if (p !== progressProp) out[p] = s.propositions[i] ? 1 : 0;
  });
  return out;
}

/** The lasso's steps (prefix, then cycle) as trace steps with their propositions. */
export function lassoStepsJson(
  l: Lasso,
  names: NameTable,
  sources: SourceResolver = noSources,
): LassoStepJson[] {
  const { trace } = lassoTrace(l);
  const states = [...l.prefix, ...l.cycle].map((s) => s.after);
  return traceStepsJson(trace, names, sources).map((s, i) => ({
    ...s,
    propositions: propositionsJson(l, states[i]),
  }));
}

/** The violation of `formula` the lasso shows, as the JSON report and the trace file hold it. */
export function lassoViolationJson(
  l: Lasso,
  names: NameTable,
  formula: string,
  kind: LassoKind = "liveness",
  sources: SourceResolver = noSources,
): LassoViolationJson {
  const { cycleStart } = lassoTrace(l);
  const message = kind === "non-progress"
    ? "a cycle that passes no isomc_progress() marker"
    : l.stutter
    ? `an execution that ends and violates ${formula}`
    : `an execution that violates ${formula}: a prefix, then a cycle forever`;
  return {
    kind,
    message,
    actor: null,
    formula,
    cycle_start: cycleStart,
    stutter: l.stutter,
    initial_propositions: propositionsJson(l, l.initial),
    trace: lassoStepsJson(l, names, sources),
  };
}
