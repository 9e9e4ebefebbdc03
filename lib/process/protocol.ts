/**
 * The control-channel protocol, checker side: the one TypeScript definition of its frames and
 * messages. The runtime's side is native/src/protocol.zig; docs/protocol.md describes both, and
 * tests/protocol_test.ts checks the two against each other through a Zig-built fixture.
 */

import {
  isKind,
  type Point,
  type Step,
  type Transition,
  type WaitanyComm,
  type WindowEvent,
} from "../model/transition.ts";

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
const STATE_MAPS_CHANGED = 1;
const STATE_NONDET_RANGE = 2;
/** STATE flag: the runtime runs on from this point by the RUN's continuation rule. */
const STATE_RAN_ON = 4;
/** STATE flag (version 14): the window (what ran since the step that is no step) follows. */
const STATE_WINDOW = 8;
/** A window event's kinds: a plain read, a plain write, a creation. */
const WINDOW_READ = 0;
const WINDOW_WRITE = 1;
const WINDOW_CREATE = 2;
/** CRASH flag: the signal is a stack overflow. */
const CRASH_OVERFLOW = 1;

/** 3 was `assume` until version 15: a failed assumption now blocks its actor (Kind.assume). */
export const ViolationKind = { assertion: 1, misuse: 2 } as const;
/** PROP's kinds: a proposition (isomc_prop, named), the progress flag (isomc_progress). */
const PROP_KINDS = { 1: "proposition", 2: "progress" } as const;
export const ErrorCode = {
  malformed: 1,
  version: 2,
  diverged: 3,
  internal: 4,
  unsupported: 5,
} as const;

const FLAG_ENABLED = 1;
const FLAG_READY = 2;
/** For a read: the actor spins (native/src/runtime/tsan.zig). */
const FLAG_SPIN = 4;
/** For a compare-exchange: its comparison fails at this point (version 15). */
const FLAG_FAILS = 8;
const EXTRA_READY_BIT = 1n << 63n;

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

const utf8 = new TextDecoder();

/** The high half of Number.MAX_SAFE_INTEGER (2^53 - 1): any low half fits under it. */
const maxSafeHigh = 2 ** 21 - 1;

/** The extras of a record without any (most), shared: a Transition's extras are read-only. */
const noExtras: readonly WaitanyComm[] = Object.freeze([]);

class Reader {
  pos = 0;
  constructor(private readonly view: DataView) {}

  private need(n: number): void {
    if (this.pos + n > this.view.byteLength) throw new ProtocolError("frame ends too early");
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /**
   * A u64 the protocol keeps below 2^53 (ids, addresses), read as two halves: no BigInt per
   * id (two per transition record, issue 10).
   */
  id(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    if (hi > maxSafeHigh) {
      throw new ProtocolError(`id ${(BigInt(hi) << 32n) | BigInt(lo)} is out of range`);
    }
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }
  string(): string {
    const n = this.u32();
    this.need(n);
    const bytes = new Uint8Array(this.view.buffer, this.view.byteOffset + this.pos, n);
    this.pos += n;
    return utf8.decode(bytes);
  }
  end(): void {
    if (this.pos !== this.view.byteLength) throw new ProtocolError("frame has trailing bytes");
  }
}

export interface Header {
  readonly length: number;
  readonly type: number;
  readonly version: number;
}

export function readHeader(frame: Uint8Array): Header {
  if (frame.length < HEADER_SIZE) throw new ProtocolError("frame shorter than its header");
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_SIZE);
  return {
    length: view.getUint32(0, true),
    type: view.getUint16(4, true),
    version: view.getUint16(6, true),
  };
}

/** Decodes one whole frame sent by the runtime. */
export function decode(frame: Uint8Array): Message {
  const header = readHeader(frame);
  if (header.version !== PROTOCOL_VERSION) {
    throw new VersionMismatch(
      `the program's runtime speaks protocol version ${header.version}, this checker speaks ${PROTOCOL_VERSION}: rebuild the program with \`isomc cc\``,
    );
  }
  if (header.length !== frame.length) throw new ProtocolError("frame length does not match");
  const r = new Reader(
    new DataView(frame.buffer, frame.byteOffset + HEADER_SIZE, frame.length - HEADER_SIZE),
  );
  const message = decodeBody(header.type, r);
  r.end();
  return message;
}

