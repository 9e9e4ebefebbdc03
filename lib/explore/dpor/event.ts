/**
 * Events as the DPOR explorers see them: an actor's step with its transition, its footprint
 * and the actors it created. An event is named across executions by its actor and its
 * alternative: which value of a random, which communication of a waitany (by comm id, since
 * the index among matched comms can shift when other comms get matched first), 0 otherwise.
 * An actor's next event at a state is determined by the state, so (actor, alt) is enough to
 * compare the events of sleep sets, wakeup trees and sequences taken at the same state.
 */

import {
  type Access,
  accessesOf,
  cell,
  type CommDirectory,
  type CommInfo,
  dependent,
  postOf,
} from "../../model/independence.ts";
import { Kind, type Point, type Step, type Transition } from "../../model/transition.ts";
import { type Alts, altsAdd, altsHas, altsOf } from "./alts.ts";

export interface Event {
  readonly actor: number;
  readonly alt: number;
  readonly transition: Transition;
  readonly accesses: readonly Access[];
  /** Actors that appeared right after this step (it created them); empty until it ran. */
  readonly created: readonly number[];
}

/** The alternative a choice stands for. */
export function altOf(t: Transition, choice: number): number {
  if (t.kind === Kind.random) return choice;
  if (t.kind === Kind.waitany) {
    const ready = t.extras.filter((c) => c.ready);
    const comm = ready[choice];
    if (comm === undefined) throw new Error(`internal: waitany choice ${choice} out of range`);
    return comm.id;
  }
  return 0;
}

/** The choice that takes alternative `alt` of `t`, or null if it is not on offer. */
export function choiceFor(t: Transition, alt: number): number | null {
  if (t.kind === Kind.random) return alt < t.choices ? alt : null;
  if (t.kind === Kind.waitany) {
    const i = t.extras.filter((c) => c.ready).findIndex((c) => c.id === alt);
    return i < 0 ? null : i;
  }
  return alt === 0 ? 0 : null;
}

/**
 * Where the comms posted in `events` were posted (as it is when asked, so a growing path can
 * keep one directory): each comm's last post there. A comm's id comes back once the comm is
 * released (docs/semantics.md), so the directory of a point is that of the events before it,
 * never one kept across executions or past the point.
 */
export function directoryOf(events: readonly Event[]): CommDirectory {
  return (comm: number): CommInfo | undefined => {
    for (let k = events.length - 1; k >= 0; k--) {
      const post = postOf(events[k].transition);
      if (post?.comm === comm) return { mailbox: post.mailbox, side: post.side };
    }
    return undefined;
  };
}

/** The event of `t` with `choice`; `spawner` when its actor creates actors (explorer.ts). */
export function makeEvent(
  t: Transition,
  choice: number,
  comms: CommDirectory,
  created: readonly number[] = [],
  spawner = created.length > 0,
): Event {
  return {
    actor: t.actor,
    alt: altOf(t, choice),
    transition: t,
    accesses: accessesOf(t, comms, spawner),
    created,
  };
}

/**
 * `ev` where its outcome may differ from the one it had: a race's reversal ends with its second
 * event moved before the first, and a pending event of a cut run earlier. Only a write to its
 * bytes can change whether a compare-exchange fails, and every such write before the others of
 * a reversal happens before them (they keep their outcomes: docs/independence.md); the moved
 * event's may change. So a compare-exchange that failed gets the footprint of one whose outcome
 * is not known, a write, which can only make the trees insert more, never less. Once it runs,
 * the event that ran replaces it (ExecutionStack.ran). Every other event is returned as it is.
 */
export function unsettled(ev: Event): Event {
  if (ev.transition.fails !== true) return ev;
  const { fails: _, ...transition } = ev.transition;
  const spawner = ev.accesses.some((a) => a.cell === cell.spawn);
  return { ...ev, transition, accesses: accessesOf(transition, () => undefined, spawner) };
}

export function sameEvent(a: Event, b: Event): boolean {
  return a.actor === b.actor && a.alt === b.alt;
}

export function eventsDependent(a: Event, b: Event): boolean {
  return dependent(a, b);
}

