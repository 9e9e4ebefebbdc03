/**
 * LTL's meaning, evaluated directly on an ultimately periodic word (prefix, then a cycle
 * forever): the oracle that automata are checked against, independent of the translation.
 * Positions are those of prefix + cycle; the last one's successor is the cycle's first. Until
 * is a least fixpoint and release a greatest one, computed by going round the cycle until the
 * values settle.
 */

import type { Formula } from "./formula.ts";
import type { LassoWord } from "./emptiness.ts";

/** Whether the word satisfies the formula (at its first position). */
export function holdsOn(f: Formula, w: LassoWord): boolean {
  if (w.cycle.length === 0) throw new Error("internal: a lasso needs a cycle");
  const letters = [...w.prefix, ...w.cycle].map((l) => new Set(l));
  const n = letters.length;
  const loop = w.prefix.length;
  const succ = (i: number): number => (i + 1 < n ? i + 1 : loop);
  const memo = new Map<Formula, boolean[]>();

  /** Value of `a U b` (or `a R b` when `release`) at every position, by fixpoint. */
  const fixpoint = (a: boolean[], b: boolean[], release: boolean): boolean[] => {
    const v = new Array<boolean>(n).fill(release);
    // Going backwards twice round the whole word reaches the fixpoint: each pass settles
    // the cycle's values from the next position's.
    for (let pass = 0; pass < 2 * n + 2; pass++) {
      let changed = false;
      for (let i = n - 1; i >= 0; i--) {
        const next = v[succ(i)];
        const value = release ? b[i] && (a[i] || next) : b[i] || (a[i] && next);
        if (value !== v[i]) {
          v[i] = value;
          changed = true;
        }
      }
      if (!changed) break;
    }
    return v;
  };

  const values = (g: Formula): boolean[] => {
    const known = memo.get(g);
    if (known !== undefined) return known;
    const all = (x: boolean): boolean[] => new Array<boolean>(n).fill(x);
    let v: boolean[];
    switch (g.op) {
      case "true":
        v = all(true);
        break;
      case "false":
        v = all(false);
        break;
      case "prop":
        v = letters.map((l) => l.has(g.name));
        break;
      case "not":
        v = values(g.arg).map((x) => !x);
        break;
      case "X": {
        const a = values(g.arg);
        v = letters.map((_, i) => a[succ(i)]);
        break;
      }
      case "F":
        v = fixpoint(all(true), values(g.arg), false);
        break;
      case "G":
        v = fixpoint(all(false), values(g.arg), true);
        break;
      case "and":
      case "or":
      case "implies":
      case "equiv": {
        const a = values(g.left);
        const b = values(g.right);
        const op = g.op;
        v = a.map((x, i) =>
          op === "and"
            ? x && b[i]
            : op === "or"
            ? x || b[i]
            : op === "implies"
            ? !x || b[i]
            : x === b[i]
        );
        break;
      }
      case "U":
        v = fixpoint(values(g.left), values(g.right), false);
        break;
      case "R":
        v = fixpoint(values(g.left), values(g.right), true);
        break;
      case "W": {
        // a W b = (a U b) || G a
        const a = values(g.left);
        const u = fixpoint(a, values(g.right), false);
        const ga = fixpoint(all(false), a, true);
        v = u.map((x, i) => x || ga[i]);
        break;
      }
    }
    memo.set(g, v);
    return v;
  };
  return values(f)[0];
}
