/**
 * The steps of a counterexample as the trace file and `--json` hold them: each step's actor and
 * choice (what the runtime replays), its words, where in the source it was made, its structure
 * (kind, object, arguments) and what it matched — for a post, the FIFO partner of the other
 * side on its mailbox; for a wait, test or waitany, the post of the communication it took — so
 * that a chart can be drawn from the file alone (lib/report/chart.ts). Pure functions.
 */

import {
  actorName,
  blockedReason,
  describeTransition,
  Kind,
  kindName,
  type NameTable,
  type Transition,
} from "../model/transition.ts";
import type { TraceStep } from "../explore/result.ts";
import { formatSource, noSources, type SourceLocation, type SourceResolver } from "./source.ts";

/** A transition's structure, as the trace file spells it (every field optional on reading). */
export interface StepShape {
  /** The protocol's name of the kind, `load`, `mutex_lock`, `cond_wait`... */
  kind?: string;
  /** The object it acts on: a mailbox, comm, mutex... id, or an address. */
  object?: number;
  /** The mailbox's or the variable's name, when it has one. */
  object_name?: string;
  /** The record's arguments, as decimal text (they are 64-bit). */
  arg0?: string;
  arg1?: string;
  /** A waitany's communications. */
  comms?: { comm: number; ready: boolean }[];
  /** `file:line` of the call that made it. */
  source?: string;
  location?: SourceLocation;
}

export interface TraceStepJson extends StepShape {
  step: number;
  actor: number;
  choice: number;
  actor_name: string;
  transition: string;
  /** The value a random step picked (decimal text). */
  value?: string;
  /** The communication a post made, or a wait, test or waitany took. */
  comm?: number;
  /** The mailbox of that communication. */
  mailbox?: number;
  /**
   * A post (isend, irecv): the step that posted its FIFO partner on the mailbox (null: none in
   * the trace). A completion: the partner of the post it completes.
   */
  partner?: number | null;
  /** A wait, a test that returned 1, a waitany: the step that posted the comm it took. */
  completes?: number | null;
  /** A lasso's: the propositions' values (0 or 1) in the state the step leads to. */
  propositions?: Record<string, number>;
}

/** An actor of a deadlock, at the transition it waits at. */
export interface BlockedJson extends StepShape {
  actor: number;
  actor_name: string;
  transition: string;
  reason: string;
}

/** "mutexLock" -> "mutex_lock": the names of docs/protocol.md. */
export function kindSlug(kind: Kind): string {
  return kindName(kind).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const memoryKinds: ReadonlySet<Kind> = new Set([Kind.load, Kind.store, Kind.fetchAdd, Kind.cas]);

function shape(t: Transition, names: NameTable, sources: SourceResolver): StepShape {
  const location = t.site === undefined ? undefined : sources(t.site);
  const named = t.kind === Kind.isend || t.kind === Kind.irecv
    ? names.objects.get(t.object)
    : memoryKinds.has(t.kind)
    ? names.symbol?.(t.object)
    : undefined;
  return {
    kind: kindSlug(t.kind),
    object: t.object,
    ...(named === undefined ? {} : { object_name: named }),
    arg0: t.arg0.toString(),
    arg1: t.arg1.toString(),
    ...(t.kind === Kind.waitany
      ? { comms: t.extras.map((c) => ({ comm: c.id, ready: c.ready })) }
      : {}),
    ...(location === undefined ? {} : { source: formatSource(location), location }),
  };
}

/** The comm a step takes, or null: a wait's, a test's that returned 1, a waitany's choice. */
function taken(t: Transition, choice: number): number | null {
  if (t.kind === Kind.wait || (t.kind === Kind.test && t.ready)) return t.object;
  if (t.kind === Kind.waitany) return t.extras.filter((c) => c.ready)[choice]?.id ?? null;
  return null;
}

export function traceStepsJson(
  trace: readonly TraceStep[],
  names: NameTable,
  sources: SourceResolver = noSources,
): TraceStepJson[] {
  const steps: TraceStepJson[] = trace.map((s, i) => {
    const t = s.transition;
    return {
      step: i + 1,
      actor: s.step.actor,
      choice: s.step.choice,
      actor_name: actorName(names, s.step.actor),
      transition: describeTransition(t, names, s.step.choice),
      ...shape(t, names, sources),
      ...(t.kind === Kind.random ? { value: (t.arg0 + BigInt(s.step.choice)).toString() } : {}),
    };
  });
  matchCommunications(trace, steps);
  return steps;
}

/**
 * Fills in `comm`, `mailbox`, `partner` and `completes`. The k-th send posted on a mailbox
 * matches its k-th receive (docs/independence.md); a comm id is unique among its owner's live
 * communications, so a completion is found by its owner and id, and the id may come back once
 * it completed.
 */
function matchCommunications(trace: readonly TraceStep[], steps: TraceStepJson[]): void {
  const sends = new Map<number, number[]>();
  const receives = new Map<number, number[]>();
  const live = new Map<string, number>();
  const key = (actor: number, comm: number): string => `${actor}:${comm}`;
  trace.forEach(({ step, transition: t }, i) => {
    const out = steps[i];
    if (t.kind === Kind.isend || t.kind === Kind.irecv) {
      const comm = Number(t.arg0);
      const queues = t.kind === Kind.isend ? sends : receives;
      queues.set(t.object, [...(queues.get(t.object) ?? []), i]);
      live.set(key(step.actor, comm), i);
      Object.assign(out, { comm, mailbox: t.object });
      return;
    }
    const comm = taken(t, step.choice);
    if (comm === null) return;
    const post = live.get(key(step.actor, comm));
    live.delete(key(step.actor, comm));
    out.comm = comm;
    out.completes = post === undefined ? null : post + 1;
    if (post !== undefined) out.mailbox = trace[post].transition.object;
  });
  for (const [mailbox, posted] of sends) {
    const got = receives.get(mailbox) ?? [];
    posted.forEach((s, k) => {
      steps[s].partner = got[k] === undefined ? null : got[k] + 1;
      if (got[k] !== undefined) steps[got[k]].partner = s + 1;
    });
  }
  for (const [mailbox, got] of receives) {
    const posted = sends.get(mailbox) ?? [];
    got.forEach((r, k) => {
      if (posted[k] === undefined) steps[r].partner = null;
    });
  }
  for (const s of steps) {
    if (s.completes !== undefined && s.completes !== null) {
      s.partner = steps[s.completes - 1].partner ?? null;
    }
  }
}

/** The blocked actors of a deadlock, at what they wait for. */
export function blockedJson(
  transitions: readonly Transition[],
  names: NameTable,
  sources: SourceResolver = noSources,
): BlockedJson[] {
  return transitions.map((t) => ({
    actor: t.actor,
    actor_name: actorName(names, t.actor),
    transition: describeTransition(t, names),
    reason: blockedReason(t, names),
    ...shape(t, names, sources),
  }));
}
