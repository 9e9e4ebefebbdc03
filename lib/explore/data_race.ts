/**
 * Data races of one execution (docs/pthreads.md, "Data races"): two accesses to the same byte
 * by different actors, at least one a write and at least one not atomic, that happens-before
 * does not order. Happens-before here is synchronisation only — program order, creation,
 * mutexes, semaphores (joins among them), conditions, barriers and atomics (sequentially
 * consistent: an atomic write releases, an atomic read acquires) — not the dependence of the
 * accesses themselves, which the reductions' happens-before (dpor/happens_before.ts) includes.
 * Vector clocks, with the last write and the reads since per byte (FastTrack's shadow, without
 * its epochs' compaction). Pure: fed the steps of an execution in order, each followed by its
 * window (under --memory=sync, the plain accesses made after it, before the next step: they
 * synchronise nothing, and come in the order they ran).
 */

import {
  accessOf,
  Kind,
  type MemoryAccess,
  type Transition,
  type WindowEvent,
} from "../model/transition.ts";

/** One side of a race: who made the access, and where in the execution. */
export interface RaceAccess {
  readonly actor: number;
  /**
   * The step (0-based) that made it; for an access between steps (a window's), the step it ran
   * after (-1: before the first).
   */
  readonly step: number;
  /** It ran between steps (a plain access under --memory=sync), after `step`. */
  readonly between: boolean;
  readonly access: MemoryAccess;
  /** Where the program made it (the step's call site, or the access's). */
  readonly site?: number;
}

export interface DataRace {
  /** The first byte both accesses touch. */
  readonly address: number;
  readonly first: RaceAccess;
  readonly second: RaceAccess;
}

type Clock = number[];

interface Epoch {
  readonly time: number;
  readonly atomic: boolean;
  readonly access: RaceAccess;
}

interface Shadow {
  write: Epoch | null;
  /** The reads since the last write, by actor. */
  reads: Map<number, Epoch>;
}

function join(into: Clock, from: Clock): void {
  for (let i = 0; i < from.length; i++) {
    if ((into[i] ?? 0) < from[i]) into[i] = from[i];
  }
}

/** How a synchronisation step orders: the objects it acquires and those it releases. */
function syncOf(t: Transition): { acquire: string[]; release: string[] } | null {
  const a = accessOf(t);
  if (a !== null) {
    if (!a.atomic) return null;
    const cell = `atomic:${a.address}`;
    // A compare-exchange that fails is an atomic read: it releases nothing.
    if (!a.write) return { acquire: [cell], release: [] };
    if (t.kind === Kind.write) return { acquire: [], release: [cell] };
    return { acquire: [cell], release: [cell] };
  }
  switch (t.kind) {
    case Kind.mutexLock:
    case Kind.mutexTrylock:
      return { acquire: [`mutex:${t.object}`], release: [] };
    case Kind.mutexUnlock:
      return { acquire: [], release: [`mutex:${t.object}`] };
    case Kind.semAcquire:
    case Kind.semTrywait:
    case Kind.semGetvalue:
      // A try or a read sees the posts before it, as an atomic read does.
      return { acquire: [`sem:${t.object}`], release: [] };
    case Kind.semRelease:
      return { acquire: [], release: [`sem:${t.object}`] };
    case Kind.condWait:
      return { acquire: [], release: [`mutex:${t.arg0}`] };
    case Kind.condWake:
      return { acquire: [`mutex:${t.arg0}`, `cond:${t.object}`], release: [] };
    case Kind.condSignal:
    case Kind.condBroadcast:
      return { acquire: [], release: [`cond:${t.object}`] };
    case Kind.barrierArrive:
      return { acquire: [], release: [`barrier:${t.object}`] };
    case Kind.barrierLeave:
      return { acquire: [`barrier:${t.object}`], release: [] };
    default:
      return null;
  }
}

/** The race detector of one execution; `step` it with each transition taken, in order. */
export class RaceDetector {
  private readonly clocks = new Map<number, Clock>();
  private readonly objects = new Map<string, Clock>();
  private readonly shadow = new Map<number, Shadow>();
  private steps = 0;

  private clockOf(actor: number): Clock {
    let c = this.clocks.get(actor);
    if (c === undefined) {
      c = [];
      c[actor] = 1;
      this.clocks.set(actor, c);
    }
    return c;
  }

  /**
   * `actor` was created by `creator` (in the window of its last step, or at the start):
   * everything the creator did before happens before, nothing it does after.
   */
  created(actor: number, creator: number): void {
    const mine = this.clockOf(creator);
    const c = [...mine];
    c[actor] = Math.max(c[actor] ?? 0, 1);
    this.clocks.set(actor, c);
    // The creator's later accesses (its window's, its next steps) are not before the new actor's.
    mine[creator]++;
  }

  /**
   * The window of the last step taken (or of the start, before any): its plain accesses and
   * creations, in order. Returns the first race an access completes, if any.
   */
  window(events: readonly WindowEvent[]): DataRace | null {
    const after = this.steps - 1;
    for (const e of events) {
      if (e.kind === "create") {
        this.created(e.created, e.actor);
        continue;
      }
      const c = this.clockOf(e.actor);
      const me: RaceAccess = {
        actor: e.actor,
        step: after,
        between: true,
        access: e.access,
        ...(e.site === undefined ? {} : { site: e.site }),
      };
      const race = this.check(me, c);
      if (race !== null) return race;
    }
    return null;
  }

  /** Takes the next step of the execution; returns the first race it completes, if any. */
  step(t: Transition): DataRace | null {
    const index = this.steps++;
    const c = this.clockOf(t.actor);
    const sync = syncOf(t);
    for (const o of sync?.acquire ?? []) {
      const oc = this.objects.get(o);
      if (oc !== undefined) join(c, oc);
    }
    const a = accessOf(t);
    const race = a === null ? null : this.check(
      {
        actor: t.actor,
        step: index,
        between: false,
        access: a,
        ...(t.site === undefined ? {} : { site: t.site }),
      },
      c,
    );
    for (const o of sync?.release ?? []) {
      let oc = this.objects.get(o);
      if (oc === undefined) this.objects.set(o, oc = []);
      join(oc, c);
    }
    c[t.actor]++;
    return race;
  }

  /** Checks an access of `access.actor`, whose clock is `c`, against the shadow; records it. */
  private check(access: RaceAccess, c: Clock): DataRace | null {
    const a = access.access;
    const actor = access.actor;
    const me: Epoch = { time: c[actor], atomic: a.atomic, access };
    const unordered = (e: Epoch): boolean =>
      e.access.actor !== actor && e.time > (c[e.access.actor] ?? 0) &&
      !(e.atomic && a.atomic);
    let race: DataRace | null = null;
    for (let b = a.address; b < a.address + a.size; b++) {
      let s = this.shadow.get(b);
      if (s === undefined) this.shadow.set(b, s = { write: null, reads: new Map() });
      if (race === null && s.write !== null && unordered(s.write)) {
        race = { address: b, first: s.write.access, second: me.access };
      }
      if (a.write) {
        for (const r of s.reads.values()) {
          if (race === null && unordered(r)) {
            race = { address: b, first: r.access, second: me.access };
          }
        }
        s.write = me;
        s.reads.clear();
      } else {
        s.reads.set(actor, me);
      }
    }
    return race;
  }
}
