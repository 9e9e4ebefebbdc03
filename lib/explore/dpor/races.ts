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
import type { Event } from "./event.ts";
import { type Analysis, happensBefore, join, zeroClock } from "./happens_before.ts";
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

function reversible(a: Analysis, first: number, second: number): boolean {
  return enabledAfter(
    a.events,
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
      if ((t.kind === Kind.semAcquire || t.kind === Kind.semRelease) && t.object === r.object) {
        return t.kind === Kind.semAcquire ? k : -1;
      }
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
 * Is `acquisition` a race with `second` once the object it was released through is set
 * aside: no other direct predecessor of `second` happens after it?
 */
function chaseIsRace(a: Analysis, acquisition: number, second: number, via: string): boolean {
  const events = a.events;
  if (events[acquisition].actor === events[second].actor) return false;
  const width = a.clocks[second].length;
  const clock = a.base[second] >= 0 ? a.clocks[a.base[second]].slice() : zeroClock(width);
  if (a.enabler[second] >= 0) join(clock, a.clocks[a.enabler[second]]);
  for (const i of a.conflicting[second]) {
    if (!events[i].accesses.some((x) => x.cell === via)) join(clock, a.clocks[i]);
  }
  if (clock[events[acquisition].actor] > a.actorIndex[acquisition]) return false;
  return reversible(a, acquisition, second);
}

/** Every reversible race of the execution, each once, by increasing first event. */
export function races(a: Analysis): Race[] {
  const out: Race[] = [];
  const seen = new Set<number>();
  const n = a.events.length;
  for (let j = 0; j < n; j++) {
    const width = a.clocks[j].length;
    const running = a.base[j] >= 0 ? a.clocks[a.base[j]].slice() : zeroClock(width);
    const candidates = [...a.conflicting[j]];
    if (a.enabler[j] >= 0 && !candidates.includes(a.enabler[j])) candidates.push(a.enabler[j]);
    candidates.sort((x, y) => y - x);
    for (const i of candidates) {
      const covered = running[a.events[i].actor] > a.actorIndex[i];
      join(running, a.clocks[i]);
      if (covered || i === a.enabler[j] && !a.conflicting[j].includes(i)) continue;
      let first = -1;
      if (reversible(a, i, j)) {
        first = i;
      } else {
        const via = releasedCell(a.events, i, j);
        const acquisition = via === null ? -1 : undoneAcquisition(a.events, i);
        if (acquisition >= 0 && chaseIsRace(a, acquisition, j, via!)) first = acquisition;
      }
      if (first < 0) continue;
      const key = first * n + j;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ first, second: j });
    }
  }
  return out.sort((x, y) => x.first - y.first || x.second - y.second);
}

/** The sequence that reverses a race: notdep(first) then the second event. */
export function reversal(a: Analysis, race: Race): Event[] {
  return [
    ...notDependent(a, race.first, race.second).map((k) => a.events[k]),
    a.events[race.second],
  ];
}

/** An event run with another of its alternatives, and the sequence that explores it. */
export interface Alternative {
  readonly at: number;
  readonly sequence: Event[];
}

/**
 * For each event that offered several alternatives, the sequences that take each other one
 * instead (`others` says which): notdep(event) then the event with that alternative.
 */
export function alternatives(a: Analysis, others: (ev: Event) => Event[]): Alternative[] {
  const out: Alternative[] = [];
  const n = a.events.length;
  a.events.forEach((ev, i) => {
    const rest = others(ev);
    if (rest.length === 0) return;
    const before = notDependent(a, i, n).map((k) => a.events[k]);
    for (const alt of rest) out.push({ at: i, sequence: [...before, alt] });
  });
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
