/**
 * A lasso as people and programs read it: numbered steps with the propositions' values in the
 * state each leads to, the marker where the cycle starts, and how it closes (back to that
 * state, or a finite run whose last state repeats); and the JSON violation (`kind`
 * "liveness", `cycle_start`, `formula`, `trace`, each step with its `propositions`) that
 * reports and trace files carry.
 */

import { actorName, describeTransition, type NameTable } from "../model/transition.ts";
import { type TraceStepJson, traceStepsJson } from "../report/trace.ts";
import { type Lasso, type LassoState, lassoTrace } from "./lasso.ts";
import { progressProp } from "./observe.ts";

export type LassoKind = "liveness" | "non-progress";

function values(l: Lasso, s: LassoState): string {
  const shown = l.propositions.map((p, i) => ({ p, v: s.propositions[i] }))
    .filter(({ p }) => p !== progressProp);
  return shown.map(({ p, v }) => `${p}=${v ? 1 : 0}`).join(" ");
}

/** The lasso as numbered lines (no trailing newline). */
export function formatLasso(l: Lasso, names: NameTable): string {
  const { trace, cycleStart } = lassoTrace(l);
  const lines: string[] = [];
  const steps = (n: number): string => `${n} step${n === 1 ? "" : "s"}`;
  const head = l.stutter
    ? `Counterexample (${steps(trace.length)}, then the last state forever):`
    : `Counterexample (${steps(cycleStart)}, then a cycle of ${
      steps(l.cycle.length)
    } repeated forever):`;
  lines.push(head);
  const width = String(Math.max(trace.length, 1)).length;
  const pad = (n: number | string): string => String(n).padStart(width);
  const initial = values(l, l.initial);
  if (initial !== "") lines.push(`  ${pad("")}  initially: ${initial}`);
  const all = [...l.prefix, ...l.cycle];
  all.forEach((s, i) => {
    if (i === cycleStart && !l.stutter) {
      lines.push(`  ${pad("")}  --- the cycle repeats from step ${cycleStart + 1} ---`);
    }
    const what = `${actorName(names, s.step.actor)}: ${
      describeTransition(s.transition, names, s.step.choice)
    }`;
    const v = values(l, s.after);
    lines.push(`  ${pad(i + 1)}. ${what}${v === "" ? "" : `    [${v}]`}`);
  });
  lines.push(
    l.stutter
      ? `  ${pad("")}  => the run ends here (or deadlocks): its last state repeats forever`
      : `  ${pad("")}  => back to the state before step ${cycleStart + 1}: steps ${
        cycleStart + 1
      }..${trace.length} repeat forever`,
  );
  return lines.join("\n");
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
export function lassoStepsJson(l: Lasso, names: NameTable): LassoStepJson[] {
  const { trace } = lassoTrace(l);
  const states = [...l.prefix, ...l.cycle].map((s) => s.after);
  return traceStepsJson(trace, names).map((s, i) => ({
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
    trace: lassoStepsJson(l, names),
  };
}
