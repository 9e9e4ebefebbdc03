/**
 * The happens-before relation of one explored execution, as vector clocks: program order,
 * creation (an actor's first event after the step that created it), enabling (an event after
 * the event it waits for: the FIFO partner of a wait, the signal of a cond_wait's second
 * phase, the arrival that completed a barrier round) and dependence (conflicting footprints,
 * lib/model/independence.ts). For each event it also keeps its direct dependent
 * predecessors, from which lib/explore/dpor/races.ts finds the races.
 */

import { Kind } from "../../model/transition.ts";
import { enablerOf, postOf } from "../../model/independence.ts";
import { type Clock, clockAt, copyClock, emptyClock, joinClock, setClock } from "./clock.ts";
import type { Event } from "./event.ts";

export interface Analysis {
  readonly events: readonly Event[];
  /**
   * The first events whose analysis is the last execution's (HappensBefore): the races among
   * them, and the sequences that reverse them, were found then. 0 for a fresh analysis.
   */
  readonly reused: number;
  /** Actor ids below this have a place in the clocks. */
  readonly width: number;
  /** For each event, its position among its actor's events. */
  readonly actorIndex: Int32Array;
  /** For each event, how many events of each actor happen before it or are it (clock.ts). */
  readonly clocks: readonly Clock[];
  /** Program-order predecessor (or the creating step, for an actor's first event), or -1. */
  readonly base: Int32Array;
  /** The event of another actor this one waits for, or -1. */
  readonly enabler: Int32Array;
  /** Events of other actors whose footprint conflicts, not hidden behind a later conflict. */
  readonly conflicting: readonly (readonly number[])[];
  /**
   * Where one more event would stand if it ran right after the execution (an event still
   * pending at its end), without changing the analysis.
   */
  readonly after: (ev: Event) => Links;
}

/** One event's place in the relation. */
export interface Links {
  readonly actorIndex: number;
  readonly base: number;
  readonly enabler: number;
  readonly conflicting: readonly number[];
  readonly clock: Clock;
}

/** Does event i happen before (or equal) event k? */
export function happensBefore(a: Analysis, i: number, k: number): boolean {
  return i === k || clockAt(a.clocks[k], a.events[i].actor) > a.actorIndex[i];
}

interface CellHistory {
  lastWrite: number;
  readsSince: number[];
}

/** A post not matched yet: its event and its comm's id. */
interface Posted {
  readonly event: number;
  readonly comm: number;
}

/**
 * Who enables wait, cond_wait's wake-up and barrier leave events, by replaying the objects:
 * the k-th send on a mailbox pairs with the k-th receive, a signal wakes the first waiter, the
 * arrival that completes a round releases everyone in it.
 */
class Enablers {
  // A comm's id comes back once the comm is released (docs/semantics.md), so posts are told
  // apart by event index: queues hold unmatched posts, and a comm's entry is set when its
  // current post is paired (before any wait on it, after its id's last reuse).
  private readonly partnerPost = new Map<number, number>(); // comm -> post paired with its own
  private readonly queues = new Map<number, { sends: Posted[]; recvs: Posted[] }>();
  private readonly waiters = new Map<number, number[]>(); // condition -> waiting actors
  private readonly signaller = new Map<number, number>(); // actor -> signal event
  private readonly rounds = new Map<number, number[]>(); // barrier -> actors of this round
  private readonly completer = new Map<number, number>(); // actor -> arrive event

  /** The event `ev` waits for, if it waits for one (k's own effects never matter to it). */
  of(ev: Event): number {
    const need = enablerOf(ev.transition);
    if (need?.kind === "partner") return this.partnerPost.get(need.comm) ?? -1;
    if (need?.kind === "signal") return this.signaller.get(ev.actor) ?? -1;
    if (need?.kind === "round") return this.completer.get(ev.actor) ?? -1;
    return -1;
  }

  /** Whether step() changes anything for `ev` (most events neither post, wait nor arrive). */
  static affects(ev: Event): boolean {
    const k = ev.transition.kind;
    return postOf(ev.transition) !== null || k === Kind.condWait || k === Kind.condSignal ||
      k === Kind.condBroadcast || k === Kind.barrierArrive;
  }

  /** Replays event k's effect on the objects. */
  step(ev: Event, k: number): void {
    const t = ev.transition;
    const post = postOf(t);
    if (post !== null) {
      let q = this.queues.get(post.mailbox);
      if (q === undefined) this.queues.set(post.mailbox, q = { sends: [], recvs: [] });
      const mine = post.side === "send" ? q.sends : q.recvs;
      const theirs = post.side === "send" ? q.recvs : q.sends;
      const other = theirs.shift();
      if (other === undefined) {
        mine.push({ event: k, comm: post.comm });
      } else {
        this.partnerPost.set(post.comm, other.event);
        this.partnerPost.set(other.comm, k);
      }
    }
    switch (t.kind) {
      case Kind.condWait: {
        let w = this.waiters.get(t.object);
        if (w === undefined) this.waiters.set(t.object, w = []);
        w.push(ev.actor);
        break;
      }
      case Kind.condSignal: {
        const first = this.waiters.get(t.object)?.shift();
        if (first !== undefined) this.signaller.set(first, k);
        break;
      }
      case Kind.condBroadcast: {
        for (const a of this.waiters.get(t.object) ?? []) this.signaller.set(a, k);
        this.waiters.set(t.object, []);
        break;
      }
      case Kind.barrierArrive: {
        let r = this.rounds.get(t.object);
        if (r === undefined) this.rounds.set(t.object, r = []);
        r.push(ev.actor);
        // The record carries the round size (arg0) and the arrivals before this one (arg1).
        if (t.arg1 + 1n === t.arg0) {
          for (const a of r) this.completer.set(a, k);
          this.rounds.set(t.object, []);
        }
        break;
      }
    }
  }
}

