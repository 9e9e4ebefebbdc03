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
const spawnWrite: readonly Access[] = [write(cell.spawn)];
const none: readonly Access[] = [];

/**
 * The footprints of one-cell transitions and of memory accesses, kept by cell (issue 10: a
 * lighter step). Each step's footprint was made anew: a string per cell and an object per
 * access, garbage a few steps later, and strings that compared and hashed by content in
 * every later test (conflicts, the happens-before's cell histories). The same cells come back
 * step after step, so a footprint is made once and shared; footprints are never modified
 * (Event.accesses is readonly). Forgotten whole past `footprintLimit`, so that a program
 * whose cells never repeat costs a bounded table. What it returns is what the transition's
 * fields give, whatever was asked before: a memo, not state that changes an answer.
 */
class Footprints {
  /** One table per cell family and mode (Family), keyed by object (bytes: address and size). */
  private readonly tables: Map<number, readonly Access[]>[] = [];
  private size = 0;

  constructor() {
    for (let f = 0; f < familyCount; f++) this.tables.push(new Map());
  }

  get(family: Family, key: number): readonly Access[] | undefined {
    return this.tables[family].get(key);
  }

  set(family: Family, key: number, footprint: readonly Access[]): readonly Access[] {
    if (++this.size > footprintLimit) {
      for (const t of this.tables) t.clear();
      this.size = 1;
    }
    this.tables[family].set(key, footprint);
    return footprint;
  }
}

/** The tables of Footprints: a cell family and a mode. */
const enum Family {
  memRead,
  memWrite,
  bytesRead,
  bytesWrite,
  mutex,
  semWrite,
  semRead,
  cond,
  barrier,
  send,
  recv,
}
const familyCount = Family.recv + 1;
const footprintLimit = 1 << 16;
const footprints = new Footprints();

/** The one cell of each one-cell family, and its mode. */
function oneCell(family: Family, object: number): Access {
  switch (family) {
    case Family.memRead:
      return read(cell.memory(object));
    case Family.memWrite:
      return write(cell.memory(object));
    case Family.mutex:
      return write(cell.mutex(object));
    case Family.semWrite:
      return write(cell.semaphore(object));
    case Family.semRead:
      return read(cell.semaphore(object));
    case Family.cond:
      return write(cell.condition(object));
    case Family.barrier:
      return write(cell.barrier(object));
    case Family.send:
      return write(cell.mailbox(object, "send"));
    default:
      return write(cell.mailbox(object, "recv"));
  }
}

/** A one-cell footprint, shared (Footprints). */
function single(family: Family, object: number): readonly Access[] {
  return footprints.get(family, object) ??
    footprints.set(family, object, [oneCell(family, object)]);
}

/** A memory access's footprint, one cell per byte, shared below `cachedAddresses`. */
function bytes(t: Transition): readonly Access[] {
  const a = accessOf(t)!;
  const family = a.write ? Family.bytesWrite : Family.bytesRead;
  const cached = a.address >= 0 && a.address < cachedAddresses;
  const key = a.address * 256 + a.size;
  const had = cached ? footprints.get(family, key) : undefined;
  if (had !== undefined) return had;
  const out: Access[] = [];
  for (let i = 0; i < a.size; i++) {
    const c = cell.memory(a.address + i);
    out.push(a.write ? write(c) : read(c));
  }
  return cached ? footprints.set(family, key, out) : out;
}

/** Memory accesses' footprints are kept by address and size below this address. */
const cachedAddresses = 2 ** 44;

/**
 * The footprint of a transition (before the checker knows its outcome). `spawner` adds the
 * spawn cell, for the transitions of an actor that creates actors (lib/explore/dpor/explorer.ts
 * says why of the actor rather than of the step). The array returned may be shared: never
 * modify it.
 */
export function accessesOf(
  t: Transition,
  comms: CommDirectory,
  spawner = false,
): readonly Access[] {
  const out = footprint(t, comms);
  return spawner ? (out.length === 0 ? spawnWrite : [...out, ...spawnWrite]) : out;
}

function footprint(t: Transition, comms: CommDirectory): readonly Access[] {
  switch (t.kind) {
    case Kind.yield:
    case Kind.random:
      return none;
    // Never enabled, so never executed: nothing it does can be reordered.
    case Kind.assume:
      return none;
    case Kind.load:
      return single(Family.memRead, t.object);
    case Kind.cas:
      // One whose comparison fails where it is taken writes nothing (docs/independence.md).
      return single(t.fails === true ? Family.memRead : Family.memWrite, t.object);
    case Kind.store:
    case Kind.fetchAdd:
      return single(Family.memWrite, t.object);
    case Kind.read:
    case Kind.write:
    case Kind.rmw:
      // One cell per byte: accesses of different sizes conflict exactly when they overlap. A
      // compare-exchange that fails where it is taken is a read (accessOf).
      return bytes(t);
    case Kind.mutexLock:
    case Kind.mutexTrylock:
    case Kind.mutexUnlock:
      return single(Family.mutex, t.object);
    case Kind.semAcquire:
    case Kind.semRelease:
    case Kind.semTrywait:
      // A trywait's result depends on the value, and it may change it.
      return single(Family.semWrite, t.object);
    case Kind.semGetvalue:
      return single(Family.semRead, t.object);
    case Kind.condWait:
      return [write(cell.condition(t.object)), write(cell.mutex(Number(t.arg0)))];
    case Kind.condWake:
      // Waits for its signal (an enabling edge, see enablerOf) and takes the mutex back.
      return [write(cell.mutex(Number(t.arg0)))];
    case Kind.condSignal:
    case Kind.condBroadcast:
      return single(Family.cond, t.object);
    case Kind.barrierArrive:
      return single(Family.barrier, t.object);
    case Kind.barrierLeave:
      return none;
    case Kind.isend:
      return single(Family.send, t.object);
    case Kind.irecv:
      return single(Family.recv, t.object);
    case Kind.wait:
      return none;
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
