/**
 * What the checker knows of a program at a scheduling point: each unfinished actor's pending
 * transition (kind, object, enabledness, number of choices), the steps that can be taken, and
 * how a transition reads in a counterexample. The kind numbers are the protocol's
 * (native/src/protocol.zig); docs/semantics.md defines each transition.
 */

export const Kind = {
  yield: 1,
  random: 2,
  isend: 3,
  irecv: 4,
  wait: 5,
  test: 6,
  waitany: 7,
  mutexLock: 8,
  mutexTrylock: 9,
  mutexUnlock: 10,
  semAcquire: 11,
  semRelease: 12,
  condWait: 13,
  condWake: 14,
  condSignal: 15,
  condBroadcast: 16,
  barrierArrive: 17,
  barrierLeave: 18,
  load: 19,
  store: 20,
  fetchAdd: 21,
  cas: 22,
  /** Memory accesses of pthread programs (native/src/runtime/tsan.zig): see accessOf. */
  read: 23,
  write: 24,
  rmw: 25,
  /** sem_trywait (always enabled: takes the semaphore if positive) and sem_getvalue. */
  semTrywait: 26,
  semGetvalue: 27,
  /**
   * A failed assumption (__VERIFIER_assume(0), assume_abort_if_not(0), abort() under --svcomp;
   * arg0 says which): the actor is blocked for ever, never enabled (docs/svcomp.md).
   */
  assume: 28,
} as const;
export type Kind = typeof Kind[keyof typeof Kind];

const kindNames: ReadonlyMap<number, string> = new Map(
  Object.entries(Kind).map(([name, value]) => [value, name]),
);

export function isKind(n: number): n is Kind {
  return kindNames.has(n);
}

export function kindName(kind: Kind): string {
  return kindNames.get(kind) ?? `kind ${kind}`;
}

/** A communication in a waitany, with whether it is already matched. */
export interface WaitanyComm {
  readonly id: number;
  readonly ready: boolean;
}

/** An actor's pending transition, as the runtime reports it (one STATE record). */
export interface Transition {
  readonly actor: number;
  readonly kind: Kind;
  readonly enabled: boolean;
  /** For wait/test: the communication is already matched. */
  readonly ready: boolean;
  /** How many alternatives executing it offers (random values, matched comms of a waitany). */
  readonly choices: number;
  /** The object it acts on: a mailbox, comm, mutex... id, or an address for shared variables. */
  readonly object: number;
  readonly arg0: bigint;
  readonly arg1: bigint;
  /**
   * Where the program made the call: the return address of its isomc_* call, as the runtime
   * saw it; absent when unknown. lib/report/source.ts turns it into a file and line.
   */
  readonly site?: number;
  readonly extras: readonly WaitanyComm[];
  /**
   * For a read: the actor spins (an await loop's iteration would repeat, docs/pthreads.md);
   * never enabled, and an execution where only such actors are left is cut as blocked.
   */
  readonly spin?: boolean;
  /**
   * For a compare-exchange (`cas`, or an `rmw` with arg1 bit 15): its comparison fails at this
   * point, so that taken here it writes nothing. Only another actor's write to its bytes can
   * change that (docs/independence.md, "A compare-exchange that fails").
   */
  readonly fails?: boolean;
}

/** What a memory access (read, write, rmw) touches: arg1 is size | mode << 8 | atomic << 12. */
export interface MemoryAccess {
  readonly address: number;
  readonly size: number;
  readonly write: boolean;
  readonly atomic: boolean;
}

/**
 * A spinning read whose iteration would get the values it got (arg1 bit 14, set by the runtime
 * in each STATE): unless another actor writes, it spins for ever.
 */
export function spinsForever(t: Transition): boolean {
  return t.spin === true && (t.arg1 & 0x4000n) !== 0n;
}

/** arg1 bit 15 of an rmw: a compare-exchange, arg0 the value it expects. */
const casBit = 0x8000n;

/** Whether an rmw is a compare-exchange (its arg0 the expected value, not an operand). */
export function isCompareExchange(t: Transition): boolean {
  return t.kind === Kind.cas || (t.kind === Kind.rmw && (t.arg1 & casBit) !== 0n);
}

export function isAccess(kind: Kind): boolean {
  return kind === Kind.read || kind === Kind.write || kind === Kind.rmw;
}

/** The access a transition makes, or null when it is no memory access of a pthread program. */
export function accessOf(t: Transition): MemoryAccess | null {
  if (!isAccess(t.kind)) return null;
  return {
    address: t.object,
    size: Number(t.arg1 & 0xffn),
    // A compare-exchange that fails where it is taken is an (atomic) read.
    write: t.kind !== Kind.read && t.fails !== true,
    atomic: (t.arg1 & 0x1000n) !== 0n,
  };
}