/** Events analysed between two pauses of a long analysis. */
const chunk = 2048;

export function analyze(events: readonly Event[], minWidth = 1): Analysis {
  return drain(analyzing(events, minWidth));
}

/** Runs a computation that pauses now and then (see analyzing) to its end. */
export function drain<T>(work: Generator<void, T>): T {
  while (true) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

/**
 * The analysis of an execution, pausing (yielding) every few thousand events so that the
 * search can answer an interrupt during a long one. `minWidth` makes room in the clocks for
 * actors that have not run (pending events passed to `after`).
 */
export function analyzing(events: readonly Event[], minWidth = 1): Generator<void, Analysis> {
  return new HappensBefore().analyzing(events, minWidth);
}

/** The clock width an execution needs: every actor that ran or was created, and `minWidth`. */
function widthOf(events: readonly Event[], minWidth: number): number {
  let width = minWidth;
  for (const ev of events) {
    if (ev.actor + 1 > width) width = ev.actor + 1;
    for (const c of ev.created) if (c + 1 > width) width = c + 1;
  }
  return width;
}

/** What event k changed in a cell's history, to undo it (a read's push is undone by a pop). */
interface CellUndo {
  readonly h: CellHistory;
  readonly lastWrite: number;
  readonly readsSince: number[];
}

/**
 * The analysis of the executions of one search, one after the other. A DPOR search explores
 * executions that share a prefix with the one before (it backs up to a node and goes on from
 * there), and an event's place in the relation depends only on the events before it: so the
 * prefix shared with the last execution analysed (the same Event objects, as the node stack
 * keeps them) keeps its links and clocks, and only the new suffix is analysed. The objects'
 * state after the prefix (each cell's history, each actor's last event, the actors' creators)
 * is rolled back with an undo log kept per event; the enablers are replayed over the prefix
 * when an event rolled back had changed them (one that posts, waits or arrives). A change of width (a new
 * actor) starts over. The Analysis returned is valid until the next call.
 */
export class HappensBefore {
  private width = 0;
  /** The events analysed so far, the state below is that after all of them. */
  private readonly done: Event[] = [];
  private actorIndex = new Int32Array(64);
  private base = new Int32Array(64);
  private enabler = new Int32Array(64);
  /** Each event's actor's event before it, or -1: what lastOf was before it. */
  private previous = new Int32Array(64);
  private readonly clocks: Clock[] = [];
  private readonly conflicting: number[][] = [];
  private readonly undo: (CellUndo[] | null)[] = [];
  private readonly lastOf = new Map<number, number>();
  private readonly creator = new Map<number, number>();
  private readonly history = new Map<string, CellHistory>();
  private enablers = new Enablers();
  /** Events whose analysis was reused, and analysed anew, over every call (for tests). */
  reused = 0;
  analysed = 0;

  *analyzing(events: readonly Event[], minWidth = 1): Generator<void, Analysis> {
    const n = events.length;
    const width = widthOf(events, minWidth);
    let keep = 0;
    if (width === this.width) {
      const most = Math.min(n, this.done.length);
      while (keep < most && events[keep] === this.done[keep]) keep++;
    } else {
      keep = 0;
      this.width = width;
    }
    this.rollBack(keep, events);
    this.reserve(n);
    this.reused += keep;
    this.analysed += n - keep;
    for (let j = keep; j < n; j++) {
      if (j % chunk === chunk - 1) yield;
      this.add(events, j);
    }
    const links = (ev: Event): Links => this.links(events, ev);
    return {
      events,
      reused: keep,
      width,
      actorIndex: this.actorIndex.subarray(0, n),
      clocks: this.clocks,
      base: this.base.subarray(0, n),
      enabler: this.enabler.subarray(0, n),
      conflicting: this.conflicting,
      after: links,
    };
  }

  /** Brings the state back to that after the first `keep` events. */
  private rollBack(keep: number, events: readonly Event[]): void {
    const had = this.done.length;
    if (keep === had) return;
    let enablersChanged = false;
    for (let k = had - 1; k >= keep; k--) {
      const ev = this.done[k];
      if (!enablersChanged && Enablers.affects(ev)) enablersChanged = true;
      // The accesses in reverse: a write gets back the history it replaced, a read pops itself.
      const undo = this.undo[k];
      let u = undo === null ? 0 : undo.length;
      for (let x = ev.accesses.length - 1; x >= 0; x--) {
        const access = ev.accesses[x];
        if (access.mode === "write") {
          const was = undo![--u];
          was.h.lastWrite = was.lastWrite;
          was.h.readsSince = was.readsSince;
        } else {
          this.history.get(access.cell)!.readsSince.pop();
        }
      }
      for (const c of ev.created) this.creator.delete(c);
      if (this.previous[k] < 0) this.lastOf.delete(ev.actor);
      else this.lastOf.set(ev.actor, this.previous[k]);
    }
    this.done.length = keep;
    this.clocks.length = keep;
    this.conflicting.length = keep;
    this.undo.length = keep;
    if (!enablersChanged) return;
    this.enablers = new Enablers();
    for (let k = 0; k < keep; k++) this.enablers.step(events[k], k);
  }

  private reserve(n: number): void {
    if (n <= this.actorIndex.length) return;
    let size = this.actorIndex.length;
    while (size < n) size *= 2;
    const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.actorIndex = grow(this.actorIndex);
    this.base = grow(this.base);
    this.enabler = grow(this.enabler);
    this.previous = grow(this.previous);
  }

  /** Analyses events[j], the state being that after the events before it. */
  private add(events: readonly Event[], j: number): void {
    const ev = events[j];
    const l = this.links(events, ev);
    this.actorIndex[j] = l.actorIndex;
    this.base[j] = l.base;
    this.enabler[j] = l.enabler;
    this.previous[j] = this.lastOf.get(ev.actor) ?? -1;
    this.conflicting.push(l.conflicting as number[]);
    this.clocks.push(l.clock);
    this.done.push(ev);
    this.lastOf.set(ev.actor, j);
    for (const c of ev.created) this.creator.set(c, j);
    this.enablers.step(ev, j);
    let undo: CellUndo[] | null = null;
    for (const access of ev.accesses) {
      let h = this.history.get(access.cell);
      if (h === undefined) this.history.set(access.cell, h = { lastWrite: -1, readsSince: [] });
      if (access.mode === "write") {
        (undo ??= []).push({ h, lastWrite: h.lastWrite, readsSince: h.readsSince });
        h.lastWrite = j;
        h.readsSince = [];
      } else {
        h.readsSince.push(j);
      }
    }
    this.undo.push(undo);
  }

  /** Where `ev` stands if it runs after the events analysed (the state now). */
  private links(events: readonly Event[], ev: Event): Links {
    const prev = this.lastOf.get(ev.actor);
    const index = prev === undefined ? 0 : this.actorIndex[prev] + 1;
    const from = prev ?? this.creator.get(ev.actor) ?? -1;
    let waitsFor = this.enablers.of(ev);
    if (waitsFor >= 0 && events[waitsFor].actor === ev.actor) waitsFor = -1;
    // The conflicting events of other actors, latest first, each once (sorted, then the
    // repeats dropped in place: no Set and no copies per event).
    const others: number[] = [];
    for (const access of ev.accesses) {
      const h = this.history.get(access.cell);
      if (h === undefined) continue;
      const w = h.lastWrite;
      if (w >= 0 && events[w].actor !== ev.actor) others.push(w);
      if (access.mode !== "write") continue;
      for (const r of h.readsSince) if (events[r].actor !== ev.actor) others.push(r);
    }
    if (others.length > 1) dedupeDescending(others);
    const clocks = this.clocks;
    const clock = from >= 0 ? copyClock(clocks[from]) : emptyClock(this.width);
    if (waitsFor >= 0) joinClock(clock, clocks[waitsFor]);
    for (const i of others) joinClock(clock, clocks[i]);
    setClock(clock, ev.actor, index + 1);
    return { actorIndex: index, base: from, enabler: waitsFor, conflicting: others, clock };
  }
}

/** Sorts `xs` in decreasing order and drops its repeats, in place. */
function dedupeDescending(xs: number[]): void {
  xs.sort((x, y) => y - x);
  let kept = 1;
  for (let k = 1; k < xs.length; k++) if (xs[k] !== xs[kept - 1]) xs[kept++] = xs[k];
  xs.length = kept;
}

/**
 * The execution's Mazurkiewicz trace, written in lexicographic normal form (at each point the
 * lowest actor among the events all of whose predecessors are written). Two executions have
 * the same key exactly when they are equivalent; the tests count traces with it.
 */
export function traceKey(a: Analysis): string {
  const n = a.events.length;
  const emitted = new Uint8Array(n);
  const parts: string[] = [];
  for (let count = 0; count < n; count++) {
    let best = -1;
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      if (emitted[k]) continue;
      const actor = a.events[k].actor;
      if (seen.has(actor)) continue; // only an actor's first unwritten event can be next
      seen.add(actor);
      let ready = true;
      for (let i = 0; i < k && ready; i++) {
        if (!emitted[i] && happensBefore(a, i, k)) ready = false;
      }
      if (ready && (best < 0 || actor < a.events[best].actor)) best = k;
    }
    emitted[best] = 1;
    parts.push(`${a.events[best].actor}.${a.events[best].alt}`);
  }
  return parts.join(" ");
}
