/**
 * The races of an explored execution and the sequences that reverse them. A race is a pair of
 * events of different actors, the first a direct (not implied) dependent predecessor of the
 * second, such that the second can run where the first ran: after the events that do not
 * happen after the first (notdep). Reversing it means exploring notdep followed by the
 * second event from the state before the first.
 *
 * Blocking needs one more case, as Nidhugg does for locks: when the second event was enabled
 * by the first (a lock after the unlock that freed the mutex, a semaphore acquire after the
 * release that made it positive) the race cannot be reversed there, and the real race is with
 * the acquisition that the release undid: the lock of the same critical section, the acquire
 * that took the semaphore to zero. Local nondeterminism (random values, waitany choices) gives
 * one more kind of race: an event with its own other alternatives.
 */

import { Kind } from "../../model/transition.ts";
import { cell, mutexEffect } from "../../model/independence.ts";
import { clockAt, copyClock, emptyClock, joinClock } from "./clock.ts";
import type { Event } from "./event.ts";
import { type Analysis, drain, happensBefore, type Links } from "./happens_before.ts";
import { enabledAfter } from "./shadow.ts";

export interface Race {
  readonly first: number;
  readonly second: number;
}

/** notdep(first): the events after `first` and before `end` that do not happen after it. */
export function notDependent(a: Analysis, first: number, end: number): number[] {
  const out: number[] = [];
  for (let k = first + 1; k < end; k++) if (!happensBefore(a, first, k)) out.push(k);
  return out;
}

/** Can events[second] run where `first` ran, after notdep(first)? (`events` extends a's.) */
function reversible(
  a: Analysis,
  events: readonly Event[],
  first: number,
  second: number,
): boolean {
  return enabledAfter(
    events,
    second,
    (k) => k < first || (k > first && !happensBefore(a, first, k)),
  );
}

/** The object cell through which `second` waits for `first` to release something. */
function releasedCell(events: readonly Event[], first: number, second: number): string | null {
  const t = events[second].transition;
  const r = events[first].transition;
  if (t.kind === Kind.mutexLock || t.kind === Kind.condWake) {
    const wanted = mutexEffect(t)!.mutex;
    const m = mutexEffect(r);
    if (m !== null && m.effect === "release" && m.mutex === wanted) return cell.mutex(wanted);
  }
  if (t.kind === Kind.semAcquire && r.kind === Kind.semRelease && r.object === t.object) {
    return cell.semaphore(t.object);
  }
  return null;
}

/** The acquisition that `events[release]` undid, or -1. */
function undoneAcquisition(events: readonly Event[], release: number): number {
  const r = events[release].transition;
  if (r.kind === Kind.semRelease) {
    for (let k = release - 1; k >= 0; k--) {
      const t = events[k].transition;
      if (t.object !== r.object) continue;
      // A trywait that took the semaphore (its value was positive) is an acquisition; one that
      // failed, and a getvalue, left the value as it was.
      const tookTry = t.kind === Kind.semTrywait && t.arg0 > 0n;
      if (t.kind === Kind.semAcquire || tookTry) return k;
      if (t.kind === Kind.semRelease) return -1;
    }
    return -1;
  }
  const mutex = mutexEffect(r)!.mutex;
  for (let k = release - 1; k >= 0; k--) {
    const m = mutexEffect(events[k].transition);
    if (m === null || m.mutex !== mutex) continue;
    const took = m.effect === "acquire" ||
      (m.effect === "try" && events[k].transition.arg0 === 0n);
    if (took) return events[k].actor === events[release].actor ? k : -1;
  }
  return -1;
}

/**
 * Is `acquisition` a race with `second` (whose links are `l`) once the object it was released
 * through is set aside: no other direct predecessor of `second` happens after it?
 */
function chaseIsRace(
  a: Analysis,
  events: readonly Event[],
  acquisition: number,
  second: number,
  l: Links,
  via: string,
): boolean {
  if (events[acquisition].actor === events[second].actor) return false;
  const clock = l.base >= 0 ? copyClock(a.clocks[l.base]) : emptyClock(a.width);
  if (l.enabler >= 0) joinClock(clock, a.clocks[l.enabler]);
  for (const i of l.conflicting) {
    if (!events[i].accesses.some((x) => x.cell === via)) joinClock(clock, a.clocks[i]);
  }
  if (clockAt(clock, events[acquisition].actor) > a.actorIndex[acquisition]) return false;
  return reversible(a, events, acquisition, second);
}