function decodeBody(type: number, r: Reader): Message {
  switch (type) {
    case MessageType.hello: {
      if (r.u32() !== MAGIC) throw new ProtocolError("HELLO without the isomc magic number");
      const pid = r.u32();
      const n = r.u32();
      const uffd = r.i32();
      const ignored: [number, number][] = [];
      for (let i = 0; i < n; i++) ignored.push([r.id(), r.id()]);
      return { type: "hello", pid, uffd, ignored };
    }
    case MessageType.actor:
      return { type: "actor", id: r.u32(), parent: r.u32(), name: r.string() };
    case MessageType.object: {
      const id = r.id();
      const kind = r.u8();
      r.u8();
      r.u16();
      return { type: "object", id, kind, name: r.string() };
    }
    case MessageType.prop: {
      const address = r.id();
      const code = r.u8();
      r.u8();
      r.u16();
      const name = r.string();
      const kind = PROP_KINDS[code as keyof typeof PROP_KINDS];
      if (kind === undefined) throw new ProtocolError(`unknown proposition kind ${code}`);
      if ((kind === "progress") !== (name === "")) {
        throw new ProtocolError(
          `a ${kind} PROP ${kind === "progress" ? "with" : "without"} a name`,
        );
      }
      if (address % 4 !== 0) throw new ProtocolError(`a PROP at the unaligned address ${address}`);
      return { type: "prop", kind, address, name };
    }
    case MessageType.state: {
      const steps = r.u32();
      const n = r.u32();
      const flags = r.u32();
      r.u32();
      const transitions: Transition[] = [];
      for (let i = 0; i < n; i++) transitions.push(decodeRecord(r));
      const window = (flags & STATE_WINDOW) !== 0 ? decodeWindow(r) : null;
      return {
        type: "state",
        point: window === null ? { steps, transitions } : { steps, transitions, window },
        mapsChanged: (flags & STATE_MAPS_CHANGED) !== 0,
        // Present only when set, as the other optional fields of a message.
        ...((flags & STATE_NONDET_RANGE) !== 0 ? { nondetRange: true } : {}),
        ranOn: (flags & STATE_RAN_ON) !== 0,
      };
    }
    case MessageType.stacks: {
      const n = r.u32();
      r.u32();
      const stacks: StackInfo[] = [];
      for (let i = 0; i < n; i++) {
        const actor = r.u32();
        r.u32();
        const lo = r.id();
        const hi = r.id();
        const sp = r.id();
        if (!(lo <= sp && sp <= hi)) throw new ProtocolError(`stack of actor ${actor} is inverted`);
        stacks.push({ actor, lo, hi, sp });
      }
      return { type: "stacks", stacks };
    }
    case MessageType.tail:
      return { type: "tail", signaled: r.u32() !== 0, value: r.i32() };
    case MessageType.crash: {
      const signal = r.u32();
      const actor = r.u32();
      const steps = r.u32();
      const overflow = (r.u32() & CRASH_OVERFLOW) !== 0;
      const stackSize = r.id();
      if (!overflow && stackSize !== 0) {
        throw new ProtocolError("CRASH with a stack size and no overflow");
      }
      return { type: "crash", signal, actor, steps, overflow, stackSize };
    }
    case MessageType.mapped: {
      const errno = r.i32();
      r.u32();
      return { type: "mapped", errno };
    }
    case MessageType.fdset:
      return { type: "fdset", errno: r.i32(), failed: r.u32() };
    case MessageType.exiting:
      return { type: "exiting", status: r.i32(), actor: r.u32() };
    case MessageType.forked: {
      const pid = r.u32();
      r.u32();
      return { type: "forked", pid };
    }
    case MessageType.violation: {
      const kind = r.u8();
      r.u8();
      r.u16();
      return { type: "violation", kind, actor: r.u32(), steps: r.u32(), message: r.string() };
    }
    case MessageType.done:
      return { type: "done", steps: r.u32(), actors: r.u32() };
    case MessageType.error: {
      const code = r.u16();
      r.u16();
      return { type: "error", code, steps: r.u32(), message: r.string() };
    }
    default:
      throw new ProtocolError(`unknown message type 0x${type.toString(16)}`);
  }
}

