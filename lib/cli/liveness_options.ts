/**
 * The automaton of `isomc check --ltl`, `--never` or `--non-progress`: the formula parsed and
 * its negation translated, the never claim read and parsed, or the non-progress automaton.
 * lib/cli/check_options.ts imports this module only when one of those options is given: a
 * safety check does not load the LTL parser and translator (start-up, bench/README.md "What a
 * small check costs").
 */

import { InputError, UsageError } from "../errors.ts";
import type { Automaton } from "../ltl/automaton.ts";
import { nonProgressAutomaton } from "../liveness/progress.ts";
import { parseNever } from "../ltl/never.ts";
import { parseLtl } from "../ltl/parser.ts";
import { simplifyAutomaton } from "../ltl/simplify.ts";
import { translateNegation } from "../ltl/translate.ts";

/** Which property was asked for, its text as given (checked to be one, by the caller). */
export type PropertyGiven =
  | { readonly ltl: string }
  | { readonly never: string }
  | { readonly nonProgress: true };

/** The automaton of the executions to find; a formula or claim that does not parse throws. */
export function propertyAutomaton(given: PropertyGiven): Automaton {
  if ("ltl" in given) return translateNegation(parseLtl(given.ltl));
  if ("never" in given) {
    const never = given.never;
    if (never === "") throw new UsageError("--never needs a file name");
    let text: string;
    try {
      text = Deno.readTextFileSync(never);
    } catch (e) {
      throw new InputError(`cannot read the never claim ${never}: ${(e as Error).message}`);
    }
    return simplifyAutomaton(parseNever(text, never));
  }
  return nonProgressAutomaton();
}
