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
export function* analyzing(events: readonly Event[], minWidth = 1): Generator<void, Analysis> {
  const n = events.length;
  let width = minWidth;
  for (const ev of events) {
    width = Math.max(width, ev.actor + 1);
    for (const c of ev.created) width = Math.max(width, c + 1);
  }
  const actorIndex = new Int32Array(n);
  const base = new Int32Array(n).fill(-1);
  const enabler = new Int32Array(n).fill(-1);
  const lastOf = new Map<number, number>();
  const creator = new Map<number, number>();
  const enablers = new Enablers();
  const clocks: Clock[] = [];
  const conflicting: number[][] = [];
  const history = new Map<string, CellHistory>();

  const links = (ev: Event): Links => {
    const prev = lastOf.get(ev.actor);
    const index = prev === undefined ? 0 : actorIndex[prev] + 1;
    const from = prev ?? creator.get(ev.actor) ?? -1;
    let waitsFor = enablers.of(ev);
    if (waitsFor >= 0 && events[waitsFor].actor === ev.actor) waitsFor = -1;
    const found: number[] = [];
    for (const access of ev.accesses) {
      const h = history.get(access.cell);
      if (h === undefined) continue;
      if (h.lastWrite >= 0) found.push(h.lastWrite);
      if (access.mode === "write") found.push(...h.readsSince);
    }
    const others = [...new Set(found)].filter((i) => events[i].actor !== ev.actor);
    others.sort((x, y) => y - x);
    const clock = from >= 0 ? copyClock(clocks[from]) : emptyClock(width);
    if (waitsFor >= 0) joinClock(clock, clocks[waitsFor]);
    for (const i of others) joinClock(clock, clocks[i]);
    setClock(clock, ev.actor, index + 1);
    return { actorIndex: index, base: from, enabler: waitsFor, conflicting: others, clock };
  };

  for (let j = 0; j < n; j++) {
    if (j % chunk === chunk - 1) yield;
    const ev = events[j];
    const l = links(ev);
    actorIndex[j] = l.actorIndex;
    base[j] = l.base;
    enabler[j] = l.enabler;
    conflicting.push(l.conflicting as number[]);
    clocks.push(l.clock);
    lastOf.set(ev.actor, j);
    for (const c of ev.created) creator.set(c, j);
    enablers.step(ev, j);
    for (const access of ev.accesses) {
      let h = history.get(access.cell);
      if (h === undefined) history.set(access.cell, h = { lastWrite: -1, readsSince: [] });
      if (access.mode === "write") {
        h.lastWrite = j;
        h.readsSince = [];
      } else {
        h.readsSince.push(j);
      }
    }
  }
  return { events, width, actorIndex, clocks, base, enabler, conflicting, after: links };
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
