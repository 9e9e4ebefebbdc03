/**
 * The independence relation between transitions of different actors, from one source: what
 * each transition reads and writes (its footprint of abstract cells), what it waits for (the
 * event of another actor that enables it), and which transitions can be disabled. Two
 * transitions of different actors are dependent exactly when their footprints conflict (one
 * writes a cell the other reads or writes); an enabling event is ordered before what it
 * enables by happens-before instead (lib/explore/dpor/happens_before.ts). Transitions of the
 * same actor are always dependent (program order). docs/independence.md is the table, with
 * the reason for each row; native/src/runtime/transitions.zig is what it is derived from.
 */

import { accessOf, Kind, type Transition } from "./transition.ts";

export type AccessMode = "read" | "write";

/** One abstract cell a transition touches, and how. */
export interface Access {
  readonly cell: string;
  readonly mode: AccessMode;
}

export type Side = "send" | "recv";

/** Where a communication was posted: its mailbox and its side. */
export interface CommInfo {
  readonly mailbox: number;
  readonly side: Side;
}

/** Looks up a communication by id (the checker learns them from isend/irecv records). */
export type CommDirectory = (comm: number) => CommInfo | undefined;

/**
 * The cells. A mailbox has two: the FIFO of its sends and the FIFO of its receives. Posting
 * on one side writes that side's cell; a send and a receive on the same mailbox commute,
 * because the k-th send always matches the k-th receive whatever their interleaving.
 */
export const cell = {
  memory: (address: number): string => `mem:${address}`,
  mutex: (id: number): string => `mutex:${id}`,
  semaphore: (id: number): string => `sem:${id}`,
  condition: (id: number): string => `cond:${id}`,
  barrier: (id: number): string => `barrier:${id}`,
  mailbox: (id: number, side: Side): string => `${side}:${id}`,
  /** Written by every step of an actor that creates actors: ids follow creation order. */
  spawn: "spawn",
} as const;

function opposite(side: Side): Side {
  return side === "send" ? "recv" : "send";
}

function sideOf(n: bigint): Side {
  return n === 0n ? "send" : "recv";
}

const read = (c: string): Access => ({ cell: c, mode: "read" });
const write = (c: string): Access => ({ cell: c, mode: "write" });

/**
 * The footprint of a transition (before the checker knows its outcome). `spawner` adds the
 * spawn cell, for the transitions of an actor that creates actors (lib/explore/dpor/explorer.ts
 * says why of the actor rather than of the step).
 */
export function accessesOf(
  t: Transition,
  comms: CommDirectory,
  spawner = false,
): Access[] {
  const out = footprint(t, comms);
  if (spawner) out.push(write(cell.spawn));
  return out;
}

function footprint(t: Transition, comms: CommDirectory): Access[] {
  switch (t.kind) {
    case Kind.yield:
    case Kind.random:
    // Never enabled, so never executed: nothing it does can be reordered.
    case Kind.assume:
      return [];
    case Kind.load:
      return [read(cell.memory(t.object))];
    case Kind.store:
    case Kind.fetchAdd:
    case Kind.cas:
      // A failed cas writes nothing, but the checker cannot tell before it runs.
      return [write(cell.memory(t.object))];
    case Kind.read:
    case Kind.write:
    case Kind.rmw: {
      // One cell per byte: accesses of different sizes conflict exactly when they overlap.
      const a = accessOf(t)!;
      const out: Access[] = [];
      for (let i = 0; i < a.size; i++) {
        const c = cell.memory(a.address + i);
        out.push(a.write ? write(c) : read(c));
      }
      return out;
    }
    case Kind.mutexLock:
    case Kind.mutexTrylock:
    case Kind.mutexUnlock:
      return [write(cell.mutex(t.object))];
    case Kind.semAcquire:
    case Kind.semRelease:
    case Kind.semTrywait:
      // A trywait's result depends on the value, and it may change it.
      return [write(cell.semaphore(t.object))];
    case Kind.semGetvalue:
      return [read(cell.semaphore(t.object))];
    case Kind.condWait:
      return [write(cell.condition(t.object)), write(cell.mutex(Number(t.arg0)))];
    case Kind.condWake:
      // Waits for its signal (an enabling edge, see enablerOf) and takes the mutex back.
      return [write(cell.mutex(Number(t.arg0)))];
    case Kind.condSignal:
    case Kind.condBroadcast:
      return [write(cell.condition(t.object))];
    case Kind.barrierArrive:
      return [write(cell.barrier(t.object))];
    case Kind.barrierLeave:
      return [];
    case Kind.isend:
      return [write(cell.mailbox(t.object, "send"))];
    case Kind.irecv:
      return [write(cell.mailbox(t.object, "recv"))];
    case Kind.wait:
      return [];
    case Kind.test:
      // Its result depends on whether the opposite side has posted the matching request.
      return [read(cell.mailbox(Number(t.arg0), opposite(sideOf(t.arg1))))];
    case Kind.waitany: {
      const out: Access[] = [];
      for (const c of t.extras) {
        const info = comms(c.id);
        if (info === undefined) {
          throw new Error(`internal: waitany on comm ${c.id}, never seen posted`);
        }
        out.push(read(cell.mailbox(info.mailbox, opposite(info.side))));
      }
      return out;
    }
  }
}

