/**
 * What a subtree search (a parallel job, lib/parallel/) adds at the nodes above its root: the
 * race analysis of its executions (reversals.ts) reverses races at those nodes too, but their
 * wakeup trees and backtrack sets are the coordinator's. So the job records each addition as
 * an operation, in the order the sequential search makes it, and the coordinator applies it to
 * its own node with `applyAbove`, exactly as reversals.ts applies one to a node of its stack.
 */

import type { Stats } from "../result.ts";
import { type Event, otherValuesOf } from "./event.ts";
import { wakesAll } from "./sleep.ts";
import type { DporReduction, Node } from "./stack.ts";
import { insert, insertValues, ValueInsertion } from "./wakeup_tree.ts";

/**
 * One addition at the node at depth `at` (above the job's root). `room` is the steps left
 * below the node before the depth bound, null without one (JSON has no Infinity: the
 * coordinator of worker processes gets the operations over the wire).
 */
type OpOf<E> =
  /** odpor: a race reversal `v`, inserted unless a sleeper is a weak initial of it. */
  | {
    readonly kind: "sequence";
    readonly at: number;
    readonly v: readonly E[];
    readonly room: number | null;
  }
  /** sdpor: the initials of a reversal; the first is added unless one is in the backtrack set. */
  | { readonly kind: "initials"; readonly at: number; readonly starts: readonly E[] }
  /** The other values of `event`, after `before` (odpor), unless `key` was registered here. */
  | {
    readonly kind: "values";
    readonly at: number;
    readonly key: string;
    readonly event: E;
    readonly before: readonly E[];
    readonly room: number | null;
  }
  /** odpor, at a depth bound's cut: `prefix` then each of `others` (insertValues). */
  | {
    readonly kind: "cutValues";
    readonly at: number;
    readonly prefix: readonly E[];
    readonly others: readonly E[];
    readonly room: number | null;
  };

/** An addition with its events (PackedOp: with references to them). */
export type AboveOp = OpOf<Event>;

/** Applies `op` to `node` as reversals.ts would have; counts what it adds in `stats`. */
export function applyAbove(
  reduction: DporReduction,
  node: Node,
  op: AboveOp,
  stats: Stats,
): void {
  const room = op.kind === "initials" ? Infinity : op.room ?? Infinity;
  switch (op.kind) {
    case "sequence":
      if (wakesAll(node.sleep, op.v, room) && insert(node.tree, op.v, room)) {
        stats.wakeupInsertions++;
      }
      return;
    case "initials":
      if (op.starts.some((ev) => node.backtrack.has(ev))) return;
      backtrack(node, op.starts[0], stats);
      return;
    case "values": {
      const registered = node.registered ??= new Set();
      if (registered.has(op.key)) return;
      registered.add(op.key);
      const others = otherValuesOf(op.event);
      if (reduction === "odpor") {
        stats.wakeupInsertions += new ValueInsertion(node.tree, op.before, room).insert(others);
      } else {
        for (const ev of others) if (!node.backtrack.has(ev)) backtrack(node, ev, stats);
      }
      return;
    }
    case "cutValues":
      stats.wakeupInsertions += insertValues(node.tree, op.prefix, op.others, room);
      return;
  }
}

/** A name of `op` that two operations with the same effect share (events by actor and value). */
export function opKey(op: AboveOp): string {
  const evs = (es: readonly Event[]): string => es.map((e) => `${e.actor}.${e.alt}`).join(" ");
  switch (op.kind) {
    case "sequence":
      return `s${op.at}|${op.room}|${evs(op.v)}`;
    case "initials":
      return `i${op.at}|${evs(op.starts)}`;
    case "values":
      return `v${op.at}|${op.room}|${op.key}|${op.event.actor}.${op.event.alt}|${evs(op.before)}`;
    case "cutValues":
      return `c${op.at}|${op.room}|${evs(op.prefix)}|${evs(op.others)}`;
  }
}

/** A bound's room as an operation carries it (null: none). */
export function roomOf(room: number): number | null {
  return Number.isFinite(room) ? room : null;
}

/** sdpor: `ev` joins the node's backtrack set (and its pending branches). */
export function backtrack(node: Node, ev: Event, stats: Stats): void {
  node.tree.append([ev]);
  node.backtrack.add(ev);
  stats.wakeupInsertions++;
}

/**
 * Operations as a job sends them: each distinct event once, in `events`, and the operations
 * naming events by their index there. The reversals of one job repeat the same events over and
 * over (each is a sequence of an execution's events): lastzero(10)'s 1,372 operations were
 * 6.6 MB of JSON, each event some 230 bytes, most of it the same few events.
 */
export interface PackedOps {
  readonly events: readonly Event[];
  readonly ops: readonly PackedOp[];
}

type Ref = number;
type PackedOp = OpOf<Ref>;

/**
 * A table of distinct events for a packed message: `ref` names an event by its index in
 * `events`, events alike in every field (their JSON) sharing one (packOps here, the parallel
 * wire's job roots in lib/parallel/wire_pack.ts).
 */
export function eventTable(): { readonly events: Event[]; readonly ref: (ev: Event) => Ref } {
  const events: Event[] = [];
  const byObject = new Map<Event, Ref>();
  const byContent = new Map<string, Ref>();
  const ref = (ev: Event): Ref => {
    let k = byObject.get(ev);
    if (k !== undefined) return k;
    const content = JSON.stringify(ev, (_k, v) => typeof v === "bigint" ? { $bigint: `${v}` } : v);
    k = byContent.get(content);
    if (k === undefined) {
      k = events.length;
      events.push(ev);
      byContent.set(content, k);
    }
    byObject.set(ev, k);
    return k;
  };
  return { events, ref };
}

/** `ops` packed: events alike in every field (JSON) are sent once. */
export function packOps(ops: readonly AboveOp[]): PackedOps {
  const { events, ref } = eventTable();
  const refs = (es: readonly Event[]): Ref[] => es.map(ref);
  const packed = ops.map((op): PackedOp => {
    switch (op.kind) {
      case "sequence":
        return { ...op, v: refs(op.v) };
      case "initials":
        return { ...op, starts: refs(op.starts) };
      case "values":
        return { ...op, event: ref(op.event), before: refs(op.before) };
      case "cutValues":
        return { ...op, prefix: refs(op.prefix), others: refs(op.others) };
    }
  });
  return { events, ops: packed };
}

export function unpackOps(packed: PackedOps): AboveOp[] {
  const ev = (k: Ref): Event => packed.events[k];
  const evs = (ks: readonly Ref[]): Event[] => ks.map(ev);
  return packed.ops.map((op): AboveOp => {
    switch (op.kind) {
      case "sequence":
        return { ...op, v: evs(op.v) };
      case "initials":
        return { ...op, starts: evs(op.starts) };
      case "values":
        return { ...op, event: ev(op.event), before: evs(op.before) };
      case "cutValues":
        return { ...op, prefix: evs(op.prefix), others: evs(op.others) };
    }
  });
}
