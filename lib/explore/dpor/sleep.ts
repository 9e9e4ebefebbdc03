/**
 * Sleep sets: the events already explored from a state (or from an ancestor, and independent
 * of everything since). An event asleep at a state need not be explored there: every
 * execution it starts is equivalent to one explored before.
 */

import { type Event, eventsDependent, sameEvent } from "./event.ts";

export function isAsleep(sleep: readonly Event[], ev: Event): boolean {
  return sleep.some((s) => sameEvent(s, ev));
}

/** The sleep set after executing `ev`: the sleepers independent of it stay asleep. */
export function afterStep(sleep: readonly Event[], ev: Event): Event[] {
  return sleep.filter((s) => !eventsDependent(s, ev));
}

/**
 * Does `sequence` wake every sleeper before reaching it? If a sleeper is reached while
 * asleep, or stays asleep to the end, it is a weak initial of the sequence (ODPOR's
 * sleep ∩ WI = ∅ test fails): everything the sequence starts was explored already.
 */
export function wakesAll(sleep: readonly Event[], sequence: readonly Event[]): boolean {
  let asleep = [...sleep];
  for (const ev of sequence) {
    if (asleep.length === 0) return true;
    if (asleep.some((s) => sameEvent(s, ev))) return false;
    asleep = asleep.filter((s) => !eventsDependent(s, ev));
  }
  return asleep.length === 0;
}