/** Do two footprints conflict (a cell written by one and touched by the other)? */
export function conflicts(a: readonly Access[], b: readonly Access[]): boolean {
  for (const x of a) {
    for (const y of b) {
      if (x.cell === y.cell && (x.mode === "write" || y.mode === "write")) return true;
    }
  }
  return false;
}

/** Dependence of two transitions: same actor, or conflicting footprints. */
export function dependent(
  a: { readonly actor: number; readonly accesses: readonly Access[] },
  b: { readonly actor: number; readonly accesses: readonly Access[] },
): boolean {
  return a.actor === b.actor || conflicts(a.accesses, b.accesses);
}

/**
 * What a transition waits for beyond its footprint: the event of another actor without
 * which it cannot run. These make happens-before edges, never races (they cannot be
 * reversed). An actor's first transition also waits for the step that created it.
 */
export type Enabler =
  /** wait(c): the opposite post FIFO-paired with c on c's mailbox. */
  | { readonly kind: "partner"; readonly comm: number }
  /** The second phase of cond_wait: the signal or broadcast that woke this actor. */
  | { readonly kind: "signal"; readonly cond: number }
  /** The second phase of barrier_wait: the arrival that completed this actor's round. */
  | { readonly kind: "round"; readonly barrier: number };

export function enablerOf(t: Transition): Enabler | null {
  switch (t.kind) {
    case Kind.wait:
      return { kind: "partner", comm: t.object };
    case Kind.condWake:
      return { kind: "signal", cond: t.object };
    case Kind.barrierLeave:
      return { kind: "round", barrier: t.object };
    default:
      return null;
  }
}

/** Transitions that can be disabled (docs/semantics.md gives the rule for each). */
export function mayBlock(kind: Kind): boolean {
  return kind === Kind.mutexLock || kind === Kind.semAcquire || kind === Kind.condWake ||
    kind === Kind.barrierLeave || kind === Kind.wait || kind === Kind.waitany;
}

/** What a transition does to a mutex, if anything. */
export type MutexEffect = "acquire" | "release" | "try";

export function mutexEffect(t: Transition): { mutex: number; effect: MutexEffect } | null {
  switch (t.kind) {
    case Kind.mutexLock:
      return { mutex: t.object, effect: "acquire" };
    case Kind.mutexTrylock:
      return { mutex: t.object, effect: "try" };
    case Kind.mutexUnlock:
      return { mutex: t.object, effect: "release" };
    case Kind.condWait:
      return { mutex: Number(t.arg0), effect: "release" };
    case Kind.condWake:
      return { mutex: Number(t.arg0), effect: "acquire" };
    default:
      return null;
  }
}

/** For isend/irecv: the communication it posts and where. */
export function postOf(t: Transition): { comm: number; mailbox: number; side: Side } | null {
  if (t.kind === Kind.isend) return { comm: Number(t.arg0), mailbox: t.object, side: "send" };
  if (t.kind === Kind.irecv) return { comm: Number(t.arg0), mailbox: t.object, side: "recv" };
  return null;
}
