/**
 * Seeded random LTL formulas and lassos for the translator's tests, and the formulas written
 * for the other translators: SPIN's infix (`spin -f`, which has no X nor W) and LBT's prefix.
 */

import {
  binary,
  type BinaryOp,
  ff,
  type Formula,
  prop,
  tt,
  unary,
  type UnaryOp,
} from "../../lib/ltl/formula.ts";
import type { LassoWord } from "../../lib/ltl/emptiness.ts";
import { rng } from "./random_programs.ts";

export const threeProps = ["p", "q", "r"] as const;

/**
 * A random formula of at most `depth` levels over `props`. `spin` leaves out what SPIN's -f
 * lacks (X) or translates exponentially badly (<->, and W, spelt with a copy of its left side).
 */
export function randomFormula(
  seed: number,
  depth = 3,
  props: readonly string[] = threeProps,
  spin = false,
): Formula {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const unaries: UnaryOp[] = spin ? ["not", "F", "G"] : ["not", "X", "F", "G"];
  const binaries: BinaryOp[] = spin
    ? ["and", "or", "implies", "U", "R"]
    : ["and", "or", "implies", "equiv", "U", "R", "W"];
  const go = (d: number): Formula => {
    const r = next();
    if (d === 0 || r < 0.2) {
      const leaf = next();
      return leaf < 0.06 ? tt : leaf < 0.12 ? ff : prop(pick(props));
    }
    if (r < 0.55) return unary(pick(unaries), go(d - 1));
    return binary(pick(binaries), go(d - 1), go(d - 1));
  };
  return go(depth);
}

/** A random lasso over `props`: a prefix of 0..4 letters, a cycle of 1..4. */
export function randomLasso(seed: number, props: readonly string[] = threeProps): LassoWord {
  const next = rng(seed);
  const letter = (): string[] => props.filter(() => next() < 0.5);
  const prefix = Array.from({ length: Math.floor(next() * 5) }, letter);
  const cycle = Array.from({ length: 1 + Math.floor(next() * 4) }, letter);
  return { prefix, cycle };
}

/** The formula in SPIN's syntax; W is spelt with U and [] (SPIN has no W); X is refused. */
export function spinSyntax(f: Formula): string {
  switch (f.op) {
    case "true":
    case "false":
      return f.op;
    case "prop":
      return f.name;
    case "not":
      return `!(${spinSyntax(f.arg)})`;
    case "X":
      throw new Error("SPIN's -f has no X");
    case "F":
      return `<>(${spinSyntax(f.arg)})`;
    case "G":
      return `[](${spinSyntax(f.arg)})`;
    case "W": {
      const a = spinSyntax(f.left);
      return `((${a}) U (${spinSyntax(f.right)})) || [](${a})`;
    }
    default: {
      const op = { and: "&&", or: "||", implies: "->", equiv: "<->", U: "U", R: "V" }[f.op];
      return `(${spinSyntax(f.left)}) ${op} (${spinSyntax(f.right)})`;
    }
  }
}

/** The formula in LBT's prefix syntax, propositions numbered by their index in `props`. */
export function lbtSyntax(f: Formula, props: readonly string[]): string {
  const go = (g: Formula): string => {
    switch (g.op) {
      case "true":
        return "t";
      case "false":
        return "f";
      case "prop":
        return `p${props.indexOf(g.name)}`;
      case "not":
        return `! ${go(g.arg)}`;
      case "X":
      case "F":
      case "G":
        return `${g.op} ${go(g.arg)}`;
      case "W": {
        const a = go(g.left);
        return `| U ${a} ${go(g.right)} G ${a}`;
      }
      default: {
        const op = { and: "&", or: "|", implies: "i", equiv: "e", U: "U", R: "V" }[g.op];
        return `${op} ${go(g.left)} ${go(g.right)}`;
      }
    }
  };
  return go(f);
}

export function usesNext(f: Formula): boolean {
  if (f.op === "X") return true;
  if ("arg" in f) return usesNext(f.arg);
  if ("left" in f) return usesNext(f.left) || usesNext(f.right);
  return false;
}

/**
 * The formula with `true` and `false` folded away (or the constant alone): lbt 1.2.2 crashes
 * on some formulas with constants inside, so it is given the folded one. The rules are LTL's
 * plain identities (`a U true` = true, `false R a` = `G a`...), kept apart from the
 * translator's own rewriting.
 */
export function foldConstants(f: Formula): Formula {
  const isT = (g: Formula): boolean => g.op === "true";
  const isF = (g: Formula): boolean => g.op === "false";
  switch (f.op) {
    case "true":
    case "false":
    case "prop":
      return f;
    case "not": {
      const a = foldConstants(f.arg);
      return isT(a) ? ff : isF(a) ? tt : unary("not", a);
    }
    case "X":
    case "F":
    case "G": {
      const a = foldConstants(f.arg);
      return isT(a) || isF(a) ? a : unary(f.op, a);
    }
    default: {
      const a = foldConstants(f.left);
      const b = foldConstants(f.right);
      const neg = (g: Formula): Formula => foldConstants(unary("not", g));
      switch (f.op) {
        case "and":
          return isF(a) || isF(b) ? ff : isT(a) ? b : isT(b) ? a : binary("and", a, b);
        case "or":
          return isT(a) || isT(b) ? tt : isF(a) ? b : isF(b) ? a : binary("or", a, b);
        case "implies":
          return isF(a) || isT(b) ? tt : isT(a) ? b : isF(b) ? neg(a) : binary("implies", a, b);
        case "equiv":
          return isT(a)
            ? b
            : isT(b)
            ? a
            : isF(a)
            ? neg(b)
            : isF(b)
            ? neg(a)
            : binary("equiv", a, b);
        case "U":
          return isT(b) || isF(b) ? b : isT(a) ? unary("F", b) : isF(a) ? b : binary("U", a, b);
        case "R":
          return isT(b) || isF(b) ? b : isF(a) ? unary("G", b) : isT(a) ? b : binary("R", a, b);
        case "W":
          return isT(b)
            ? tt
            : isF(b)
            ? (isT(a) || isF(a) ? a : unary("G", a))
            : isT(a)
            ? tt
            : isF(a)
            ? b
            : binary("W", a, b);
      }
    }
  }
}
