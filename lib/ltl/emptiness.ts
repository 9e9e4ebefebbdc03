/**
 * Emptiness of explicit automata and their products: the check the translator's tests rest on
 * (our automaton for φ times another translator's for ¬φ must accept nothing), and acceptance
 * of one ultimately periodic word (a lasso u·v^ω), as the product with the word's automaton.
 */

import { allAcc, type Automaton, type AutState, type Edge } from "./automaton.ts";
import { componentMarks, sccs } from "./scc.ts";
import { graphOf } from "./simplify.ts";

/** Whether the automaton accepts no word at all. */
export function isEmpty(a: Automaton): boolean {
  const g = graphOf(a);
  const { comp, count } = sccs(g, [a.initial]);
  const marks = componentMarks(g, comp, count);
  const all = allAcc(a);
  for (let c = 0; c < count; c++) if (marks[c] >= 0 && (marks[c] & all) === all) return false;
  return true;
}

/**
 * The synchronous product: it accepts the words both accept. Its acceptance sets are the
 * first's, then the second's; only the reachable part is built.
 */
export function product(a: Automaton, b: Automaton): Automaton {
  const props = [...new Set([...a.props, ...b.props])];
  if (props.length > 30) throw new Error("internal: product over more than 30 propositions");
  const ra = remapMasks(a, props);
  const rb = remapMasks(b, props);
  const index = new Map<number, number>();
  const pairs: [number, number][] = [];
  const id = (x: number, y: number): number => {
    const key = x * b.states.length + y;
    let i = index.get(key);
    if (i === undefined) {
      i = pairs.length;
      index.set(key, i);
      pairs.push([x, y]);
    }
    return i;
  };
  id(a.initial, b.initial);
  const states: AutState[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const [x, y] = pairs[i];
    const edges: Edge[] = [];
    for (const e of ra[x]) {
      for (const f of rb[y]) {
        const pos = e.pos | f.pos;
        const neg = e.neg | f.neg;
        if ((pos & neg) !== 0) continue;
        edges.push({ pos, neg, acc: e.acc | (f.acc << a.accSets), to: id(e.to, f.to) });
      }
    }
    states.push({ label: `${x},${y}`, edges });
  }
  return { props, accSets: a.accSets + b.accSets, initial: 0, states };
}

function remapMasks(a: Automaton, props: readonly string[]): Edge[][] {
  const bits = a.props.map((p) => 1 << props.indexOf(p));
  const remap = (mask: number): number =>
    bits.reduce((out, bit, i) => (mask & (1 << i) ? out | bit : out), 0);
  return a.states.map((s) => s.edges.map((e) => ({ ...e, pos: remap(e.pos), neg: remap(e.neg) })));
}

/** An ultimately periodic word: `prefix`, then `cycle` forever; letters are sets of names. */
export interface LassoWord {
  readonly prefix: readonly (readonly string[])[];
  readonly cycle: readonly (readonly string[])[];
}

/** The automaton accepting exactly the word (over `props`, which name every proposition). */
export function wordAutomaton(w: LassoWord, props: readonly string[]): Automaton {
  if (w.cycle.length === 0) throw new Error("internal: a lasso needs a cycle");
  const letters = [...w.prefix, ...w.cycle];
  const full = (2 ** props.length - 1) | 0;
  const states: AutState[] = letters.map((letter, i) => {
    let pos = 0;
    for (const p of letter) pos |= 1 << props.indexOf(p);
    const to = i + 1 < letters.length ? i + 1 : w.prefix.length;
    return { label: `${i}`, edges: [{ pos, neg: full & ~pos, acc: 0, to }] };
  });
  return { props, accSets: 0, initial: 0, states };
}

/** Whether the automaton accepts the word. */
export function accepts(a: Automaton, w: LassoWord): boolean {
  const props = [...new Set([...a.props, ...w.prefix.flat(), ...w.cycle.flat()])];
  return !isEmpty(product(a, wordAutomaton(w, props)));
}
