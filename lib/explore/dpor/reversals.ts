/**
 * What the race analysis of one explored execution adds to the search. Each reversible race
 * (lib/explore/dpor/races.ts) and each other value of a multi-valued event becomes, at the node
 * before it, a sequence inserted in the wakeup tree (odpor) or one initial step added to the
 * backtrack set (sdpor); `sleep` adds nothing.
 *
 * Every execution through a node registers the other values of the multi-valued event it
 * takes there (explorer.ts says why), but the same sequences twice at one node add nothing the
 * first did not: a node remembers what it registered (by actor, and for odpor by the sequence
 * before the values), so N values cost one registration at a node, not one per execution.
 */

import { Kind, type Transition } from "../../model/transition.ts";
import type { Stats } from "../result.ts";
import { clockAt } from "./clock.ts";
import { type Event, type EventMaker, SharedEvents, unsettled } from "./event.ts";
import { type Analysis, HappensBefore, happensBefore } from "./happens_before.ts";
import {
  alternatives,
  findingRaces,
  initials,
  notDependent,
  pendingRaces,
  reversalIndices,
} from "./races.ts";
import { enabledAfter } from "./shadow.ts";
import { wakesAll } from "./sleep.ts";
import type { DporReduction, Node } from "./stack.ts";
import { insert, insertValues, ValueInsertion } from "./wakeup_tree.ts";
import { type AboveOp, backtrack, opKey, roomOf } from "./above.ts";

/** Races registered between two pauses. */
const pause = 64;
/** Other values of a multi-valued event made and registered at once. */
const valuesPerSlice = 4096;

export class Reversals {
  /** The clocks of the prefix shared with the last execution are kept (happens_before.ts). */
  readonly relation = new HappensBefore();
  /** What the wakeup trees get: one object per distinct event (event.ts says why). */
  private readonly shared = new SharedEvents();

  constructor(
    private readonly reduction: DporReduction,
    private readonly maker: EventMaker,
    private readonly stats: Stats,
    /** The depth bound (--max-depth): sequences must fit above it. */
    private readonly maxDepth = Infinity,
    /** Only the races and values of events after the shared prefix (see register). */
    private readonly incremental = true,
    /**
     * A subtree search (a parallel job): the first `above.count` nodes are the coordinator's,
     * and what lands there is recorded in `above.ops` (above.ts) instead of applied.
     */
    private readonly above: { readonly count: number; readonly ops: AboveOp[] } | null = null,
  ) {}

  /** Whether node `at` is above a job's root: what lands there is recorded (above.ts). */
  private record(op: AboveOp): boolean {
    if (this.above === null || op.at >= this.above.count) return false;
    // The same operation again adds nothing (the coordinator's nodes only grow while it applies
    // a job's operations, and an insertion follows the same branches to the same leaf): once
    // is enough. Most are the same races found again, execution after execution.
    const key = opKey(op);
    if (this.recorded.has(key)) return true;
    this.recorded.add(key);
    this.above.ops.push(op);
    return true;
  }

  /** The operations recorded above the root, by opKey. */
  private readonly recorded = new Set<string>();

  /**
   * Race analysis of the execution `events` (complete, cut, or blocked by sleep sets; for an
   * execution cut by the depth bound, `pending` are the transitions still pending at the cut).
   * It pauses (yields) now and then, so that the search can answer an interrupt.
   */
  *register(
    nodes: readonly Node[],
    events: readonly Event[],
    pending: readonly Transition[] = [],
  ): Generator<void, void> {
    if (this.reduction === "sleep") return;
    const width = pending.reduce((w, t) => Math.max(w, t.actor + 1), 1);
    const a = yield* this.relation.analyzing(events, width);
    // The races whose second event is in the prefix shared with the last execution analysed
    // were registered then, at nodes still on the stack (the same events: none of those nodes
    // has moved to another branch since), and a race and its reversal depend only on the
    // events up to its second one. Registering them again adds nothing: a reversal is still in
    // the wakeup tree of its node (only the branch being explored there has been taken out,
    // and it conflicts with the reversal) or was refused by a sleep set, which has only grown.
    // So only the new suffix's races are looked for (not so the other values of multi-valued
    // events: what precedes them, notdep, runs to the end of the execution); tests/happens_before_incremental_test.ts checks that against
    // whole analyses.
    const from = this.incremental ? a.reused : 0;
    const found = yield* findingRaces(a, from);
    let count = 0;
    for (const race of found) {
      if (++count % pause === 0) yield;
      const node = nodes[race.first];
      if (this.reduction === "odpor") {
        const v = this.reversal(a, reversalIndices(a, race));
        const room = this.maxDepth - race.first;
        if (this.record({ kind: "sequence", at: race.first, v, room: roomOf(room) })) continue;
        if (wakesAll(node.sleep, v, room) && insert(node.tree, v, room)) {
          this.stats.wakeupInsertions++;
        }
      } else {
        const starts = initials(a, reversalIndices(a, race)).map((k) => a.events[k]);
        if (this.record({ kind: "initials", at: race.first, starts })) continue;
        if (starts.some((ev) => node.backtrack.has(ev))) continue;
        backtrack(node, starts[0], this.stats);
      }
    }
    for (const t of pending) {
      yield;
      yield* this.pendingAtCut(nodes, a, t);
    }
    for (const alt of alternatives(a)) {
      yield;
      const node = nodes[alt.at];
      // Under a depth bound the other values go right where the event was, without notdep
      // first: equivalent, but notdep's steps would take the bound's room from what the actor
      // does after its new value (the history of its next steps could then not fit).
      const before = this.maxDepth < Infinity ? [] : this.sequence(a, alt.indices);
      const key = this.reduction === "odpor"
        ? `${alt.event.actor}|${before.map((e) => `${e.actor}.${e.alt}`).join(" ")}`
        : `${alt.event.actor}`;
      const room = this.maxDepth - alt.at;
      if (
        this.record({
          kind: "values",
          at: alt.at,
          key,
          event: alt.event,
          before,
          room: roomOf(room),
        })
      ) {
        continue;
      }
      const registered = node.registered ??= new Set();
      if (registered.has(key)) continue;
      registered.add(key);
      // The values are made and inserted a slice at a time (inserting them in slices is
      // inserting them in order): a random of millions of values does not stall the search.
      const t = alt.event.transition;
      const event = this.shared.at(a.events, alt.at);
      const insertion = new ValueInsertion(node.tree, before, room);
      for (let from = 0; from < t.choices; from += valuesPerSlice) {
        yield;
        const others = this.maker.otherValues(event, from, from + valuesPerSlice);
        if (this.reduction === "odpor") {
          // No sleep-set test: a sleeper may be woken only by what the actor does after the
          // new value, which this execution cannot tell (docs/independence.md).
          this.stats.wakeupInsertions += insertion.insert(others);
        } else {
          for (const ev of others) if (!node.backtrack.has(ev)) backtrack(node, ev, this.stats);
        }
      }
    }
  }

