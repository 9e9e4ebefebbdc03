/**
 * Non-progress cycles (SPIN's -l): a cycle of states none of which was reached through an
 * isomc_progress() marker. It is the liveness search for `G F progress` over the target's
 * `progressed()` flag, a reserved proposition no program can register.
 */

import type { Automaton } from "../ltl/automaton.ts";
import { prop, unary } from "../ltl/formula.ts";
import { translateNegation } from "../ltl/translate.ts";
import { progressProp } from "./observe.ts";

/** The automaton of the non-progress cycles: `F G !progress`. */
export function nonProgressAutomaton(): Automaton {
  return translateNegation(unary("G", unary("F", prop(progressProp))));
}
