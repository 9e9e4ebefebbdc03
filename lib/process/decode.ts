/**
 * Reading the frames the runtime sends (protocol.ts defines them): a whole frame checked
 * against its header and turned into a Message, every field checked. A STATE's records can be
 * read through a RecordCache, which gives back the Transition of an actor's last record when
 * its bytes are the same (issue 10: most of a STATE repeats the one before).
 */

import {
  isKind,
  type Transition,
  type WaitanyComm,
  type WindowEvent,
} from "../model/transition.ts";
import {
  CRASH_OVERFLOW,
  EXTRA_READY_BIT,
  FLAG_ENABLED,
  FLAG_FAILS,
  FLAG_READY,
  FLAG_SPIN,
  type Header,
  HEADER_SIZE,
  MAGIC,
  type Message,
  MessageType,
  PROP_KINDS,
  PROTOCOL_VERSION,
  ProtocolError,
  type StackInfo,
  STATE_MAPS_CHANGED,
  STATE_NONDET_RANGE,
  STATE_RAN_ON,
  STATE_WINDOW,
  VersionMismatch,
  WINDOW_CREATE,
  WINDOW_READ,
  WINDOW_WRITE,
} from "./protocol.ts";

const utf8 = new TextDecoder();

/** The high half of Number.MAX_SAFE_INTEGER (2^53 - 1): any low half fits under it. */
const maxSafeHigh = 2 ** 21 - 1;

/** The extras of a record without any (most), shared: a Transition's extras are read-only. */
const noExtras: readonly WaitanyComm[] = Object.freeze([]);

/** How many small values (0..n-1 and -1..-n) have a shared BigInt. */
const smallCount = 256;
const smallBigInts: readonly bigint[] = Array.from({ length: smallCount }, (_, i) => BigInt(i));
/** negativeBigInts[i] is -1 - i. */
const negativeBigInts: readonly bigint[] = Array.from(
  { length: smallCount },
  (_, i) => BigInt(-1 - i),
);

/** Reads a frame's body: `view` is the whole frame, the body [HEADER_SIZE, its length). */
class Reader {
  pos = HEADER_SIZE;
  constructor(readonly view: DataView) {}

  need(n: number): void {
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
  /** Small values (most: loaded and stored values, counts) are shared BigInts, not new ones. */
  i64(): bigint {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    const v = hi === 0 && lo < smallCount
      ? smallBigInts[lo]
      : hi === -1 && lo >= 2 ** 32 - smallCount
      ? negativeBigInts[2 ** 32 - 1 - lo]
      : this.view.getBigInt64(this.pos, true);
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

export function readHeader(frame: Uint8Array): Header {
  if (frame.length < HEADER_SIZE) throw new ProtocolError("frame shorter than its header");
  const view = new DataView(frame.buffer, frame.byteOffset, HEADER_SIZE);
  return {
    length: view.getUint32(0, true),
    type: view.getUint16(4, true),
    version: view.getUint16(6, true),
  };
}

/**
 * Decodes one whole frame sent by the runtime. With `records`, a STATE's records that repeat
 * an actor's last one byte for byte are the Transition decoded then (the same object).
 */
export function decode(frame: Uint8Array, records?: RecordCache): Message {
  if (frame.length < HEADER_SIZE) throw new ProtocolError("frame shorter than its header");
  // One view of the whole frame for the header and the body (no Header object per frame).
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const version = view.getUint16(6, true);
  if (version !== PROTOCOL_VERSION) {
    throw new VersionMismatch(
      `the program's runtime speaks protocol version ${version}, this checker speaks ${PROTOCOL_VERSION}: rebuild the program with \`isomc cc\``,
    );
  }
  if (view.getUint32(0, true) !== frame.length) {
    throw new ProtocolError("frame length does not match");
  }
  const r = new Reader(view);
  const message = decodeBody(view.getUint16(4, true), r, records);
  r.end();
  return message;
}

function decodeBody(type: number, r: Reader, records: RecordCache | undefined): Message {
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
      for (let i = 0; i < n; i++) {
        transitions.push(records === undefined ? decodeRecord(r) : records.read(r));
      }
      const window = (flags & STATE_WINDOW) !== 0 ? decodeWindow(r) : null;
      const point = window === null ? { steps, transitions } : { steps, transitions, window };
      const mapsChanged = (flags & STATE_MAPS_CHANGED) !== 0;
      const ranOn = (flags & STATE_RAN_ON) !== 0;
      // nondetRange present only when set, as the other optional fields of a message (literals,
      // not a spread: no object per STATE for it).
      return (flags & STATE_NONDET_RANGE) !== 0
        ? { type: "state", point, mapsChanged, nondetRange: true, ranOn }
        : { type: "state", point, mapsChanged, ranOn };
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

/** A transition record's size without its extras (docs/protocol.md, STATE). */
const RECORD_SIZE = 48;
const RECORD_WORDS = RECORD_SIZE / 4;
/** Actors with a cached record: ids below this (an actor's slot is its id). */
const cachedActors = 4096;

/**
 * The last record of each actor read through it, with the Transition it decoded to. Between
 * two STATEs only the actors that moved have a new pending transition; the others' records
 * repeat byte for byte, and decoding is a function of the bytes, so the Transition made then
 * is the answer (Transitions are read-only). Comparing 12 words costs no allocation; decoding
 * costs an object and two BigInts per actor per STATE (issue 10). Records with extras (a
 * waitany's communications) are decoded every time. One per program run (its frames only).
 */
export class RecordCache {
  private words = new Uint32Array(16 * RECORD_WORDS);
  private readonly transitions: (Transition | undefined)[] = [];

  /** The next record of `r`, decoded or the same Transition as the actor's last identical one. */
  read(r: Reader): Transition {
    r.need(RECORD_SIZE);
    const view = r.view;
    const at = r.pos;
    const actor = view.getUint32(at, true);
    if (actor >= cachedActors || view.getUint16(at + 6, true) !== 0) return decodeRecord(r);
    const base = actor * RECORD_WORDS;
    const known = this.transitions[actor];
    if (known !== undefined) {
      let same = true;
      for (let w = 0; w < RECORD_WORDS; w++) {
        if (this.words[base + w] !== view.getUint32(at + 4 * w, true)) {
          same = false;
          break;
        }
      }
      if (same) {
        r.pos = at + RECORD_SIZE;
        return known;
      }
    }
    const t = decodeRecord(r);
    if (base + RECORD_WORDS > this.words.length) {
      const grown = new Uint32Array(Math.max(2 * this.words.length, base + RECORD_WORDS));
      grown.set(this.words);
      this.words = grown;
    }
    for (let w = 0; w < RECORD_WORDS; w++) this.words[base + w] = view.getUint32(at + 4 * w, true);
    this.transitions[actor] = t;
    return t;
  }
}