/**
 * What ran between a step and the point it led to that is no step (docs/pthreads.md, "Data
 * races"): under --memory=sync, a plain memory access of a pthread program, or the creation of
 * an actor among them (what its creator did before happens before the new actor, what it does
 * after does not). The runtime sends them in the order they happened, one event for repeated
 * accesses to the same bytes (native/src/runtime/window.zig).
 */
export type WindowEvent =
  | {
    readonly kind: "access";
    readonly actor: number;
    /** Never atomic: atomics are steps. */
    readonly access: MemoryAccess;
    /** Where the program made the access, as Transition.site. */
    readonly site?: number;
  }
  | { readonly kind: "create"; readonly actor: number; readonly created: number };

/** A scheduling point: the pending transition of every unfinished actor. */
export interface Point {
  /** Transitions executed since the start of the execution. */
  readonly steps: number;
  readonly transitions: readonly Transition[];
  /**
   * What the actors did since the step that led here (since the start, at the first point)
   * that is no step: absent when nothing was seen (always under --memory=all, for programs of
   * the API and --preload binaries).
   */
  readonly window?: readonly WindowEvent[];
}

/** One scheduling decision: which actor moves, and which of its choices it takes. */
export interface Step {
  readonly actor: number;
  readonly choice: number;
}

/** Every step that can be taken at a point, in actor order then choice order. */
export function enabledSteps(point: Point): Step[] {
  const steps: Step[] = [];
  for (const t of point.transitions) {
    if (!t.enabled) continue;
    for (let choice = 0; choice < t.choices; choice++) steps.push({ actor: t.actor, choice });
  }
  return steps;
}

/**
 * Whether any step can be taken at a point (none: a deadlock, or the end). Cheaper than
 * enabledSteps(point).length, which lists every choice (a random can have millions).
 */
export function anyEnabled(point: Point): boolean {
  return point.transitions.some((t) => t.enabled && t.choices > 0);
}

export function transitionOf(point: Point, actor: number): Transition | undefined {
  return point.transitions.find((t) => t.actor === actor);
}

/** Names the runtime gave to actors and objects; ids are stable across executions. */
export interface NameTable {
  readonly actors: ReadonlyMap<number, string>;
  readonly objects: ReadonlyMap<number, string>;
  /** The program's name for an address (a global variable), if it has one. */
  readonly symbol?: (address: number) => string | undefined;
}

export const emptyNames: NameTable = { actors: new Map(), objects: new Map() };

export function actorName(names: NameTable, id: number | null): string {
  if (id === null || id === 0) return "main";
  return names.actors.get(id) ?? `actor ${id}`;
}

/** Object ids are (creator << 32) | counter; shown as "counter" or "creator.counter". */
export function formatObjectId(id: number): string {
  const creator = Math.floor(id / 2 ** 32);
  const counter = id % 2 ** 32;
  return creator === 0 ? `${counter}` : `${creator}.${counter}`;
}

/** Ids from 2^51 up to mailboxes' 2^52 are addresses: pthread objects (native/src/runtime/pthread.zig). */
const addressIds = 2 ** 51;

/** An object as a step names it: the program's variable for a pthread object, else its id. */
function objectName(id: number, names: NameTable): string {
  if (id < addressIds || id >= 2 * addressIds) return formatObjectId(id);
  return address(id - addressIds, names);
}

function mailbox(names: NameTable, id: number): string {
  const name = names.objects.get(id);
  return name === undefined ? `mailbox #${id}` : `mailbox '${name}'`;
}

function address(a: number, names: NameTable): string {
  return names.symbol?.(a) ?? `0x${a.toString(16)}`;
}