  /**
   * A reversal's events `indices` (its last one moved before the race's first event), as the
   * wakeup trees keep them: the last one's outcome may change there (event.ts, unsettled).
   */
  private reversal(a: Analysis, indices: readonly number[]): Event[] {
    const v = this.sequence(a, indices);
    if (v.length > 0) v[v.length - 1] = this.shared.of(unsettled(v[v.length - 1]));
    return v;
  }

  /** The events `indices` of the execution, as the wakeup trees keep them (shared). */
  private sequence(a: Analysis, indices: readonly number[]): Event[] {
    return indices.map((k) => this.shared.at(a.events, k));
  }

  /**
   * A depth bound cuts executions that are not maximal: an actor pending at the cut may never
   * have run, and no race brings it in, since its events never happened (a 3-step assertion of
   * an actor that a looping actor keeps out of the first N steps was missed). So each pending
   * transition is analysed as if it ran right after the cut: its races are reversed like any
   * race, and the bound itself is one more: the pending event runs instead of the last event
   * that does not happen before it. docs/independence.md argues it.
   */
  private *pendingAtCut(
    nodes: readonly Node[],
    a: Analysis,
    t: Transition,
  ): Generator<void, void> {
    if (t.kind === Kind.waitany && !t.enabled) return; // no value to name it by
    const ev = this.shared.of(this.maker.of(t, 0));
    const n = a.events.length;
    const clock = a.after(ev).clock;
    const before = (k: number): boolean => clockAt(clock, a.events[k].actor) > a.actorIndex[k];
    // Each value of a pending waitany races on its own (whether it can run earlier depends on
    // which comms are matched there); the values of a random have no footprint: value 0's races
    // are theirs.
    const values = t.kind === Kind.waitany ? [ev, ...this.maker.otherValues(ev)] : [ev];
    for (const value of values) {
      for (const first of pendingRaces(a, value)) {
        this.reverse(nodes, a, first, notDependent(a, first, n), value, before);
      }
    }
    if (!t.enabled) return;
    // The bound makes one more race of each event that does not happen before the pending
    // one: they compete for the last steps. Each is reversed (notdep of it, then the pending
    // event, where it ran); a random's or waitany's other values too, as they would be once it
    // ran (which value is not asleep is only known there).
    const others = t.choices > 1 ? this.maker.otherValues(ev) : [];
    const extended = [...a.events, ev];
    // Each costs notdep, O(n): a cut of n steps costs O(n^2) per pending actor, in pauses.
    for (let at = n - 1; at >= 0; at--) {
      if (at % pause === 0) yield;
      if (before(at)) continue;
      const keep = (k: number): boolean => k < at || (k > at && !happensBefore(a, at, k));
      if (!enabledAfter(extended, n, keep)) continue;
      const kept = notDependent(a, at, n);
      this.reverse(nodes, a, at, kept, ev, before);
      if (others.length === 0) continue;
      if (this.reduction === "odpor") {
        const prefix = this.sequence(a, kept);
        if (this.record({ kind: "cutValues", at, prefix, others, room: roomOf(n - at) })) continue;
        this.stats.wakeupInsertions += insertValues(nodes[at].tree, prefix, others, n - at);
      } else {
        for (const value of others) this.reverse(nodes, a, at, kept, value, before);
      }
    }
  }

  /**
   * Adds, at nodes[at], the sequence of the events `indices` of the execution then the pending
   * event `ev`, whose predecessors in the execution are those `before` holds of.
   */
  private reverse(
    nodes: readonly Node[],
    a: Analysis,
    at: number,
    indices: readonly number[],
    ev: Event,
    before: (k: number) => boolean,
  ): void {
    const node = nodes[at];
    if (this.reduction === "odpor") {
      const v = [...this.sequence(a, indices), this.shared.of(unsettled(ev))];
      const room = this.maxDepth - at;
      if (this.record({ kind: "sequence", at, v, room: roomOf(room) })) return;
      if (wakesAll(node.sleep, v, room) && insert(node.tree, v, room)) {
        this.stats.wakeupInsertions++;
      }
      return;
    }
    // sdpor: one initial of the sequence, unless one is in the backtrack set already.
    const starts = initials(a, indices).map((k) => a.events[k]);
    if (!indices.some(before)) starts.push(ev);
    if (this.record({ kind: "initials", at, starts })) return;
    if (starts.some((e) => node.backtrack.has(e))) return;
    backtrack(node, starts[0], this.stats);
  }
}