/** A STATE's window: a count, a reserved word, then the events (at least one). */
function decodeWindow(r: Reader): WindowEvent[] {
  const n = r.u32();
  r.u32();
  if (n === 0) throw new ProtocolError("a STATE with an empty window");
  const events: WindowEvent[] = [];
  for (let i = 0; i < n; i++) {
    const address = r.id();
    const site = r.id();
    const actor = r.u32();
    const size = r.u32();
    const kind = r.u8();
    r.u8();
    r.u16();
    r.u32();
    if (kind === WINDOW_CREATE) {
      if (size !== 0 || site !== 0 || address <= actor || address >= 2 ** 32) {
        throw new ProtocolError(`a window's creation of actor ${address} by ${actor} is malformed`);
      }
      events.push({ kind: "create", actor, created: address });
      continue;
    }
    if (kind !== WINDOW_READ && kind !== WINDOW_WRITE) {
      throw new ProtocolError(`unknown window event kind ${kind}`);
    }
    if (size === 0) throw new ProtocolError("a window access of 0 bytes");
    const access = { address, size, write: kind === WINDOW_WRITE, atomic: false };
    events.push(
      site === 0 ? { kind: "access", actor, access } : { kind: "access", actor, access, site },
    );
  }
  return events;
}

function decodeRecord(r: Reader): Transition {
  const actor = r.u32();
  const kind = r.u8();
  const flags = r.u8();
  const extraCount = r.u16();
  const choices = r.u32();
  r.u32();
  const object = r.id();
  const arg0 = r.i64();
  const arg1 = r.i64();
  const site = r.id();
  let extras = noExtras;
  if (extraCount > 0) {
    const comms: WaitanyComm[] = [];
    for (let i = 0; i < extraCount; i++) {
      const raw = r.u64();
      comms.push({ id: Number(raw & ~EXTRA_READY_BIT), ready: (raw & EXTRA_READY_BIT) !== 0n });
    }
    extras = comms;
  }
  if (!isKind(kind)) throw new ProtocolError(`unknown transition kind ${kind}`);
  if (choices < 1) throw new ProtocolError(`transition with ${choices} choices`);
  const enabled = (flags & FLAG_ENABLED) !== 0;
  const ready = (flags & FLAG_READY) !== 0;
  if ((flags & FLAG_FAILS) !== 0) {
    // A compare-exchange that would fail where it is taken: rare enough for spreads.
    return {
      actor,
      kind,
      enabled,
      ready,
      ...((flags & FLAG_SPIN) !== 0 ? { spin: true } : {}),
      fails: true,
      choices,
      object,
      arg0,
      arg1,
      ...(site === 0 ? {} : { site }),
      extras,
    };
  }
  // The optional fields are present only when set (site 0: the runtime does not know where
  // the program made the call), in the same order either way; literals rather than spreads,
  // which cost an object each (issue 10).
  if ((flags & FLAG_SPIN) !== 0) {
    return site === 0
      ? { actor, kind, enabled, ready, spin: true, choices, object, arg0, arg1, extras }
      : { actor, kind, enabled, ready, spin: true, choices, object, arg0, arg1, site, extras };
  }
  return site === 0
    ? { actor, kind, enabled, ready, choices, object, arg0, arg1, extras }
    : { actor, kind, enabled, ready, choices, object, arg0, arg1, site, extras };
}

class Writer {
  private readonly view: DataView;
  pos = HEADER_SIZE;
  constructor(private readonly buffer: Uint8Array, type: number) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.view.setUint16(4, type, true);
    this.view.setUint16(6, PROTOCOL_VERSION, true);
  }
  u32(v: number): void {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: number): void {
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.buffer.set(b, this.pos);
    this.pos += b.length;
  }
  finish(): Uint8Array {
    this.view.setUint32(0, this.pos, true);
    return this.buffer.subarray(0, this.pos);
  }
}