/** The step that executes `ev` at `point`, checking that it is the event expected there. */
export function stepFor(point: Point, ev: Event): Step {
  const t = point.transitions.find((x) => x.actor === ev.actor);
  if (t !== undefined && t.enabled && t.kind === ev.transition.kind) {
    // The usual case, without the words of the errors below (a string per step).
    const choice = t.object === ev.transition.object ? choiceFor(t, ev.alt) : null;
    if (choice !== null) return { actor: ev.actor, choice };
  }
  const what = `actor ${ev.actor}'s ${ev.transition.kind === t?.kind ? "" : "expected "}step`;
  if (t === undefined) {
    throw new Error(`internal: dpor: ${what} cannot run, the actor has no pending transition`);
  }
  if (t.kind !== ev.transition.kind || t.object !== ev.transition.object) {
    throw new Error(`internal: dpor: ${what} became a different transition (kind ${t.kind})`);
  }
  if (!t.enabled) throw new Error(`internal: dpor: ${what} is not enabled where it was planned`);
  const choice = choiceFor(t, ev.alt);
  if (choice === null) throw new Error(`internal: dpor: ${what} has no alternative ${ev.alt}`);
  return { actor: ev.actor, choice };
}

/**
 * Makes the events of one search at the end of its current path `events` (the stack's, which
 * grows and shrinks with it): a waitany's footprint needs where its comms were posted, found
 * there (directoryOf), since comm ids come back. It knows the actors seen creating actors
 * (explorer.ts says why every step of such an actor writes the spawn cell).
 */
export class EventMaker {
  private readonly directory: CommDirectory;

  /**
   * `events` is the current path (as it grows); `prefix`, the events above it that are not on
   * it (a parallel job's prefix, lib/parallel/): a comm posted there is looked up there next.
   */
  constructor(
    private readonly spawners: ReadonlySet<number>,
    events: readonly Event[],
    prefix: readonly Event[] = [],
  ) {
    const onPath = directoryOf(events);
    const above = directoryOf(prefix);
    this.directory = prefix.length === 0 ? onPath : (comm) => onPath(comm) ?? above(comm);
  }

  /** The event of `t` with `choice`, `t` pending at the end of the current path. */
  of(t: Transition, choice: number, created: readonly number[] = []): Event {
    return makeEvent(t, choice, this.directory, created, this.spawners.has(t.actor));
  }

  /**
   * The events of the other values a multi-valued event could have taken, those of choices
   * from `from` to `to` (excluded), in choice order. An other value has the event's footprint
   * (a random has none, a waitany reads all its comms whichever it takes), taken from the
   * event: the analysis asks past the event's point, where the path's directory may name
   * other posts of the same ids.
   */
  otherValues(ev: Event, from = 0, to = Infinity): Event[] {
    return otherValuesOf(ev, from, to);
  }
}

/** EventMaker.otherValues, which needs nothing of the maker (the coordinator asks it too). */
export function otherValuesOf(ev: Event, from = 0, to = Infinity): Event[] {
  const t = ev.transition;
  if (t.choices <= 1) return [];
  const taken = choiceFor(t, ev.alt);
  const out: Event[] = [];
  for (let c = from; c < Math.min(to, t.choices); c++) {
    if (c !== taken) out.push({ ...ev, alt: altOf(t, c), created: [] });
  }
  return out;
}

/**
 * A set of events compared by actor and alternative (sameEvent), with O(1) lookups. Every node
 * of a search has one (sdpor's backtrack set), most never asked: the table is made on the
 * first add.
 */
export class EventSet {
  private byActor: Map<number, Alts> | null = null;

  has(ev: Event): boolean {
    const alts = this.byActor?.get(ev.actor);
    return alts !== undefined && altsHas(alts, ev.alt);
  }

  add(ev: Event): void {
    const alts = (this.byActor ??= new Map()).get(ev.actor);
    if (alts === undefined) this.byActor.set(ev.actor, altsOf(ev.alt));
    else altsAdd(alts, ev.alt);
  }
}

/** Distinct events SharedEvents keeps before it starts over (it only saves memory). */
const sharedLimit = 1 << 14;

