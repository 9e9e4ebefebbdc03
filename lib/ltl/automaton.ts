/**
 * The automaton type every part of isomc's liveness shares: a transition-based generalized
 * Büchi automaton (TGBA) over the propositions' values. Guards are cubes (a conjunction of
 * literals, two bit masks over `props`), acceptance marks are a bit mask over `accSets`; a run
 * is accepted when it takes, for every set, transitions marked with it infinitely often. The
 * translator, SPIN never claims and the tests' other translators all produce this type.
 */

import type { Formula } from "./formula.ts";

/** At most this many propositions (bit masks are 32-bit numbers). */
export const maxProps = 30;
/** At most this many acceptance sets. */
export const maxAccSets = 30;

export interface Edge {
  /** Propositions that must be true, as a bit mask over the automaton's `props`. */
  readonly pos: number;
  /** Propositions that must be false. */
  readonly neg: number;
  /** The acceptance sets this transition belongs to. */
  readonly acc: number;
  readonly to: number;
}

export interface AutState {
  /** What the state stands for: the formulas it must satisfy, or its never-claim label. */
  readonly label: string;
  readonly edges: readonly Edge[];
}

export interface Automaton {
  readonly props: readonly string[];
  readonly accSets: number;
  readonly initial: number;
  readonly states: readonly AutState[];
}

/** All acceptance sets, as a mask. */
export function allAcc(a: Automaton): number {
  return a.accSets === 0 ? 0 : (2 ** a.accSets - 1) | 0;
}

/** A letter: the set of true propositions as a bit mask. */
export function matches(e: Edge, letter: number): boolean {
  return (letter & e.pos) === e.pos && (letter & e.neg) === 0;
}

export function edgeCount(a: Automaton): number {
  return a.states.reduce((n, s) => n + s.edges.length, 0);
}

/** The guard of an edge as text: `p && !q`, or `true`. */
export function formatGuard(props: readonly string[], pos: number, neg: number): string {
  const parts: string[] = [];
  props.forEach((p, i) => {
    if (pos & (1 << i)) parts.push(p);
    if (neg & (1 << i)) parts.push(`!${p}`);
  });
  return parts.length === 0 ? "true" : parts.join(" && ");
}

export interface Cube {
  readonly pos: number;
  readonly neg: number;
}

/**
 * A boolean combination of propositions (a guard of a never claim, of an LBTT automaton) as
 * a disjunction of cubes over `index` (which numbers each proposition, adding new ones).
 * Temporal operators are refused: the caller checked the guard is propositional.
 */
export function cubesOf(g: Formula, index: (name: string) => number): Cube[] {
  const go = (f: Formula, negate: boolean): Cube[] => {
    switch (f.op) {
      case "true":
        return negate ? [] : [{ pos: 0, neg: 0 }];
      case "false":
        return negate ? [{ pos: 0, neg: 0 }] : [];
      case "prop": {
        const bit = 1 << index(f.name);
        return [negate ? { pos: 0, neg: bit } : { pos: bit, neg: 0 }];
      }
      case "not":
        return go(f.arg, !negate);
      case "and":
      case "or": {
        const l = go(f.left, negate);
        const r = go(f.right, negate);
        const conj = (f.op === "and") !== negate;
        return conj ? conjoin(l, r) : simplifyCubes([...l, ...r]);
      }
      case "implies":
        return go({ op: "or", left: { op: "not", arg: f.left }, right: f.right }, negate);
      case "equiv": {
        const both = { op: "and", left: f.left, right: f.right } as const;
        const neither = {
          op: "and",
          left: { op: "not", arg: f.left },
          right: { op: "not", arg: f.right },
        } as const;
        return go({ op: "or", left: both, right: neither }, negate);
      }
      default:
        throw new Error(`internal: temporal operator ${f.op} in a guard`);
    }
  };
  return go(g, false);
}

function conjoin(l: readonly Cube[], r: readonly Cube[]): Cube[] {
  const out: Cube[] = [];
  for (const a of l) {
    for (const b of r) {
      const pos = a.pos | b.pos;
      const neg = a.neg | b.neg;
      if ((pos & neg) === 0) out.push({ pos, neg });
    }
  }
  return simplifyCubes(out);
}

/** Drops cubes implied by another (a cube with more literals says less). */
export function simplifyCubes(cubes: readonly Cube[]): Cube[] {
  const out: Cube[] = [];
  cubes.forEach((c, i) => {
    const covered = cubes.some((d, j) =>
      j !== i && (d.pos & c.pos) === d.pos && (d.neg & c.neg) === d.neg &&
      (d.pos !== c.pos || d.neg !== c.neg || j < i)
    );
    if (!covered) out.push(c);
  });
  return out;
}

/** The automaton with its propositions renumbered as in `props` (which must hold them all). */
export function withProps(a: Automaton, props: readonly string[]): Automaton {
  const map = a.props.map((p) => {
    const i = props.indexOf(p);
    if (i < 0) throw new Error(`internal: proposition ${p} missing`);
    return i;
  });
  const remap = (mask: number): number => {
    let out = 0;
    map.forEach((to, from) => {
      if (mask & (1 << from)) out |= 1 << to;
    });
    return out;
  };
  return {
    ...a,
    props,
    states: a.states.map((s) => ({
      label: s.label,
      edges: s.edges.map((e) => ({ ...e, pos: remap(e.pos), neg: remap(e.neg) })),
    })),
  };
}