export function encodeWelcome(flags = 0): Uint8Array {
  const w = new Writer(new Uint8Array(16), MessageType.welcome);
  w.u32(MAGIC);
  w.u32(flags);
  return w.finish();
}

/** MAP: mappings to create or remove before a snapshot's pages are written back. */
export function encodeMap(ops: readonly MapOp[]): Uint8Array {
  const w = new Writer(new Uint8Array(HEADER_SIZE + 8 + 24 * ops.length), MessageType.map);
  w.u32(ops.length);
  w.u32(0);
  for (const op of ops) {
    w.u32(op.map ? 1 : 0);
    w.u32(0);
    w.u64(op.start);
    w.u64(op.end);
  }
  return w.finish();
}

/** FDS: changes for the agent to make to the program's fd table (answered by FDSET). */
export function encodeFds(changes: readonly FdChange[]): Uint8Array {
  const encoder = new TextEncoder();
  const paths = changes.map((c) => encoder.encode(c.op === "open" ? c.path : ""));
  const size = HEADER_SIZE + 8 + changes.reduce((n, _, i) => n + 28 + paths[i].length, 0);
  const w = new Writer(new Uint8Array(size), MessageType.fds);
  w.u32(changes.length);
  w.u32(0);
  changes.forEach((c, i) => {
    w.u32(c.op === "close" ? 0 : c.op === "open" ? 1 : 2);
    w.u32(c.fd);
    w.u32(c.op === "open" ? c.flags : 0);
    w.u32(0);
    w.u64(c.op === "close" ? 0 : c.pos);
    w.u32(paths[i].length);
    w.bytes(paths[i]);
  });
  return w.finish();
}

/** FORK: the process freezes as a checkpoint and a forked copy runs on (answered by FORKED). */
export function encodeFork(): Uint8Array {
  return reservedOnly(MessageType.fork);
}

/**
 * FINISH: at the final point of a stateful execution, a forked copy runs the rest of main
 * (answered by what the copy sends, then TAIL).
 */
export function encodeFinish(): Uint8Array {
  return reservedOnly(MessageType.finish);
}

function reservedOnly(type: number): Uint8Array {
  const w = new Writer(new Uint8Array(HEADER_SIZE + 8), type);
  w.u32(0);
  w.u32(0);
  return w.finish();
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

/**
 * A RUN frame: the runtime executes the steps in order, then reports where it stands (with
 * `ahead`, runs on by that rule first). `before` is the number of transitions executed before
 * the first step.
 */
export function encodeRun(steps: readonly Step[], before = 0, ahead?: AheadRule): Uint8Array {
  if (steps.length === 0) throw new RangeError("a RUN frame needs at least one step");
  if (ahead !== undefined && ahead.maxSteps < 1) throw new RangeError("a run-ahead of 0 steps");
  const known = ahead?.known ?? [];
  if (ahead !== undefined && known.length > ahead.maxSteps) {
    throw new RangeError("more known steps than the run-ahead's bound");
  }
  const rule = ahead === undefined ? 0 : 16 + 4 * ahead.asleep.length + 8 * known.length;
  const size = HEADER_SIZE + 8 + 8 * steps.length + rule;
  if (size > MAX_FRAME) throw new RangeError(`${steps.length} steps do not fit in one frame`);
  const w = new Writer(new Uint8Array(size), MessageType.run);
  w.u32(steps.length);
  w.u32(before);
  for (const s of steps) {
    w.u32(s.actor);
    w.u32(s.choice);
  }
  if (ahead !== undefined) {
    w.u32(ahead.maxSteps);
    w.u32(ahead.branchStop);
    w.u32(ahead.asleep.length);
    w.u32(known.length);
    for (const a of ahead.asleep) w.u32(a);
    for (const k of known) {
      w.u32(k.actor);
      w.u32(k.choice);
    }
  }
  return w.finish();
}
