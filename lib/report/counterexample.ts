/**
 * A counterexample's steps in words, from the trace file's fields (so that `isomc check` and
 * `isomc show` say the same): the heading with the step count (a lasso's prefix and cycle),
 * a lasso's initial propositions, one numbered line per step with its propositions and the
 * line of the program that made it, where a lasso's cycle starts, and how it ends. Pure.
 */

import type { TraceStepJson, TraceViolationJson } from "./trace.ts";
import { counted } from "./words.ts";

/** Widest a step's words are padded to, so that the source lines make a column. */
const sourceColumn = 56;

/** A lasso's propositions as `p=1 q=0` (empty when it has none). */
function valuesText(values: Readonly<Record<string, number>> | undefined): string {
  return Object.entries(values ?? {}).map(([p, x]) => `${p}=${x}`).join(" ");
}

/** The lines from "Counterexample (...):" to the closing "=> ..." line (no trailing newline). */
export function counterexampleSteps(
  v: TraceViolationJson,
  steps: readonly TraceStepJson[],
): string[] {
  const lines: string[] = [];
  const cycle = v.cycle_start;
  const stutters = cycle !== undefined && (v.stutter === true || cycle === steps.length);
  lines.push(
    cycle === undefined
      ? `Counterexample (${counted(steps.length, "step")}):`
      : `Counterexample (${counted(cycle, "step")}, then ${
        stutters
          ? "the last state forever"
          : `a cycle of ${counted(steps.length - cycle, "step")} repeated forever`
      }):`,
  );
  const width = String(Math.max(steps.length, 1)).length;
  const pad = "".padStart(width);
  const initial = valuesText(v.initial_propositions);
  if (initial !== "") lines.push(`  ${pad}  initially: ${initial}`);
  const said = steps.map((s) => {
    const values = valuesText(s.propositions);
    return `${String(s.step).padStart(width)}. ${s.actor_name}: ${s.transition}${
      values === "" ? "" : `    [${values}]`
    }`;
  });
  const column = Math.min(sourceColumn, Math.max(0, ...said.map((w) => w.length)));
  steps.forEach((s, i) => {
    if (i === cycle) lines.push(`  ${pad}  --- the cycle repeats from step ${i + 1} ---`);
    lines.push(`  ${s.source === undefined ? said[i] : `${said[i].padEnd(column)}   ${s.source}`}`);
  });
  if (cycle !== undefined) {
    lines.push(
      stutters
        ? `  ${pad}  => the run ends here (or deadlocks): its last state repeats forever`
        : `  ${pad}  => back to the state before step ${cycle + 1}: steps ${
          cycle + 1
        }..${steps.length} repeat forever`,
    );
  } else if (v.blocked === undefined) lines.push(`  ${pad}  => ${v.kind}: ${v.message}`);
  return lines;
}
