/**
 * The explored state graph (state_graph.ts) in Graphviz's dot language: one node per distinct
 * state, numbered in the order the search met them (0 is the initial state), the ends marked
 * (every actor returned, a deadlock, a violation), one edge per step taken, labelled
 * `actor: transition` in the counterexample's words. Deterministic, every label escaped.
 */

import { actorName, describeTransition, type NameTable } from "../model/transition.ts";
import { printable } from "./printable.ts";
import type { StateGraph } from "./state_graph.ts";

/** A dot string literal. */
function quoted(s: string): string {
  return `"${printable(s).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

export function graphDot(graph: StateGraph, names: NameTable, title: string): string {
  const lines = [
    "digraph isomc {",
    `  label=${quoted(title)};`,
    '  node [shape=circle, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  const nodes = [...graph.nodes.values()].sort((a, b) => a.id - b.id);
  for (const n of nodes) {
    const attrs = n.end === "violation"
      ? `shape=box, color=red, label=${quoted(n.violation ?? "violation")}`
      : n.end === "deadlock"
      ? `color=red, label="${n.id}\\ndeadlock"`
      : n.end === "done"
      ? `shape=doublecircle, label=${quoted(`${n.id}`)}`
      : `label=${quoted(`${n.id}`)}`;
    lines.push(`  s${n.id} [${attrs}${n.id === 0 ? ", style=bold" : ""}];`);
  }
  for (const e of graph.edges.values()) {
    const label = `${actorName(names, e.step.actor)}: ${
      describeTransition(e.transition, names, e.step.choice)
    }`;
    lines.push(`  s${e.from} -> s${e.to} [label=${quoted(label)}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
