/**
 * `isomc ltl FORMULA`: shows the automaton the liveness search would use for FORMULA — that of
 * its negation, the behaviours that violate it — as text or, with --dot, as Graphviz; with
 * --never=FILE, the automaton of a SPIN never claim instead.
 */

import { ExitCode, InputError } from "../errors.ts";
import { formatFormula } from "../ltl/formula.ts";
import { parseNever } from "../ltl/never.ts";
import { parseLtl } from "../ltl/parser.ts";
import { formatAutomaton, formatDot } from "../ltl/print.ts";
import { simplifyAutomaton } from "../ltl/simplify.ts";
import { translateNegation } from "../ltl/translate.ts";
import type { Automaton } from "../ltl/automaton.ts";
import { parse, stringOption } from "./args.ts";
import { ltlHelp } from "./help.ts";

export function ltlCommand(args: readonly string[]): number {
  const { values, positionals } = parse("ltl", args, {
    dot: { type: "boolean" },
    never: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(ltlHelp);
    return ExitCode.ok;
  }
  const never = stringOption(values.never);
  let automaton: Automaton;
  let title: string;
  if (never !== undefined) {
    if (positionals.length > 0) {
      throw new InputError("ltl: give a formula or --never=FILE, not both");
    }
    let text: string;
    try {
      text = Deno.readTextFileSync(never);
    } catch (e) {
      throw new InputError(`ltl: cannot read ${never}: ${(e as Error).message}`);
    }
    automaton = simplifyAutomaton(parseNever(text, never));
    title = `never claim ${never}: the behaviours it describes (simplified)`;
  } else {
    if (positionals.length !== 1) {
      throw new InputError(
        positionals.length === 0
          ? "ltl: no formula (usage: isomc ltl FORMULA; see isomc ltl --help)"
          : `ltl: one formula, quoted (got ${positionals.length} words)`,
      );
    }
    const formula = parseLtl(positionals[0]);
    automaton = translateNegation(formula);
    title = `automaton of !(${formatFormula(formula)}): the executions that violate the formula`;
  }
  console.log((values.dot ? formatDot : formatAutomaton)(automaton, title).trimEnd());
  return ExitCode.ok;
}