/**
 * One object for each distinct event the wakeup trees keep (issue 10: memory). A race
 * reversal is a sequence of the execution's own events, and a pending branch outlives the
 * execution that found it; so each branch held its own execution's events, each with its
 * transition and footprint, though they are the same few events over and over (lastzero(13)
 * on the fake system: 36,818 event objects pending for 102 contents, bench/README.md). Two
 * events alike in every field are interchangeable in a tree: nothing compares a tree's events
 * by identity (the race analysis compares the execution's own, which a tree's never are:
 * `ExecutionStack.ran` gives an explored branch the event that ran). A search keeps one
 * (reversals.ts); it forgets what it has kept past `sharedLimit` distinct events, so that a
 * program whose events never repeat costs it a bounded table.
 */
export class SharedEvents {
  /** The kept events by contentHash: most buckets hold one. */
  private readonly byHash = new Map<number, Event[]>();
  private kept = 0;
  /** The execution's events last asked for by position (at), and what they were shared as. */
  private readonly seen: (Event | undefined)[] = [];
  private readonly shared: Event[] = [];

  /** The kept event alike to `ev` (`ev` itself, kept, the first time). */
  of(ev: Event): Event {
    const hash = contentHash(ev);
    let bucket = this.byHash.get(hash);
    if (bucket !== undefined) {
      for (const had of bucket) if (sameContent(had, ev)) return had;
    }
    if (this.kept >= sharedLimit) {
      this.byHash.clear();
      this.kept = 0;
      bucket = undefined;
    }
    if (bucket === undefined) this.byHash.set(hash, [ev]);
    else bucket.push(ev);
    this.kept++;
    return ev;
  }

  /**
   * of(events[k]), `events` being the current execution: looked up by position, since the
   * executions of a search share their prefix (the same objects, ExecutionStack), and each
   * event of it is in many reversals.
   */
  at(events: readonly Event[], k: number): Event {
    const ev = events[k];
    if (this.seen[k] === ev) return this.shared[k];
    const s = this.of(ev);
    this.seen[k] = ev;
    this.shared[k] = s;
    return s;
  }
}

/**
 * A hash of an event's fields, as a small integer: no string per event (a key made of every
 * field was the search's largest allocation, 0.8 KiB an event: bench/README.md, "Speed, part
 * 7"). The footprint, the created actors and the extras are left to sameContent: they follow
 * from the fields hashed in all but rare cases.
 */
function contentHash(ev: Event): number {
  const t = ev.transition;
  let h = mix(ev.actor, ev.alt);
  h = mix(h, t.kind | (t.choices << 5));
  h = mix(h, t.object | 0);
  h = mix(h, (t.object / 4294967296) | 0);
  h = mix(h, Number(t.arg0) | 0);
  h = mix(h, Number(t.arg1) | 0);
  h = mix(h, (t.site ?? -1) | 0);
  return h & 0x3fffffff;
}

function mix(h: number, x: number): number {
  return Math.imul((h ^ x) | 0, 0x9e3779b1) ^ (h >>> 15);
}

/** Whether two events are alike in every field (Transition's, the footprint, the created). */
function sameContent(a: Event, b: Event): boolean {
  if (a.actor !== b.actor || a.alt !== b.alt) return false;
  const s = a.transition;
  const t = b.transition;
  if (
    s.actor !== t.actor || s.kind !== t.kind || s.enabled !== t.enabled ||
    s.ready !== t.ready || s.spin !== t.spin || (s.fails === true) !== (t.fails === true) ||
    s.choices !== t.choices || s.object !== t.object || s.arg0 !== t.arg0 ||
    s.arg1 !== t.arg1 || s.site !== t.site
  ) {
    return false;
  }
  if (s.extras !== t.extras) {
    if (s.extras.length !== t.extras.length) return false;
    for (let i = 0; i < s.extras.length; i++) {
      if (s.extras[i].id !== t.extras[i].id || s.extras[i].ready !== t.extras[i].ready) {
        return false;
      }
    }
  }
  if (a.created !== b.created) {
    if (a.created.length !== b.created.length) return false;
    for (let i = 0; i < a.created.length; i++) if (a.created[i] !== b.created[i]) return false;
  }
  if (a.accesses !== b.accesses) {
    if (a.accesses.length !== b.accesses.length) return false;
    for (let i = 0; i < a.accesses.length; i++) {
      const x = a.accesses[i];
      const y = b.accesses[i];
      if (x.mode !== y.mode || x.cell !== y.cell) return false;
    }
  }
  return true;
}
