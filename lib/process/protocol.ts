/**
 * The control-channel protocol, checker side: the one TypeScript definition of its frames and
 * messages — version, message types, flags, the messages as the checker sees them. Reading the
 * runtime's frames is decode.ts's job, writing the checker's encode.ts's; the runtime's side is
 * native/src/protocol.zig; docs/protocol.md describes both, and tests/protocol_test.ts checks
 * the two against each other through a Zig-built fixture.
 */

import type { Point, Step } from "../model/transition.ts";

export const PROTOCOL_VERSION = 16;
export const MAGIC = 0x434d5349;
export const HEADER_SIZE = 8;
export const MAX_FRAME = 16 * 1024 * 1024;

export const ENV_FD = "ISOMC_FD";
export const ENV_REPLAY = "ISOMC_REPLAY";
export const ENV_REPORT = "ISOMC_REPORT";
export const ENV_VERBOSE = "ISOMC_VERBOSE";
export const ENV_REPLAY_CYCLES = "ISOMC_REPLAY_CYCLES";
/** The values a wide __VERIFIER_nondet_* takes, "LO..HI" (docs/svcomp.md). */
export const ENV_NONDET_RANGE = "ISOMC_NONDET_RANGE";
/** "1": abort() is a failed assumption, blocking its thread (--svcomp). */
export const ENV_SVCOMP = "ISOMC_SVCOMP";
/** "1": main's return waits for the threads still running (--join-on-exit). */
export const ENV_JOIN_ON_EXIT = "ISOMC_JOIN_ON_EXIT";

export const MessageType = {
  hello: 0x01,
  actor: 0x02,
  object: 0x03,
  state: 0x04,
  violation: 0x05,
  done: 0x06,
  error: 0x07,
  stacks: 0x08,
  tail: 0x09,
  crash: 0x0a,
  mapped: 0x0b,
  forked: 0x0c,
  exiting: 0x0d,
  fdset: 0x0e,
  prop: 0x0f,
  welcome: 0x81,
  run: 0x82,
  map: 0x83,
  fork: 0x84,
  fds: 0x85,
  finish: 0x86,
} as const;

/** WELCOME flag: the checker restores states (keep the process at the end of executions). */
export const WELCOME_STATEFUL = 1;
/** WELCOME flag: send STACKS before every STATE (the checker hashes states). */
export const WELCOME_STACKS = 2;
export const STATE_MAPS_CHANGED = 1;
export const STATE_NONDET_RANGE = 2;
/** STATE flag: the runtime runs on from this point by the RUN's continuation rule. */
export const STATE_RAN_ON = 4;
/** STATE flag (version 14): the window (what ran since the step that is no step) follows. */
export const STATE_WINDOW = 8;
/** A window event's kinds: a plain read, a plain write, a creation. */
export const WINDOW_READ = 0;
export const WINDOW_WRITE = 1;
export const WINDOW_CREATE = 2;
/** CRASH flag: the signal is a stack overflow. */
export const CRASH_OVERFLOW = 1;

/** 3 was `assume` until version 15: a failed assumption now blocks its actor (Kind.assume). */
export const ViolationKind = { assertion: 1, misuse: 2 } as const;
/** PROP's kinds: a proposition (isomc_prop, named), the progress flag (isomc_progress). */
export const PROP_KINDS = { 1: "proposition", 2: "progress" } as const;
export const ErrorCode = {
  malformed: 1,
  version: 2,
  diverged: 3,
  internal: 4,
  unsupported: 5,
} as const;

export const FLAG_ENABLED = 1;
export const FLAG_READY = 2;
/** For a read: the actor spins (native/src/runtime/tsan.zig). */
export const FLAG_SPIN = 4;
/** For a compare-exchange: its comparison fails at this point (version 15). */
export const FLAG_FAILS = 8;
export const EXTRA_READY_BIT = 1n << 63n;

/** The channel carried something the protocol does not allow. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** The frame is of another protocol version: the program was built by another isomc. */
export class VersionMismatch extends ProtocolError {
  override name = "VersionMismatch";
}

export type Message =
  | { type: "hello"; pid: number; uffd: number; ignored: [number, number][] }
  | { type: "actor"; id: number; parent: number; name: string }
  | { type: "object"; id: number; kind: number; name: string }
  | {
    type: "prop";
    /** A proposition registered by isomc_prop, or the flag isomc_progress() sets. */
    kind: "proposition" | "progress";
    /** Where the int lives in the program's memory. */
    address: number;
    /** The proposition's name; "" for the progress flag. */
    name: string;
  }
  | {
    type: "state";
    point: Point;
    mapsChanged: boolean;
    /** A value was drawn from the nondet range in this process (a wide __VERIFIER_nondet_*). */
    nondetRange?: boolean;
    /** The runtime runs on from this point by the RUN's continuation rule. */
    ranOn: boolean;
  }
  | { type: "stacks"; stacks: StackInfo[] }
  | { type: "tail"; signaled: boolean; value: number }
  | {
    type: "crash";
    signal: number;
    actor: number;
    steps: number;
    /** The running actor's stack (main's when actor is 0) ran off its end. */
    overflow: boolean;
    /** That stack's usable size in bytes (0 without an overflow). */
    stackSize: number;
  }
  | { type: "mapped"; errno: number }
  | { type: "forked"; pid: number }
  | { type: "exiting"; status: number; actor: number }
  | { type: "fdset"; errno: number; failed: number }
  | { type: "violation"; kind: number; actor: number; steps: number; message: string }
  | { type: "done"; steps: number; actors: number }
  | { type: "error"; code: number; steps: number; message: string };

/** An actor's stack [lo, hi) and its saved stack pointer (hi once the actor finished). */
export interface StackInfo {
  readonly actor: number;
  readonly lo: number;
  readonly hi: number;
  readonly sp: number;
}

/** A change to the program's fd table, made by the agent before a restore completes. */
export type FdChange =
  | { readonly op: "close"; readonly fd: number }
  | {
    readonly op: "open";
    readonly fd: number;
    readonly path: string;
    readonly flags: number;
    readonly pos: number;
  }
  | { readonly op: "seek"; readonly fd: number; readonly pos: number };

/** A mapping change the runtime makes before a restore writes pages. */
export interface MapOp {
  readonly map: boolean;
  readonly start: number;
  readonly end: number;
}

export interface Header {
  readonly length: number;
  readonly type: number;
  readonly version: number;
}

/**
 * A RUN's continuation rule (docs/protocol.md, "Running ahead"): after its steps the runtime
 * goes on by itself, for at most `maxSteps` steps: first the `known` steps (version 13), then at
 * each point the lowest enabled actor's first choice; it stops at a point whose lowest enabled
 * actor is in `asleep` (past the known steps), and at the first point with more than one enabled
 * step once its step count reaches `branchStop`.
 */
export interface AheadRule {
  readonly maxSteps: number;
  readonly branchStop: number;
  readonly asleep: readonly number[];
  /** The steps to take first, in order (at most maxSteps; absent: none). */
  readonly known?: readonly Step[];
}
