/**
 * Sleep sets: the events already explored from a state (or from an ancestor, and independent
 * of everything since). An event asleep at a state need not be explored there: every
 * execution it starts is equivalent to one explored before.
 *
 * The sleepers of one actor at a state are values of the same pending transition (they differ
 * only by their alternative), so a set keeps, per actor, that transition's event and the set of
 * its alternatives asleep: a random of N values asleep N times costs one dependence test per
 * step, and membership is a lookup. Sets share their per-actor parts copy-on-write, because a
 * state's sleepers pass on to the next state unchanged when independent of the step.
 */

import { type Alts, altsAdd, altsCopy, altsHas, altsList, altsOf } from "./alts.ts";
import { type Event, eventsDependent } from "./event.ts";

interface Sleepers {
  /** One of the actor's sleeping events: all have its transition and footprint. */
  readonly representative: Event;
  /** The alternatives asleep (Alts). */
  readonly alts: Alts;
  /** Also held by another set: copy before adding to it. */
  shared: boolean;
}

/** A sleep set as plain data (SleepSet.toData). */
export type SleepData = readonly (readonly [Event, readonly number[]])[];

export class SleepSet {
  /**
   * `byActor` is null while the set is empty (most sets of a search are: no Map made for
   * them), and `mapShared` when another set holds the same Map (after() found every sleeper
   * independent of the step): the first add copies it.
   */
  private constructor(
    private byActor: Map<number, Sleepers> | null,
    private mapShared = false,
  ) {}

  static empty(): SleepSet {
    return new SleepSet(null);
  }

  /** The set as plain data (a parallel job's root, lib/parallel/): per actor, one event and its alternatives. */
  toData(): SleepData {
    return [...this.sleepers()].map((s) => [s.representative, altsList(s.alts)] as const);
  }

  static fromData(data: SleepData): SleepSet {
    const set = SleepSet.empty();
    for (const [ev, alts] of data) for (const alt of alts) set.add({ ...ev, alt });
    return set;
  }

  /** A copy that adding to leaves this one as it is. */
  copy(): SleepSet {
    if (this.byActor === null) return SleepSet.empty();
    for (const s of this.byActor.values()) s.shared = true;
    return new SleepSet(new Map(this.byActor));
  }

  /** A canonical name of the set (actors and alternatives asleep), for memo keys. */
  key(): string {
    return [...(this.byActor ?? new Map<number, Sleepers>()).entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([actor, s]) => `${actor}:${altsList(s.alts).join(",")}`).join(" ");
  }

  get isEmpty(): boolean {
    return this.byActor === null || this.byActor.size === 0;
  }

  has(ev: Event): boolean {
    return this.hasAlt(ev.actor, ev.alt);
  }

  hasAlt(actor: number, alt: number): boolean {
    const s = this.byActor?.get(actor);
    return s !== undefined && altsHas(s.alts, alt);
  }

  add(ev: Event): void {
    let map = this.byActor;
    if (map === null) {
      map = this.byActor = new Map();
    } else if (this.mapShared) {
      map = this.byActor = new Map(map);
      this.mapShared = false;
    }
    const mine = map.get(ev.actor);
    if (mine === undefined) {
      map.set(ev.actor, { representative: ev, alts: altsOf(ev.alt), shared: false });
    } else if (mine.shared) {
      const alts = altsCopy(mine.alts);
      altsAdd(alts, ev.alt);
      map.set(ev.actor, { representative: mine.representative, alts, shared: false });
    } else {
      altsAdd(mine.alts, ev.alt);
    }
  }

  /**
   * The actors of after(ev), in increasing order, without making the set (a search's forecast
   * of who may be asleep below, Target.execute's AheadHint).
   */
  actorsAfter(ev: Event): number[] {
    const out: number[] = [];
    if (this.byActor === null) return out;
    for (const [actor, s] of this.byActor) {
      if (!eventsDependent(s.representative, ev)) out.push(actor);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The sleep set after executing `ev`: the sleepers independent of it stay asleep. When all
   * do, the new set shares this one's Map until either is added to.
   */
  after(ev: Event): SleepSet {
    const map = this.byActor;
    if (map === null || map.size === 0) return SleepSet.empty();
    let next: Map<number, Sleepers> | null = null;
    let seen = 0;
    for (const [actor, s] of map) {
      if (eventsDependent(s.representative, ev)) {
        // The first sleeper woken: the new set gets a Map of its own, with those kept so far.
        if (next === null) next = firstEntries(map, seen);
      } else {
        s.shared = true;
        next?.set(actor, s);
      }
      seen++;
    }
    if (next === null) {
      this.mapShared = true;
      return new SleepSet(map, true);
    }
    return new SleepSet(next.size === 0 ? null : next);
  }

  /**
   * wakesAll(this, sequence, room), without the sets of the steps: stepping through
   * `this.after(ev)` for each event (a set, and a Map at each waking, per event of every
   * reversal: the largest allocation of indexer(15), issue 10) answers the same as taking each
   * sleeper alone: the sequence fails if it reaches a sleeper before an event dependent with
   * it wakes it; otherwise it wakes all unless one stays asleep to the end and fits the room.
   */
  wokenBy(sequence: readonly Event[], room: number): boolean {
    if (this.byActor === null) return true;
    let allWoken = true;
    for (const [actor, s] of this.byActor) {
      let woken = false;
      for (const ev of sequence) {
        if (ev.actor === actor && altsHas(s.alts, ev.alt)) return false;
        if (eventsDependent(s.representative, ev)) {
          woken = true;
          break;
        }
      }
      if (!woken) allWoken = false;
    }
    return allWoken || sequence.length + 1 > room;
  }

  private sleepers(): Iterable<Sleepers> {
    return this.byActor?.values() ?? [];
  }
}

/** A Map of the first `count` entries of `map`. */
function firstEntries<K, V>(map: Map<K, V>, count: number): Map<K, V> {
  const out = new Map<K, V>();
  if (count === 0) return out;
  for (const [k, v] of map) {
    out.set(k, v);
    if (out.size === count) break;
  }
  return out;
}

/**
 * Does `sequence` wake every sleeper before reaching it? If a sleeper is reached while
 * asleep, or stays asleep to the end, it is a weak initial of the sequence (ODPOR's
 * sleep ∩ WI = ∅ test fails): everything the sequence starts was explored already. Under a
 * depth bound, with `room` steps left where the sequence starts, a sleeper that stays asleep is
 * a weak initial only if it fits after the sequence: otherwise no bounded execution that starts
 * with the sequence holds it, and the sleeper's executions do not cover them.
 */
export function wakesAll(sleep: SleepSet, sequence: readonly Event[], room = Infinity): boolean {
  return sleep.wokenBy(sequence, room);
}
