/**
 * The LTL parser: text to `Formula`, in isomc's spelling and SPIN's (docs/liveness.md has the
 * grammar and the precedence). A syntax error is one line that quotes the formula and points at
 * the position; `checkPropositions` turns a formula naming something the program did not
 * register into one line naming it and listing those it did.
 */

import { InputError } from "../errors.ts";
import {
  binary,
  type BinaryOp,
  ff,
  type Formula,
  prop,
  propositionsOf,
  tt,
  unary,
} from "./formula.ts";

/** A formula that does not parse: where (0-based offset into the text) and why. */
export class LtlSyntaxError extends InputError {
  override name = "LtlSyntaxError";
  constructor(readonly formula: string, readonly offset: number, readonly reason: string) {
    // One line: the formula quoted whole, the position both counted and marked inside it.
    super(
      `bad formula: ${reason} at column ${offset + 1}: '${formula.slice(0, offset)}<here>${
        formula.slice(offset)
      }'`,
    );
  }
}

type Token =
  | { readonly kind: "name"; readonly text: string; readonly at: number }
  | { readonly kind: "op"; readonly text: string; readonly at: number }
  | { readonly kind: "end"; readonly text: ""; readonly at: number };

/** Operators, longest spellings first so that `<->` is not read as `<` then `->`. */
const operators = [
  "<->",
  "-->",
  "<=>",
  "->",
  "=>",
  "&&",
  "||",
  "/\\",
  "\\/",
  "<>",
  "[]",
  "!",
  "~",
  "&",
  "|",
  "(",
  ")",
];

/** Letters that are operators when they stand alone as a word. */
const wordOperators: Record<string, string> = {
  X: "X",
  F: "F",
  G: "G",
  U: "U",
  R: "R",
  V: "R",
  W: "W",
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word !== null) {
      tokens.push({ kind: "name", text: word[0], at: i });
      i += word[0].length;
      continue;
    }
    const op = operators.find((o) => text.startsWith(o, i));
    if (op === undefined) throw new LtlSyntaxError(text, i, `unexpected '${c}'`);
    tokens.push({ kind: "op", text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: "end", text: "", at: text.length });
  return tokens;
}

/** Binary operators by level, lowest first (all right-associative). */
const levels: readonly (Readonly<Record<string, BinaryOp>>)[] = [
  { "<->": "equiv", "<=>": "equiv" },
  { "->": "implies", "-->": "implies", "=>": "implies" },
  { "||": "or", "|": "or", "\\/": "or" },
  { "&&": "and", "&": "and", "/\\": "and" },
  { U: "U", R: "R", V: "R", W: "W" },
];

const unaryOps: Readonly<Record<string, "not" | "X" | "F" | "G">> = {
  "!": "not",
  "~": "not",
  X: "X",
  F: "F",
  "<>": "F",
  G: "G",
  "[]": "G",
};

/** Parses an LTL formula; throws `LtlSyntaxError` (an InputError: exit 2) when it is not one. */
export function parseLtl(text: string): Formula {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  /** The operator a token stands for: symbols always, single letters when alone. */
  const opOf = (t: Token): string | null =>
    t.kind === "op" ? t.text : t.kind === "name" ? (wordOperators[t.text] ?? null) : null;
  const fail = (t: Token, reason: string): never => {
    throw new LtlSyntaxError(text, t.at, reason);
  };

  const binaryLevel = (level: number): Formula => {
    if (level === levels.length) return unaryFormula();
    const left = binaryLevel(level + 1);
    const op = opOf(peek());
    const kind = op === null ? undefined : levels[level][op];
    if (kind === undefined) return left;
    pos++;
    return binary(kind, left, binaryLevel(level));
  };

  const unaryFormula = (): Formula => {
    const t = peek();
    const op = opOf(t);
    if (op !== null && unaryOps[op] !== undefined) {
      pos++;
      return unary(unaryOps[op], unaryFormula());
    }
    if (t.kind === "op" && t.text === "(") {
      pos++;
      const inner = binaryLevel(0);
      const close = peek();
      if (close.kind !== "op" || close.text !== ")") {
        fail(close, close.kind === "end" ? "missing ')'" : `expected ')', not '${close.text}'`);
      }
      pos++;
      return inner;
    }
    if (t.kind === "name" && op === null) {
      pos++;
      if (t.text === "true") return tt;
      if (t.text === "false") return ff;
      return prop(t.text);
    }
    if (t.kind === "end") return fail(t, "unexpected end of formula");
    return fail(
      t,
      `expected a proposition, 'true', 'false', '(' or a unary operator, not '${t.text}'`,
    );
  };

  if (peek().kind === "end") fail(peek(), "empty formula");
  const f = binaryLevel(0);
  const rest = peek();
  if (rest.kind !== "end") fail(rest, `unexpected '${rest.text}' after a complete formula`);
  return f;
}

/**
 * The error for a formula naming a proposition the program did not register (isomc_prop),
 * or null when every name is registered. The caller checks at the first state, before any
 * search.
 */
export function unknownPropositionError(
  formula: string,
  parsed: Formula,
  registered: readonly string[],
): InputError | null {
  return unknownNamesError(formula, propositionsOf(parsed), registered);
}

/** As unknownPropositionError, for the names a formula or a never claim uses. */
export function unknownNamesError(
  source: string,
  names: readonly string[],
  registered: readonly string[],
): InputError | null {
  const known = new Set(registered);
  const unknown = names.filter((n) => !known.has(n) && !n.startsWith("@"));
  if (unknown.length === 0) return null;
  const list = registered.length === 0
    ? "the program registers none (isomc_prop)"
    : `registered: ${registered.join(", ")}`;
  const what = unknown.length === 1
    ? `unknown proposition '${unknown[0]}'`
    : `unknown propositions ${unknown.map((n) => `'${n}'`).join(", ")}`;
  return new InputError(`${what} in '${source}' (${list})`);
}