/** How the transition reads in a counterexample; `choice` shows the value a step picked. */
export function describeTransition(t: Transition, names: NameTable, choice?: number): string {
  const id = objectName(t.object, names);
  switch (t.kind) {
    case Kind.yield:
      return "yield()";
    case Kind.random: {
      const base = `random(${t.arg0}, ${t.arg1})`;
      return choice === undefined ? base : `${base} = ${t.arg0 + BigInt(choice)}`;
    }
    case Kind.isend:
      return `isend(${mailbox(names, t.object)}, ${t.arg1} bytes) -> comm ${
        formatObjectId(Number(t.arg0))
      }`;
    case Kind.irecv:
      return `irecv(${mailbox(names, t.object)}, ${t.arg1}-byte buffer) -> comm ${
        formatObjectId(Number(t.arg0))
      }`;
    case Kind.wait:
    case Kind.test: {
      const side = t.arg1 === 0n ? "send" : "receive";
      const verb = t.kind === Kind.wait ? "wait" : "test";
      const state = t.kind === Kind.test ? (t.ready ? " = 1" : " = 0") : "";
      return `${verb}(comm ${id}: ${side} on ${mailbox(names, Number(t.arg0))})${state}`;
    }
    case Kind.waitany: {
      const comms = t.extras.map((c) => `${formatObjectId(c.id)}${c.ready ? "*" : ""}`);
      const picked = choice === undefined
        ? ""
        : ` -> comm ${formatObjectId(t.extras.filter((c) => c.ready)[choice]?.id ?? 0)}`;
      return `waitany([${comms.join(", ")}])${picked}`;
    }
    case Kind.mutexLock:
      return `mutex_lock(mutex ${id})`;
    case Kind.mutexTrylock:
      return `mutex_trylock(mutex ${id}) = ${t.arg0 === 0n ? 1 : 0}`;
    case Kind.mutexUnlock:
      return `mutex_unlock(mutex ${id})`;
    case Kind.semAcquire:
      return `sem_acquire(sem ${id})`;
    case Kind.semRelease:
      return `sem_release(sem ${id})`;
    case Kind.semTrywait:
      return `sem_trywait(sem ${id}) = ${t.arg0 > 0n ? 1 : 0}`;
    case Kind.semGetvalue:
      return `sem_getvalue(sem ${id}) = ${t.arg0}`;
    case Kind.condWait:
      return `cond_wait(cond ${id}, mutex ${objectName(Number(t.arg0), names)})`;
    case Kind.condWake:
      return `cond_wait returns(cond ${id}, mutex ${objectName(Number(t.arg0), names)})`;
    case Kind.condSignal:
      return `cond_signal(cond ${id})`;
    case Kind.condBroadcast:
      return `cond_broadcast(cond ${id})`;
    case Kind.barrierArrive:
      return `barrier_wait arrives(barrier ${id}, ${t.arg1 + 1n} of ${t.arg0})`;
    case Kind.barrierLeave:
      return `barrier_wait leaves(barrier ${id})`;
    case Kind.load:
      return `load(${address(t.object, names)})`;
    case Kind.store:
      return `store(${address(t.object, names)}, ${t.arg0})`;
    case Kind.fetchAdd:
      return `fetch_add(${address(t.object, names)}, ${t.arg0})`;
    case Kind.cas:
      return `cas(${address(t.object, names)}, ${t.arg0}, ${t.arg1})${
        t.fails === true ? " fails" : ""
      }`;
    case Kind.read:
    case Kind.write:
    case Kind.rmw:
      return describeAccess(t, names);
    case Kind.assume:
      return assumptionCall(t);
  }
}

/** The call whose assumption failed, in the runtime's words (native/src/runtime/describe.zig). */
function assumptionCall(t: Transition): string {
  if (t.arg0 === 1n) return "assume_abort_if_not(0)";
  if (t.arg0 === 2n) return "abort() under --svcomp";
  return "__VERIFIER_assume(0)";
}

function describeAccess(t: Transition, names: NameTable): string {
  const a = accessOf(t)!;
  const at = `${address(a.address, names)}${a.size === 4 ? "" : `, ${a.size} bytes`}`;
  const prefix = a.atomic ? "atomic_" : "";
  // A read's value is the one in memory at the point: what it reads when taken there.
  if (t.kind === Kind.read) return `${prefix}read(${at}) = ${t.arg0}`;
  if (isCompareExchange(t)) {
    return `atomic_compare_exchange(${at}, expected ${t.arg0})${t.fails === true ? " fails" : ""}`;
  }
  if (t.kind === Kind.rmw) return `atomic_rmw(${at}, ${t.arg0})`;
  return a.atomic ? `atomic_write(${at}, ${t.arg0})` : `write(${at})`;
}

/** Why a blocked transition is not enabled, for deadlock reports. */
export function blockedReason(t: Transition, names: NameTable): string {
  switch (t.kind) {
    case Kind.mutexLock:
      return `the mutex is held by ${actorName(names, Number(t.arg0))}`;
    case Kind.semAcquire:
      return "the semaphore is at 0";
    case Kind.wait:
      return "no matching communication was posted";
    case Kind.waitany:
      return "none of the communications is matched";
    case Kind.condWake:
      return "no signal arrived (or the mutex is held)";
    case Kind.barrierLeave:
      return "not every actor has arrived";
    case Kind.read:
    case Kind.rmw:
      if (t.spin === true) return "it spins: its await loop's next iteration would repeat the last";
      return "not enabled";
    case Kind.assume:
      return "its assumption failed: it is blocked for ever";
    default:
      return "not enabled";
  }
}
