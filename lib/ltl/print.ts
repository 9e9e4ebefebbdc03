/**
 * Automata as people read them: a text listing (states, their transitions with guards and
 * acceptance marks) and Graphviz (`isomc ltl --dot`).
 */

import { type Automaton, edgeCount, formatGuard } from "./automaton.ts";

function marks(acc: number, sets: number): string {
  const list: number[] = [];
  for (let i = 0; i < sets; i++) if (acc & (1 << i)) list.push(i);
  return list.length === 0 ? "" : ` {${list.join(",")}}`;
}

/** The automaton as text; `title` heads it (the formula it is for). */
export function formatAutomaton(a: Automaton, title: string): string {
  const lines: string[] = [];
  const acceptance = a.accSets === 0
    ? "every infinite run is accepted"
    : a.accSets === 1
    ? "a run is accepted when it takes transitions marked {0} infinitely often"
    : `a run is accepted when, for each set 0..${
      a.accSets - 1
    }, it takes transitions marked with it infinitely often`;
  lines.push(title);
  lines.push(
    `${a.states.length} state${a.states.length === 1 ? "" : "s"}, ${edgeCount(a)} transition${
      edgeCount(a) === 1 ? "" : "s"
    }, ${a.accSets} acceptance set${a.accSets === 1 ? "" : "s"}: ${acceptance}`,
  );
  a.states.forEach((s, i) => {
    const initial = i === a.initial ? " (initial)" : "";
    lines.push(`state ${i}${initial}: ${s.label}`);
    if (s.edges.length === 0) lines.push("  (no transition: no run goes on from here)");
    for (const e of s.edges) {
      lines.push(`  ${formatGuard(a.props, e.pos, e.neg)} -> ${e.to}${marks(e.acc, a.accSets)}`);
    }
  });
  return lines.join("\n") + "\n";
}

function quote(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The automaton in Graphviz's dot language; accepting transitions are drawn bold. */
export function formatDot(a: Automaton, title: string): string {
  const lines = [
    "digraph automaton {",
    `  label=${quote(title)};`,
    "  labelloc=t;",
    "  node [shape=circle];",
    "  start [shape=point];",
    `  start -> ${a.initial};`,
  ];
  a.states.forEach((s, i) => {
    lines.push(`  ${i} [label=${quote(String(i))}, tooltip=${quote(s.label)}];`);
  });
  a.states.forEach((s, i) => {
    for (const e of s.edges) {
      const label = formatGuard(a.props, e.pos, e.neg) + marks(e.acc, a.accSets);
      const style = e.acc !== 0 ? ", style=bold" : "";
      lines.push(`  ${i} -> ${e.to} [label=${quote(label)}${style}];`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}
