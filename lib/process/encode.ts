/**
 * Writing the frames the checker sends (protocol.ts defines them): WELCOME, RUN with its
 * continuation rule, MAP, FDS, FORK, FINISH. Each frame is a fresh buffer, sized exactly.
 */

import type { Step } from "../model/transition.ts";
import {
  type AheadRule,
  type FdChange,
  HEADER_SIZE,
  MAGIC,
  type MapOp,
  MAX_FRAME,
  MessageType,
  PROTOCOL_VERSION,
} from "./protocol.ts";

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
