/**
 * The LBTT automaton format `lbt` prints (a generalized Büchi automaton with acceptance on
 * states or on transitions, guards in prefix notation over p0, p1...), read into isomc's
 * automaton type, so that the tests can compare our translator with an independent one.
 */

import { type Automaton, type AutState, cubesOf, type Edge } from "../../lib/ltl/automaton.ts";
import type { Formula } from "../../lib/ltl/formula.ts";

/** `props[i]` is the name of LBT's `p<i>`. */
export function parseLbtt(text: string, props: readonly string[]): Automaton {
  const tok = text.trim().split(/\s+/);
  let pos = 0;
  const num = (): number => {
    const t = tok[pos++];
    if (t === undefined || !/^-?\d+$/.test(t)) throw new Error(`lbtt: expected a number, not ${t}`);
    return Number(t);
  };
  const nStates = num();
  let transitionBased = false;
  const header = tok[pos];
  const nAcc = Number(header.replace(/[ts]$/, ""));
  if (header.endsWith("t")) transitionBased = true;
  pos++;
  if (nStates === 0) {
    return { props, accSets: 0, initial: 0, states: [{ label: "empty", edges: [] }] };
  }
  const guard = (): Formula => {
    const t = tok[pos++];
    switch (t) {
      case "t":
        return { op: "true" };
      case "f":
        return { op: "false" };
      case "!":
        return { op: "not", arg: guard() };
      case "&":
      case "|":
      case "i":
      case "e":
      case "^": {
        const left = guard();
        const right = guard();
        if (t === "^") {
          return { op: "not", arg: { op: "equiv", left, right } };
        }
        const op = ({ "&": "and", "|": "or", i: "implies", e: "equiv" } as const)[t];
        return { op, left, right };
      }
      default: {
        const m = /^p(\d+)$/.exec(t ?? "");
        if (m === null) throw new Error(`lbtt: bad guard token ${t}`);
        return { op: "prop", name: props[Number(m[1])] };
      }
    }
  };
  const ids = new Map<number, number>();
  const idOf = (n: number): number => {
    let i = ids.get(n);
    if (i === undefined) {
      i = ids.size;
      ids.set(n, i);
    }
    return i;
  };
  const raw: { id: number; initial: boolean; acc: number; edges: Edge[] }[] = [];
  const index = (name: string): number => props.indexOf(name);
  for (let s = 0; s < nStates; s++) {
    const id = idOf(num());
    const initial = num() === 1;
    let acc = 0;
    if (!transitionBased) {
      for (let a = num(); a !== -1; a = num()) acc |= 1 << a;
    } else {
      num(); // -1
    }
    const edges: Edge[] = [];
    for (let to = num(); to !== -1; to = num()) {
      let tacc = acc;
      if (transitionBased) { for (let a = num(); a !== -1; a = num()) tacc |= 1 << a; }
      for (const c of cubesOf(guard(), index)) {
        edges.push({ pos: c.pos, neg: c.neg, acc: tacc, to: idOf(to) });
      }
    }
    raw.push({ id, initial, acc, edges });
  }
  const states: AutState[] = new Array(ids.size);
  for (const r of raw) states[r.id] = { label: `lbt ${r.id}`, edges: r.edges };
  for (let i = 0; i < states.length; i++) states[i] ??= { label: "lbt", edges: [] };
  const inits = raw.filter((r) => r.initial).map((r) => r.id);
  if (inits.length !== 1) throw new Error(`lbtt: ${inits.length} initial states`);
  return { props, accSets: nAcc, initial: inits[0], states };
}