/**
 * The first events of the races whose second event is events[j] (its links `l`; `events` is
 * the execution, or the execution and one pending event after it, j being that event).
 */
function racesOf(a: Analysis, events: readonly Event[], j: number, l: Links): number[] {
  const out: number[] = [];
  const running = l.base >= 0 ? copyClock(a.clocks[l.base]) : emptyClock(a.width);
  const candidates = [...l.conflicting];
  if (l.enabler >= 0 && !candidates.includes(l.enabler)) candidates.push(l.enabler);
  candidates.sort((x, y) => y - x);
  for (const i of candidates) {
    const covered = clockAt(running, events[i].actor) > a.actorIndex[i];
    joinClock(running, a.clocks[i]);
    if (covered || i === l.enabler && !l.conflicting.includes(i)) continue;
    if (reversible(a, events, i, j)) {
      out.push(i);
      continue;
    }
    const via = releasedCell(events, i, j);
    const acquisition = via === null ? -1 : undoneAcquisition(events, i);
    if (acquisition >= 0 && chaseIsRace(a, events, acquisition, j, l, via!)) out.push(acquisition);
  }
  return out;
}

function linksAt(a: Analysis, j: number): Links {
  return {
    actorIndex: a.actorIndex[j],
    base: a.base[j],
    enabler: a.enabler[j],
    conflicting: a.conflicting[j],
    clock: a.clocks[j],
  };
}

/** Events whose races are found between two pauses of a long search for them. */
const chunk = 256;

/**
 * Every reversible race of the execution whose second event is at `from` or after, each once,
 * by increasing first event. A race depends only on the events up to its second one.
 */
export function races(a: Analysis, from = 0): Race[] {
  return drain(findingRaces(a, from));
}

/** races(a, from), pausing now and then so that a long analysis can be interrupted. */
export function* findingRaces(a: Analysis, from = 0): Generator<void, Race[]> {
  const out: Race[] = [];
  const seen = new Set<number>();
  const n = a.events.length;
  for (let j = from; j < n; j++) {
    if (j % chunk === chunk - 1) yield;
    for (const first of racesOf(a, a.events, j, linksAt(a, j))) {
      const key = first * n + j;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ first, second: j });
    }
  }
  return out.sort((x, y) => x.first - y.first || x.second - y.second);
}

/**
 * The races of an event pending at the end of a cut execution, as if it ran next: the first
 * events it would race with, in increasing order.
 */
export function pendingRaces(a: Analysis, ev: Event): number[] {
  const firsts = racesOf(a, [...a.events, ev], a.events.length, a.after(ev));
  return [...new Set(firsts)].sort((x, y) => x - y);
}

/** An event that offered several alternatives, and what comes before its other ones. */
export interface Alternative {
  /** Its position in the execution (the node before it). */
  readonly at: number;
  readonly event: Event;
  /** notdep(event), as positions in the execution: the sequence before each other alternative. */
  readonly indices: readonly number[];
}

/**
 * Each event at `from` or after that offered several alternatives: the sequences that take
 * each other one instead are notdep(event) then the event with that alternative.
 */
export function alternatives(a: Analysis, from = 0): Alternative[] {
  const out: Alternative[] = [];
  const n = a.events.length;
  for (let i = from; i < n; i++) {
    const event = a.events[i];
    if (event.transition.choices <= 1) continue;
    out.push({ at: i, event, indices: notDependent(a, i, n) });
  }
  return out;
}

/** The reversal of a race as event indices into the execution. */
export function reversalIndices(a: Analysis, race: Race): number[] {
  return [...notDependent(a, race.first, race.second), race.second];
}

/** The events of `indices` (a subsequence of the execution) that nothing before them in it
 * happens before: those that can start it (source-DPOR's initials). */
export function initials(a: Analysis, indices: readonly number[]): number[] {
  return indices.filter((k, at) => !indices.slice(0, at).some((i) => happensBefore(a, i, k)));
}
