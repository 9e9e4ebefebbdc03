/**
 * Language-preserving simplifications of automata, repeated until nothing changes: states
 * that cannot start an accepted run are removed (with the transitions into them), marks on
 * transitions no cycle can take are dropped, redundant acceptance sets are dropped, parallel
 * transitions are merged, and bisimilar states (same guards, marks and successors, up to the
 * partition) are merged into one.
 */

import { allAcc, type Automaton, type AutState, type Edge } from "./automaton.ts";
import { componentMarks, type Graph, sccs } from "./scc.ts";

export function simplifyAutomaton(a: Automaton): Automaton {
  let current = a;
  for (let round = 0; round < 20; round++) {
    const next = mergeBisimilar(dropAccSets(trim(current)));
    const same = next.states.length === current.states.length &&
      next.accSets === current.accSets &&
      edgesOf(next) === edgesOf(current);
    current = next;
    if (same) break;
  }
  return current;
}

function edgesOf(a: Automaton): number {
  return a.states.reduce((n, s) => n + s.edges.length, 0);
}

export function graphOf(a: Automaton): Graph {
  return { size: a.states.length, edges: (n) => a.states[n].edges };
}

/** The automaton that accepts nothing: one state, no transition. */
export function emptyAutomaton(props: readonly string[]): Automaton {
  return { props, accSets: 0, initial: 0, states: [{ label: "false", edges: [] }] };
}

/**
 * Keeps the states reachable from the initial one that can reach an accepting cycle,
 * renumbered in breadth-first order from the initial state (0), and clears the marks of
 * transitions between components (no cycle takes them).
 */
export function trim(a: Automaton): Automaton {
  const g = graphOf(a);
  const { comp, count } = sccs(g, [a.initial]);
  const marks = componentMarks(g, comp, count);
  const all = allAcc(a);
  // Components are numbered sinks first: a component is useful when it is accepting or
  // reaches a useful one, which is known by then.
  const useful = new Uint8Array(count);
  const members: number[][] = Array.from({ length: count }, () => []);
  for (let n = 0; n < a.states.length; n++) if (comp[n] >= 0) members[comp[n]].push(n);
  for (let c = 0; c < count; c++) {
    let u = marks[c] >= 0 && (marks[c] & all) === all;
    for (const n of members[c]) {
      for (const e of a.states[n].edges) if (comp[e.to] !== c && useful[comp[e.to]]) u = true;
    }
    useful[c] = u ? 1 : 0;
  }
  if (!useful[comp[a.initial]]) return emptyAutomaton(a.props);
  const order: number[] = [a.initial];
  const renumber = new Map<number, number>([[a.initial, 0]]);
  for (let i = 0; i < order.length; i++) {
    for (const e of a.states[order[i]].edges) {
      if (useful[comp[e.to]] && !renumber.has(e.to)) {
        renumber.set(e.to, order.length);
        order.push(e.to);
      }
    }
  }
  const states: AutState[] = order.map((n) => ({
    label: a.states[n].label,
    edges: cleanEdges(
      a.states[n].edges.filter((e) => useful[comp[e.to]]).map((e) => ({
        ...e,
        acc: comp[e.to] === comp[n] ? e.acc : 0,
        to: renumber.get(e.to)!,
      })),
    ),
  }));
  return { ...a, initial: 0, states };
}

/**
 * Drops acceptance sets that every transition inside a component belongs to (every cycle
 * meets them) and sets identical to an earlier one; renumbers those left.
 */
function dropAccSets(a: Automaton): Automaton {
  const g = graphOf(a);
  const { comp } = sccs(g, [a.initial]);
  const inner: Edge[] = [];
  a.states.forEach((s, n) => {
    for (const e of s.edges) if (comp[e.to] === comp[n]) inner.push(e);
  });
  const keep: number[] = [];
  const columns: string[] = [];
  for (let set = 0; set < a.accSets; set++) {
    const bit = 1 << set;
    const column = inner.map((e) => (e.acc & bit ? "1" : "0")).join("");
    if (!column.includes("0") || columns.includes(column)) continue;
    keep.push(set);
    columns.push(column);
  }
  if (keep.length === a.accSets) return a;
  const remap = (acc: number): number =>
    keep.reduce((out, set, i) => (acc & (1 << set) ? out | (1 << i) : out), 0);
  return {
    ...a,
    accSets: keep.length,
    states: a.states.map((s) => ({
      label: s.label,
      edges: cleanEdges(s.edges.map((e) => ({ ...e, acc: remap(e.acc) }))),
    })),
  };
}

/** Merges the states that bisimulation cannot tell apart (the coarsest stable partition). */
function mergeBisimilar(a: Automaton): Automaton {
  let cls = new Int32Array(a.states.length);
  let count = 1;
  while (true) {
    const ids = new Map<string, number>();
    const next = new Int32Array(a.states.length);
    a.states.forEach((s, n) => {
      const sig = `${cls[n]}|` + [
        ...new Set(s.edges.map((e) => `${e.pos},${e.neg},${e.acc},${cls[e.to]}`)),
      ].sort().join(";");
      let id = ids.get(sig);
      if (id === undefined) {
        id = ids.size;
        ids.set(sig, id);
      }
      next[n] = id;
    });
    cls = next;
    if (ids.size === count) break;
    count = ids.size;
  }
  if (count === a.states.length) return a;
  // One state per class, numbered by first appearance so the initial state stays 0.
  const order = new Map<number, number>();
  const reps: number[] = [];
  a.states.forEach((_, n) => {
    if (!order.has(cls[n])) {
      order.set(cls[n], reps.length);
      reps.push(n);
    }
  });
  return {
    ...a,
    initial: order.get(cls[a.initial])!,
    states: reps.map((n) => ({
      label: a.states[n].label,
      edges: cleanEdges(a.states[n].edges.map((e) => ({ ...e, to: order.get(cls[e.to])! }))),
    })),
  };
}

/**
 * Removes duplicate transitions and those another one implies (same successor, a weaker
 * guard, at least the same marks), and merges pairs whose guards differ in one literal's
 * sign only (`p && c`, `!p && c` become `c`).
 */
export function cleanEdges(edges: readonly Edge[]): Edge[] {
  let list = [...edges];
  let changed = true;
  while (changed) {
    changed = false;
    const implied = (x: Edge, y: Edge): boolean =>
      x.to === y.to && (x.pos & y.pos) === x.pos && (x.neg & y.neg) === x.neg &&
      (x.acc & y.acc) === y.acc;
    const kept = list.filter((e, i) =>
      !list.some((d, j) => j !== i && implied(d, e) && (!implied(e, d) || j < i))
    );
    if (kept.length !== list.length) changed = true;
    list = kept;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i];
        const y = list[j];
        if (x.to !== y.to || x.acc !== y.acc) continue;
        const flip = (x.pos ^ y.pos) | (x.neg ^ y.neg);
        const single = flip !== 0 && (flip & (flip - 1)) === 0 && (x.pos ^ y.pos) === flip &&
          (x.neg ^ y.neg) === flip;
        if (!single) continue;
        list[i] = { ...x, pos: x.pos & ~flip, neg: x.neg & ~flip };
        list.splice(j, 1);
        changed = true;
        break outer;
      }
    }
  }
  return list;
}
