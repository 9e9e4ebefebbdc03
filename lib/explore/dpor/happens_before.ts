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
import type { Event } from "./event.ts";

export interface Analysis {
  readonly events: readonly Event[];
  /** For each event, its position among its actor's events. */
  readonly actorIndex: Int32Array;
  /**
   * For each event, how many events of each actor happen before it or are it. Plain arrays:
   * copying a short one is several times cheaper in V8 than slicing a typed array.
   */
  readonly clocks: readonly (readonly number[])[];
  /** Program-order predecessor (or the creating step, for an actor's first event), or -1. */
  readonly base: Int32Array;
  /** The event of another actor this one waits for, or -1. */
  readonly enabler: Int32Array;
  /** Events of other actors whose footprint conflicts, not hidden behind a later conflict. */
  readonly conflicting: readonly (readonly number[])[];
}

/** Does event i happen before (or equal) event k? */
export function happensBefore(a: Analysis, i: number, k: number): boolean {
  return i === k || a.clocks[k][a.events[i].actor] > a.actorIndex[i];
}

interface CellHistory {
  lastWrite: number;
  readsSince: number[];
}

/** The enablers of wait, cond_wait's wake-up and barrier leave events, by simulation. */
function enablers(events: readonly Event[]): Int32Array {
  const out = new Int32Array(events.length).fill(-1);
  // Mailboxes: the k-th send pairs with the k-th receive. A comm's id comes back once the comm
  // is released, so posts are followed by event index: queues hold post events, and a comm's
  // entry is set when its current post is paired (before any wait on it, after its last reuse).
  const partnerPost = new Map<number, number>(); // comm -> the post paired with its current post
  const queues = new Map<number, { sends: number[]; recvs: number[] }>();
  // Conditions: waiting actors in order, and who signalled whom.
  const waiters = new Map<number, number[]>();
  const signaller = new Map<number, number>(); // actor -> signal event
  // Barriers: the actors of the current round, and who completed each actor's round.
  const rounds = new Map<number, number[]>();
  const completer = new Map<number, number>(); // actor -> arrive event
  events.forEach((ev, k) => {
    const t = ev.transition;
    const post = postOf(t);
    if (post !== null) {
      let q = queues.get(post.mailbox);
      if (q === undefined) queues.set(post.mailbox, q = { sends: [], recvs: [] });
      const mine = post.side === "send" ? q.sends : q.recvs;
      const theirs = post.side === "send" ? q.recvs : q.sends;
      const other = theirs.shift();
      if (other === undefined) {
        mine.push(k);
      } else {
        partnerPost.set(post.comm, other);
        partnerPost.set(postOf(events[other].transition)!.comm, k);
      }
    }
    switch (t.kind) {
      case Kind.condWait: {
        let w = waiters.get(t.object);
        if (w === undefined) waiters.set(t.object, w = []);
        w.push(ev.actor);
        break;
      }
      case Kind.condSignal: {
        const first = waiters.get(t.object)?.shift();
        if (first !== undefined) signaller.set(first, k);
        break;
      }
      case Kind.condBroadcast: {
        for (const a of waiters.get(t.object) ?? []) signaller.set(a, k);
        waiters.set(t.object, []);
        break;
      }
      case Kind.barrierArrive: {
        let r = rounds.get(t.object);
        if (r === undefined) rounds.set(t.object, r = []);
        r.push(ev.actor);
        // The record carries the round size (arg0) and the arrivals before this one (arg1).
        if (t.arg1 + 1n === t.arg0) {
          for (const a of r) completer.set(a, k);
          rounds.set(t.object, []);
        }
        break;
      }
    }
    const need = enablerOf(t);
    let from = -1;
    if (need?.kind === "partner") {
      from = partnerPost.get(need.comm) ?? -1;
    } else if (need?.kind === "signal") {
      from = signaller.get(ev.actor) ?? -1;
    } else if (need?.kind === "round") {
      from = completer.get(ev.actor) ?? -1;
    }
    if (from >= 0 && events[from].actor !== ev.actor) out[k] = from;
  });
  return out;
}

export function analyze(events: readonly Event[]): Analysis {
  const n = events.length;
  let width = 1;
  for (const ev of events) {
    width = Math.max(width, ev.actor + 1);
    for (const c of ev.created) width = Math.max(width, c + 1);
  }
  const actorIndex = new Int32Array(n);
  const base = new Int32Array(n).fill(-1);
  const lastOf = new Map<number, number>();
  const creator = new Map<number, number>();
  const enabler = enablers(events);
  const clocks: number[][] = [];
  const conflicting: number[][] = [];
  const history = new Map<string, CellHistory>();

  for (let j = 0; j < n; j++) {
    const ev = events[j];
    const prev = lastOf.get(ev.actor);
    actorIndex[j] = prev === undefined ? 0 : actorIndex[prev] + 1;
    base[j] = prev ?? creator.get(ev.actor) ?? -1;
    lastOf.set(ev.actor, j);
    for (const c of ev.created) creator.set(c, j);

    const found: number[] = [];
    for (const access of ev.accesses) {
      let h = history.get(access.cell);
      if (h === undefined) history.set(access.cell, h = { lastWrite: -1, readsSince: [] });
      if (h.lastWrite >= 0) found.push(h.lastWrite);
      if (access.mode === "write") found.push(...h.readsSince);
    }
    for (const access of ev.accesses) {
      const h = history.get(access.cell)!;
      if (access.mode === "write") {
        h.lastWrite = j;
        h.readsSince = [];
      } else {
        h.readsSince.push(j);
      }
    }
    const others = [...new Set(found)].filter((i) => events[i].actor !== ev.actor);
    others.sort((x, y) => y - x);
    conflicting.push(others);

    const clock = base[j] >= 0 ? clocks[base[j]].slice() : zeroClock(width);
    if (enabler[j] >= 0) join(clock, clocks[enabler[j]]);
    for (const i of others) join(clock, clocks[i]);
    clock[ev.actor] = actorIndex[j] + 1;
    clocks.push(clock);
  }
  return { events, actorIndex, clocks, base, enabler, conflicting };
}

export function join(into: number[], other: readonly number[]): void {
  for (let a = 0; a < into.length; a++) if (other[a] > into[a]) into[a] = other[a];
}

export function zeroClock(width: number): number[] {
  return new Array<number>(width).fill(0);
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
