/**
 * The control channel's protocol, tested across the boundary: frames encoded by the Zig side
 * (native/src/protocol.zig, through the isomc-protocol-vectors fixture) are decoded by
 * lib/process/protocol.ts and the other way round; malformed frames are refused on both sides;
 * a real runtime is driven by hand over the channel, statelessly and statefully (STACKS, the
 * forked copy that runs the rest of main and TAIL, MAP, FORK, FDS); and the checker meets a
 * fake runtime that sends what a correct one never would.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { agentLibrary, nativeProtocolVersion } from "../lib/native/library.ts";
import {
  closeFd,
  killProcess,
  pidfdOpen,
  releaseProcess,
  socketPair,
  spawn,
  waitProcess,
} from "../lib/native/process.ts";
import { NativeChannel } from "../lib/native/channel.ts";
import { decode, readHeader } from "../lib/process/decode.ts";
import {
  encodeFds,
  encodeFinish,
  encodeFork,
  encodeMap,
  encodeRun,
  encodeWelcome,
} from "../lib/process/encode.ts";
import {
  type AheadRule,
  ENV_FD,
  ErrorCode,
  type FdChange,
  HEADER_SIZE,
  MAGIC,
  type MapOp,
  MAX_FRAME,
  type Message,
  MessageType,
  PROTOCOL_VERSION,
  ProtocolError,
  type StackInfo,
  VersionMismatch,
  WELCOME_STACKS,
  WELCOME_STATEFUL,
} from "../lib/process/protocol.ts";
import {
  accessOf,
  Kind,
  type Step,
  type Transition,
  type WindowEvent,
} from "../lib/model/transition.ts";
import { buildProgram } from "./support/build.ts";
import { transition } from "./support/transitions.ts";
import {
  becomeSubreaper,
  eventually,
  liveProcessesOf,
  reap,
  runCli,
  strayChildren,
} from "./support/cli.ts";

const vectorsTool = fileURLToPath(
  new URL("../native/zig-out/bin/isomc-protocol-vectors", import.meta.url),
);
const programs = fileURLToPath(new URL("./programs/protocol/", import.meta.url));

// ---- Helpers -----------------------------------------------------------------------------

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  assert.equal(hex.length % 2, 0);
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

/** A copy of `frame` with its header rewritten (any field left undefined is kept). */
function withHeader(
  frame: Uint8Array,
  h: { length?: number; type?: number; version?: number },
): Uint8Array {
  const copy = frame.slice();
  const view = new DataView(copy.buffer);
  if (h.length !== undefined) view.setUint32(0, h.length, true);
  if (h.type !== undefined) view.setUint16(4, h.type, true);
  if (h.version !== undefined) view.setUint16(6, h.version, true);
  return copy;
}

/** `frame` cut or extended to `length` bytes, with the header's length field saying so. */
function resized(frame: Uint8Array, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(frame.subarray(0, Math.min(length, frame.length)));
  return withHeader(copy, { length });
}

function decodeError(frame: Uint8Array): ProtocolError {
  try {
    decode(frame);
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${e}`);
    return e;
  }
  assert.fail("the frame was accepted");
}

async function runTool(mode: "encode" | "decode", input = ""): Promise<string[]> {
  const child = new Deno.Command(vectorsTool, {
    args: [mode],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

// ---- Zig encodes, TypeScript decodes ------------------------------------------------------

interface Vector {
  readonly name: string;
  readonly hex: string;
  readonly fields: Record<string, unknown>;
}

async function zigVectors(): Promise<Map<string, Vector>> {
  const vectors = (await runTool("encode")).map((l) => JSON.parse(l) as Vector);
  return new Map(vectors.map((v) => [v.name, v]));
}

interface StateRecordJson {
  actor: number;
  kind: number;
  enabled: boolean;
  ready: boolean;
  choices: number;
  object: number;
  arg0: string;
  arg1: string;
  site?: number;
  spin?: boolean;
  fails?: boolean;
  extras: [number, boolean][];
}

type WindowJson =
  | { kind: "access"; actor: number; address: number; size: number; write: boolean; site?: number }
  | { kind: "create"; actor: number; created: number };

function windowEvent(e: WindowJson): WindowEvent {
  if (e.kind === "create") return e;
  const access = { address: e.address, size: e.size, write: e.write, atomic: false };
  return e.site === undefined
    ? { kind: "access", actor: e.actor, access }
    : { kind: "access", actor: e.actor, access, site: e.site };
}

/** The message the fixture's field list describes, in the checker's own terms. */
function expectedMessage(v: Vector): Message {
  const f = v.fields;
  switch (v.name) {
    case "hello":
      return {
        type: "hello",
        pid: f.pid as number,
        uffd: f.uffd as number,
        ignored: f.ignored as [number, number][],
      };
    case "actor":
      return {
        type: "actor",
        id: f.id as number,
        parent: f.parent as number,
        name: f.name as string,
      };
    case "object":
      return { type: "object", id: f.id as number, kind: f.kind as number, name: f.name as string };
    case "state":
    case "window":
      return {
        type: "state",
        point: {
          steps: f.steps as number,
          ...(f.window === undefined
            ? {}
            : { window: (f.window as WindowJson[]).map(windowEvent) }),
          transitions: (f.actors as StateRecordJson[]).map((a): Transition => ({
            actor: a.actor,
            kind: a.kind as Transition["kind"],
            enabled: a.enabled,
            ready: a.ready,
            ...(a.spin === true ? { spin: true } : {}),
            ...(a.fails === true ? { fails: true } : {}),
            choices: a.choices,
            object: a.object,
            arg0: BigInt(a.arg0),
            arg1: BigInt(a.arg1),
            ...(a.site === undefined ? {} : { site: a.site }),
            extras: a.extras.map(([id, ready]) => ({ id, ready })),
          })),
        },
        mapsChanged: f.mapsChanged as boolean,
        ...(f.nondetRange === true ? { nondetRange: true } : {}),
        ranOn: f.ranOn as boolean,
      };
    case "violation":
      return {
        type: "violation",
        kind: f.kind as number,
        actor: f.actor as number,
        steps: f.steps as number,
        message: f.message as string,
      };
    case "done":
      return { type: "done", steps: f.steps as number, actors: f.actors as number };
    case "error":
      return {
        type: "error",
        code: f.code as number,
        steps: f.steps as number,
        message: f.message as string,
      };
    case "stacks":
      return { type: "stacks", stacks: f.stacks as StackInfo[] };
    case "tail":
      return { type: "tail", signaled: f.signaled as boolean, value: f.value as number };
    case "crash":
      return {
        type: "crash",
        signal: f.signal as number,
        actor: f.actor as number,
        steps: f.steps as number,
        overflow: f.overflow as boolean,
        stackSize: f.stackSize as number,
      };
    case "mapped":
      return { type: "mapped", errno: f.errno as number };
    case "exiting":
      return { type: "exiting", status: f.status as number, actor: f.actor as number };
    case "forked":
      return { type: "forked", pid: f.pid as number };
    case "fdset":
      return { type: "fdset", errno: f.errno as number, failed: f.failed as number };
    case "prop":
    case "progress":
      return {
        type: "prop",
        kind: f.kind as "proposition" | "progress",
        address: f.address as number,
        name: f.name as string,
      };
  }
  throw new Error(`unknown vector ${v.name}`);
}

/**
 * Every runtime->checker message of protocol version 16, in the fixture's order (STATE twice:
 * without and with a window; PROP twice: a proposition and the progress flag).
 */
const runtimeMessages = [
  "hello",
  "actor",
  "object",
  "state",
  "window",
  "violation",
  "done",
  "error",
  "stacks",
  "tail",
  "crash",
  "mapped",
  "exiting",
  "forked",
  "fdset",
  "prop",
  "progress",
];

Deno.test("every frame the Zig side encodes decodes to the fields it was written with", async () => {
  const vectors = await zigVectors();
  assert.deepEqual([...vectors.keys()], runtimeMessages);
  // Every runtime->checker type number of protocol.ts has its vector, and no other.
  assert.deepEqual(
    [...new Set(runtimeMessages.map((name) => readHeader(fromHex(vectors.get(name)!.hex)).type))]
      .sort(),
    Object.values(MessageType).filter((t) => t < 0x80).sort(),
  );
  for (const v of vectors.values()) {
    const frame = fromHex(v.hex);
    assert.equal(readHeader(frame).length, frame.length, v.name);
    assert.equal(readHeader(frame).version, PROTOCOL_VERSION, v.name);
    assert.deepEqual(decode(frame), expectedMessage(v), v.name);
  }
});

Deno.test("the state vector carries what the checker depends on", async () => {
  // Spelled out, so that a fixture and a decoder that drift together still fail here.
  const state = decode(fromHex((await zigVectors()).get("state")!.hex));
  assert.equal(state.type, "state");
  if (state.type !== "state") return;
  const [yieldRec, random, waitany, store, spinning, trywait, failing, apiCas, assumed] =
    state.point.transitions;
  assert.equal(state.point.steps, 12);
  assert.equal(state.mapsChanged, true);
  // Version 8: a value was drawn from the nondet range (a wide __VERIFIER_nondet_*).
  assert.equal(state.nondetRange, true);
  assert.equal(state.point.transitions.length, 9);
  // Version 15: a compare-exchange whose comparison fails at the point (record flag 8): an
  // rmw with arg1 bit 15, the expected value in arg0; and the API's cas, that succeeds.
  assert.deepEqual([failing.kind, failing.fails, failing.arg0, failing.arg1], [
    Kind.rmw,
    true,
    5n,
    4n | 2n << 8n | 1n << 12n | 1n << 15n,
  ]);
  assert.equal(accessOf(failing)?.write, false);
  assert.deepEqual([apiCas.kind, apiCas.fails, apiCas.arg0, apiCas.arg1], [
    Kind.cas,
    undefined,
    1n,
    2n,
  ]);
  // Version 16: an actor blocked for ever by a failed assumption (1: assume_abort_if_not).
  assert.deepEqual([assumed.kind, assumed.enabled, assumed.arg0, assumed.site], [
    Kind.assume,
    false,
    1n,
    0x101_f0f8,
  ]);
  // Version 12: a sem_trywait, always enabled, the semaphore's value in arg0.
  assert.deepEqual([trywait.kind, trywait.enabled, trywait.object, trywait.arg0], [
    Kind.semTrywait,
    true,
    2 ** 51 + 0x5555_0000_3000,
    2n,
  ]);
  // Version 9: a memory access of a pthread program, its size in arg1, spinning.
  assert.deepEqual([spinning.kind, spinning.enabled, spinning.spin, spinning.arg0, spinning.arg1], [
    Kind.read,
    false,
    true,
    7n,
    4n | 1n << 13n,
  ]);
  // Version 10: the runtime runs on from this point by the RUN's continuation rule.
  assert.equal(state.ranOn, true);
  assert.equal(yieldRec.kind, Kind.yield);
  assert.deepEqual([random.kind, random.choices, random.arg0, random.arg1], [
    Kind.random,
    3,
    -1n,
    1n,
  ]);
  assert.deepEqual(waitany.extras, [{ id: 2 ** 32 + 1, ready: false }, {
    id: 2 ** 32 + 2,
    ready: true,
  }]);
  assert.deepEqual([store.enabled, store.object, store.arg0], [
    false,
    0x5555_0000_1000,
    -(2n ** 63n),
  ]);
  // Version 5: each record's call site, absent when the runtime wrote 0.
  assert.deepEqual(state.point.transitions.map((t) => t.site), [
    undefined,
    undefined,
    0x5555_5555_8a3f,
    0x101_f00d,
    0x101_f0f0,
    undefined,
    undefined,
    undefined,
    0x101_f0f8,
  ]);
});

Deno.test("a STATE's window: the plain accesses and creations after the step, in order", async () => {
  const m = decode(fromHex((await zigVectors()).get("window")!.hex));
  assert.ok(m.type === "state");
  assert.equal(m.point.transitions.length, 1);
  assert.deepEqual(m.point.window, [
    {
      kind: "access",
      actor: 1,
      access: { address: 0x5555_0000_5000, size: 4, write: true, atomic: false },
      site: 0x101_f200,
    },
    { kind: "create", actor: 1, created: 2 },
    // A range (memcpy), one event; its call site unknown.
    {
      kind: "access",
      actor: 1,
      access: { address: 0x5555_0000_5004, size: 2 ** 20, write: false, atomic: false },
    },
  ]);
  // Without the flag the section is trailing bytes; a STATE without a window has no field.
  const frame = fromHex((await zigVectors()).get("window")!.hex);
  const flagsAt = HEADER_SIZE + 8;
  const noFlag = frame.slice();
  new DataView(noFlag.buffer).setUint32(flagsAt, 0, true);
  assert.match(decodeError(noFlag).message, /trailing bytes/);
  const plain = decode(fromHex((await zigVectors()).get("state")!.hex));
  assert.ok(plain.type === "state" && !("window" in plain.point));
  // Refused: an empty window, an unknown kind, an access of 0 bytes, a creation of no actor.
  const windowAt = HEADER_SIZE + 16 + 48;
  const eventAt = windowAt + 8;
  const empty = frame.slice(0, windowAt + 8);
  new DataView(empty.buffer).setUint32(0, empty.length, true);
  new DataView(empty.buffer).setUint32(windowAt, 0, true);
  assert.match(decodeError(empty).message, /empty window/);
  const unknown = frame.slice();
  unknown[eventAt + 24] = 3;
  assert.match(decodeError(unknown).message, /unknown window event kind 3/);
  const zero = frame.slice();
  new DataView(zero.buffer).setUint32(eventAt + 20, 0, true);
  assert.match(decodeError(zero).message, /0 bytes/);
  const creation = eventAt + 32;
  const noActor = frame.slice();
  new DataView(noActor.buffer).setBigUint64(creation, 1n, true);
  assert.match(decodeError(noActor).message, /creation of actor 1 by 1/);
});

Deno.test("the vectors of protocol version 13 carry what the stateful checker depends on", async () => {
  const vectors = await zigVectors();
  const get = (name: string): Message => decode(fromHex(vectors.get(name)!.hex));
  const hello = get("hello");
  assert.ok(hello.type === "hello");
  assert.equal(hello.uffd, 7);
  assert.deepEqual(hello.ignored[1], [0x7f00_0000_0000, 0x7f00_0010_0000]);
  const stacks = get("stacks");
  assert.ok(stacks.type === "stacks");
  assert.deepEqual(stacks.stacks.map((s) => [s.actor, s.hi - s.lo, s.hi - s.sp]), [
    [1, 0x10_0000, 0x100],
    [2, 0x10_0000, 0], // a finished actor: its whole stack is dead
  ]);
  assert.deepEqual(get("tail"), { type: "tail", signaled: true, value: 11 });
  // Version 4: CRASH says whether the stack overflowed, and the stack's size.
  assert.deepEqual(get("crash"), {
    type: "crash",
    signal: 11,
    actor: 3,
    steps: 14,
    overflow: true,
    stackSize: 260 * 1024,
  });
  assert.deepEqual(get("mapped"), { type: "mapped", errno: 22 });
  assert.deepEqual(get("exiting"), { type: "exiting", status: 2, actor: 4 });
  assert.deepEqual(get("forked"), { type: "forked", pid: 31337 });
  assert.deepEqual(get("fdset"), { type: "fdset", errno: 9, failed: 2 });
  // Version 7: PROP, a proposition's name and address, or the progress flag's (no name).
  assert.deepEqual(get("prop"), {
    type: "prop",
    kind: "proposition",
    address: 0x5555_5555_8010,
    name: "in_cs",
  });
  assert.deepEqual(get("progress"), {
    type: "prop",
    kind: "progress",
    address: 0x7fff_0000_0004,
    name: "",
  });
  // Negative numbers where the protocol has signed fields.
  const exiting = fromHex(vectors.get("exiting")!.hex);
  new DataView(exiting.buffer).setInt32(HEADER_SIZE, -1, true);
  assert.deepEqual(decode(exiting), { type: "exiting", status: -1, actor: 4 });
  const noUffd = fromHex(vectors.get("hello")!.hex);
  new DataView(noUffd.buffer).setInt32(HEADER_SIZE + 12, -1, true);
  const decoded = decode(noUffd);
  assert.ok(decoded.type === "hello");
  assert.equal(decoded.uffd, -1);
  // STATE's flags: bit 0, the mappings changed; bit 1 (version 8), the nondet range was used;
  // bit 2 (version 10), the runtime runs on; bit 3 (version 14), a window follows (the window
  // vector's test); the others are not read.
  const state = fromHex(vectors.get("state")!.hex);
  for (
    const [flags, changed, range, ranOn] of [
      [0, false, false, false],
      [1, true, false, false],
      [2, false, true, false],
      [4, false, false, true],
      [16, false, false, false],
      [0xffff_fff7, true, true, true],
    ] as const
  ) {
    new DataView(state.buffer).setUint32(HEADER_SIZE + 8, flags, true);
    const m = decode(state);
    assert.ok(m.type === "state");
    assert.equal(m.mapsChanged, changed, `flags ${flags}`);
    assert.equal(m.nondetRange === true, range, `flags ${flags}`);
    assert.equal(m.ranOn, ranOn, `flags ${flags}`);
  }
});

Deno.test("Zig-encoded frames that are cut, padded, or of another version or type are refused", async () => {
  for (const v of (await zigVectors()).values()) {
    const frame = fromHex(v.hex);
    assert.match(decodeError(frame.subarray(0, frame.length - 1)).message, /length does not match/);
    assert.match(decodeError(resized(frame, frame.length - 1)).message, /ends too early/, v.name);
    assert.match(decodeError(resized(frame, frame.length + 1)).message, /trailing bytes/, v.name);
    const other = decodeError(withHeader(frame, { version: PROTOCOL_VERSION + 1 }));
    assert.ok(other instanceof VersionMismatch, v.name);
    assert.match(other.message, new RegExp(`version ${PROTOCOL_VERSION + 1}.*rebuild`));
    assert.match(
      decodeError(withHeader(frame, { type: 0x55 })).message,
      /unknown message type 0x55/,
    );
    // The checker never accepts its own commands back.
    assert.match(decodeError(withHeader(frame, { type: MessageType.run })).message, /type 0x82/);
  }
  assert.match(decodeError(new Uint8Array(5)).message, /shorter than its header/);
});

Deno.test("field values the protocol forbids are refused", async () => {
  const vectors = await zigVectors();
  const state = fromHex(vectors.get("state")!.hex);
  // The first record starts after the header, steps, count, flags and a reserved u32; its kind
  // is its 5th byte.
  const kindAt = HEADER_SIZE + 16 + 4;
  for (const kind of [0, 29, 99, 255]) {
    const bad = state.slice();
    bad[kindAt] = kind;
    assert.match(decodeError(bad).message, new RegExp(`unknown transition kind ${kind}$`));
  }
  const noChoice = state.slice();
  new DataView(noChoice.buffer).setUint32(kindAt + 4, 0, true);
  assert.match(decodeError(noChoice).message, /0 choices/);
  // A call site is an address: below 2^53 like the others.
  const hugeSite = state.slice();
  new DataView(hugeSite.buffer).setBigUint64(HEADER_SIZE + 16 + 40, 2n ** 53n, true);
  assert.match(decodeError(hugeSite).message, /out of range/);

  const hello = fromHex(vectors.get("hello")!.hex);
  const badMagic = hello.slice();
  badMagic[HEADER_SIZE] ^= 0xff;
  assert.match(decodeError(badMagic).message, /magic/);

  const object = fromHex(vectors.get("object")!.hex);
  const hugeId = object.slice();
  new DataView(hugeId.buffer).setBigUint64(HEADER_SIZE, 2n ** 53n, true);
  assert.match(decodeError(hugeId).message, /out of range/);

  const actor = fromHex(vectors.get("actor")!.hex);
  const longName = actor.slice();
  new DataView(longName.buffer).setUint32(HEADER_SIZE + 8, 0xffff_ffff, true);
  assert.match(decodeError(longName).message, /ends too early/);

  const hugeRange = hello.slice();
  new DataView(hugeRange.buffer).setBigUint64(HEADER_SIZE + 16 + 8, 2n ** 53n, true);
  assert.match(decodeError(hugeRange).message, /out of range/);
  const moreRanges = hello.slice();
  new DataView(moreRanges.buffer).setUint32(HEADER_SIZE + 8, 3, true);
  assert.match(decodeError(moreRanges).message, /ends too early/);

  // STACKS: the first stack's lo, hi and sp follow the count, a reserved u32, actor, reserved.
  const stacks = fromHex(vectors.get("stacks")!.hex);
  const loAt = HEADER_SIZE + 8 + 8;
  const stackWith = (lo: bigint, hi: bigint, sp: bigint): Uint8Array => {
    const bad = stacks.slice();
    const view = new DataView(bad.buffer);
    view.setBigUint64(loAt, lo, true);
    view.setBigUint64(loAt + 8, hi, true);
    view.setBigUint64(loAt + 16, sp, true);
    return bad;
  };
  const [lo, hi] = [0x7000_0000_0000n, 0x7000_0010_0000n];
  assert.equal(decode(stackWith(lo, hi, lo)).type, "stacks"); // sp = lo: a full stack
  assert.equal(decode(stackWith(lo, lo, lo)).type, "stacks"); // an empty stack
  for (const [l, h, sp] of [[lo, hi, lo - 8n], [lo, hi, hi + 8n], [hi, lo, lo], [hi, lo, hi]]) {
    assert.match(decodeError(stackWith(l, h, sp)).message, /stack of actor 1 is inverted$/);
  }
  assert.match(decodeError(stackWith(lo, 2n ** 53n, lo)).message, /out of range/);
  const moreStacks = stacks.slice();
  new DataView(moreStacks.buffer).setUint32(HEADER_SIZE, 3, true);
  assert.match(decodeError(moreStacks).message, /ends too early/);
  // CRASH: flags at 12 (bit 0: overflow), the stack's size at 16; a size without the flag is
  // refused, other flag bits are not read.
  const crash = fromHex(vectors.get("crash")!.hex);
  const crashWith = (flags: number, size: bigint): Uint8Array => {
    const bad = crash.slice();
    const view = new DataView(bad.buffer);
    view.setUint32(HEADER_SIZE + 12, flags, true);
    view.setBigUint64(HEADER_SIZE + 16, size, true);
    return bad;
  };
  assert.match(decodeError(crashWith(0, 4096n)).message, /stack size and no overflow/);
  assert.match(decodeError(crashWith(1, 2n ** 53n)).message, /out of range/);
  const plain = decode(crashWith(0xffff_fffe, 0n));
  assert.ok(plain.type === "crash" && !plain.overflow && plain.stackSize === 0);
  // PROP: address, then kind (1 proposition, 2 progress), two reserved fields, the name. A
  // proposition has a name, the progress flag none; an address is a multiple of 4 below 2^53.
  const prop = fromHex(vectors.get("prop")!.hex);
  const propWith = (address: bigint, kind: number): Uint8Array => {
    const bad = prop.slice();
    const view = new DataView(bad.buffer);
    view.setBigUint64(HEADER_SIZE, address, true);
    view.setUint8(HEADER_SIZE + 8, kind);
    return bad;
  };
  assert.match(decodeError(propWith(0x1000n, 3)).message, /unknown proposition kind 3/);
  assert.match(decodeError(propWith(0x1000n, 0)).message, /unknown proposition kind 0/);
  assert.match(decodeError(propWith(0x1000n, 2)).message, /progress PROP with a name/);
  assert.match(decodeError(propWith(0x1002n, 1)).message, /unaligned address/);
  assert.match(decodeError(propWith(2n ** 53n, 1)).message, /out of range/);
  const progress = fromHex(vectors.get("progress")!.hex);
  const unnamed = progress.slice();
  unnamed[HEADER_SIZE + 8] = 1;
  assert.match(decodeError(unnamed).message, /proposition PROP without a name/);
});

// ---- TypeScript encodes, Zig decodes ------------------------------------------------------

function runJson(steps: readonly Step[], before: number, ahead?: AheadRule): string {
  return JSON.stringify({
    type: "run",
    before,
    steps: steps.map((s) => [s.actor, s.choice]),
    ...(ahead === undefined ? {} : {
      ahead: [
        ahead.maxSteps,
        ahead.branchStop,
        ahead.asleep,
        (ahead.known ?? []).map((s) => [s.actor, s.choice]),
      ],
    }),
  });
}

const aheadRules: readonly AheadRule[] = [
  { maxSteps: 1, branchStop: 0, asleep: [] },
  { maxSteps: 4096, branchStop: 17, asleep: [2, 5, 9] },
  { maxSteps: 0xffff_ffff, branchStop: 0xffff_ffff, asleep: [0xffff_ffff] },
  // Version 13: known steps before the rule, as many as its bound.
  {
    maxSteps: 3,
    branchStop: 4,
    asleep: [1],
    known: [{ actor: 2, choice: 0 }, { actor: 7, choice: 5 }, {
      actor: 0xffff_ffff,
      choice: 0xffff_ffff,
    }],
  },
];

function mapJson(ops: readonly MapOp[]): string {
  return JSON.stringify({ type: "map", ops: ops.map((o) => [o.map ? 1 : 0, o.start, o.end]) });
}

/** What the fixture prints for an FDS: each change as [op, fd, flags, pos, path]. */
function fdsJson(changes: readonly FdChange[]): string {
  return JSON.stringify({
    type: "fds",
    changes: changes.map((c) =>
      c.op === "open"
        ? [c.op, c.fd, c.flags, c.pos, c.path]
        : [c.op, c.fd, 0, c.op === "seek" ? c.pos : 0, ""]
    ),
  });
}

const stepLists: readonly (readonly Step[])[] = [
  [{ actor: 1, choice: 0 }],
  [{ actor: 1, choice: 0 }, { actor: 3, choice: 2 }],
  [{ actor: 0xffff_ffff, choice: 0xffff_ffff }, { actor: 0, choice: 0 }],
  Array.from({ length: 1000 }, (_, i) => ({ actor: 1 + (i % 7), choice: (i * 7919) % 1013 })),
];
const befores = [0, 1, 12_345, 0xffff_ffff];
const welcomeFlags = [0, WELCOME_STATEFUL, WELCOME_STATEFUL | WELCOME_STACKS, 0xffff_ffff];

const mapLists: readonly (readonly MapOp[])[] = [
  [],
  [{ map: true, start: 0x1000, end: 0x2000 }],
  [
    { map: false, start: 0x7f12_3456_7000, end: 0x7f12_3466_7000 },
    { map: true, start: 0x5555_5555_4000, end: 0x5555_5555_5000 },
    { map: false, start: 0, end: 2 ** 52 }, // from address 0 to far above user space
  ],
];

const fdLists: readonly (readonly FdChange[])[] = [
  [],
  [{ op: "close", fd: 3 }],
  [
    { op: "open", fd: 5, path: "/tmp/isomc data.txt", flags: 0o2002, pos: 12 },
    { op: "seek", fd: 6, pos: 2 ** 40 + 1 },
    { op: "close", fd: 0x7fff_ffff },
    { op: "open", fd: 7, path: 'é∀😀 "quoted"\n\\', flags: 0, pos: 0 },
  ],
];

Deno.test("WELCOME, RUN, MAP, FORK, FDS and FINISH encoded in TypeScript read back the same in Zig", async () => {
  const runs: { steps: readonly Step[]; before: number; ahead?: AheadRule }[] = [
    ...stepLists.flatMap((steps) => befores.map((before) => ({ steps, before }))),
    ...aheadRules.map((ahead, i) => ({ steps: stepLists[i], before: befores[i], ahead })),
  ];
  const frames = [
    ...welcomeFlags.map(encodeWelcome),
    ...runs.map(({ steps, before, ahead }) => encodeRun(steps, before, ahead)),
    ...mapLists.map(encodeMap),
    encodeFork(),
    ...fdLists.map(encodeFds),
    encodeFinish(),
  ];
  const out = await runTool("decode", frames.map(toHex).join("\n") + "\n");
  assert.deepEqual(out, [
    ...welcomeFlags.map((flags) => JSON.stringify({ type: "welcome", flags })),
    ...runs.map(({ steps, before, ahead }) => runJson(steps, before, ahead)),
    ...mapLists.map(mapJson),
    JSON.stringify({ type: "fork" }),
    ...fdLists.map(fdsJson),
    JSON.stringify({ type: "finish" }),
  ]);
});

Deno.test("malformed checker frames are refused by the Zig decoder", async () => {
  const run = encodeRun([{ actor: 1, choice: 0 }, { actor: 2, choice: 1 }]);
  const welcome = encodeWelcome();
  const zeroSteps = new Uint8Array(HEADER_SIZE + 8);
  zeroSteps.set(run.subarray(0, HEADER_SIZE));
  const badMagic = welcome.slice();
  badMagic[HEADER_SIZE] ^= 1;
  const moreStepsThanSent = run.slice();
  new DataView(moreStepsThanSent.buffer).setUint32(HEADER_SIZE, 3, true);
  const hello = fromHex((await zigVectors()).get("hello")!.hex);
  const map = encodeMap([{ map: true, start: 0x1000, end: 0x3000 }]);
  const unknownMapOp = map.slice();
  new DataView(unknownMapOp.buffer).setUint32(HEADER_SIZE + 8, 2, true);
  const moreOpsThanSent = map.slice();
  new DataView(moreOpsThanSent.buffer).setUint32(HEADER_SIZE, 2, true);
  const fork = encodeFork();
  const fds = encodeFds([{ op: "seek", fd: 3, pos: 0 }, { op: "close", fd: 4 }]);
  const unknownFdOp = fds.slice();
  new DataView(unknownFdOp.buffer).setUint32(HEADER_SIZE + 8 + 28, 3, true); // the 2nd change
  const moreChangesThanSent = fds.slice();
  new DataView(moreChangesThanSent.buffer).setUint32(HEADER_SIZE, 3, true);
  const pathPastTheEnd = encodeFds([{ op: "open", fd: 3, path: "/x", flags: 0, pos: 0 }]);
  new DataView(pathPastTheEnd.buffer).setUint32(HEADER_SIZE + 8 + 24, 3, true);
  const badMap = (op: MapOp): string => toHex(encodeMap([op]));
  const cases: [string, string][] = [
    [toHex(run.subarray(0, run.length - 1)), "Malformed"], // truncated, header not adjusted
    [toHex(resized(run, run.length - 4)), "Malformed"], // truncated inside the last step
    [toHex(resized(run, run.length + 8)), "Malformed"], // trailing bytes
    [toHex(resized(welcome, welcome.length + 1)), "Malformed"],
    [toHex(withHeader(zeroSteps, { length: zeroSteps.length })), "Malformed"], // zero-step RUN
    [toHex(moreStepsThanSent), "Malformed"],
    [toHex(badMagic), "Malformed"],
    [toHex(withHeader(run, { version: PROTOCOL_VERSION + 1 })), "VersionMismatch"],
    [toHex(withHeader(welcome, { version: 0 })), "VersionMismatch"],
    [toHex(withHeader(run, { length: MAX_FRAME + 1 })), "TooLarge"],
    [toHex(withHeader(run, { length: 4 })), "Malformed"], // shorter than a header
    [toHex(run.subarray(0, 5)), "Malformed"],
    [toHex(withHeader(run, { type: 0x90 })), "unexpected type 144"], // unknown type
    [toHex(hello), "unexpected type 1"], // a runtime frame sent to the runtime
    ["0x", "hex"],
    // MAP: page-aligned, non-empty ranges and a known operation only.
    [badMap({ map: true, start: 0x1001, end: 0x3000 }), "Malformed"], // unaligned start
    [badMap({ map: false, start: 0x1000, end: 0x2fff }), "Malformed"], // unaligned end
    [badMap({ map: true, start: 0x3000, end: 0x1000 }), "Malformed"], // inverted
    [badMap({ map: false, start: 0x3000, end: 0x3000 }), "Malformed"], // empty
    [toHex(unknownMapOp), "Malformed"],
    [toHex(moreOpsThanSent), "Malformed"],
    [toHex(resized(map, map.length - 8)), "Malformed"], // cut inside the op
    [toHex(resized(map, map.length + 24)), "Malformed"], // an op more than counted
    // FORK: exactly two reserved u32.
    [toHex(resized(fork, fork.length - 4)), "Malformed"],
    [toHex(resized(fork, fork.length + 4)), "Malformed"],
    // FINISH: the same.
    [toHex(resized(encodeFinish(), HEADER_SIZE + 4)), "Malformed"],
    [toHex(resized(encodeFinish(), HEADER_SIZE + 12)), "Malformed"],
    // FDS: known operations, descriptors ≥ 0, a path for open, nothing after the last change.
    [toHex(unknownFdOp), "Malformed"],
    [toHex(encodeFds([{ op: "close", fd: -1 }])), "Malformed"],
    [toHex(encodeFds([{ op: "open", fd: 3, path: "", flags: 0, pos: 0 }])), "Malformed"],
    [toHex(moreChangesThanSent), "Malformed"],
    [toHex(pathPastTheEnd), "Malformed"],
    [toHex(resized(fds, fds.length + 1)), "Malformed"],
    [toHex(resized(fds, HEADER_SIZE + 4)), "Malformed"], // no room for the reserved u32
  ];
  const out = await runTool("decode", cases.map(([hex]) => hex).join("\n") + "\n");
  assert.deepEqual(out, cases.map(([, error]) => JSON.stringify({ error })));
});

// ---- protocol.ts on its own ---------------------------------------------------------------

Deno.test("WELCOME, RUN, MAP, FORK, FDS and FINISH have the documented bytes", () => {
  assert.equal(PROTOCOL_VERSION, 16);
  const ver = "1000"; // the version, little-endian u16
  assert.equal(toHex(encodeWelcome()), "10000000" + "8100" + ver + "49534d43" + "00000000");
  assert.equal(
    toHex(encodeWelcome(WELCOME_STATEFUL | WELCOME_STACKS)),
    "10000000" + "8100" + ver + "49534d43" + "03000000",
  );
  assert.equal(
    toHex(encodeRun([{ actor: 2, choice: 0 }, { actor: 1, choice: 258 }], 5)),
    "20000000" + "8200" + ver + "02000000" + "05000000" + "02000000" + "00000000" +
      "01000000" + "02010000",
  );
  assert.equal(
    toHex(
      encodeRun([{ actor: 2, choice: 0 }], 3, { maxSteps: 64, branchStop: 11, asleep: [1, 4] }),
    ),
    "30000000" + "8200" + ver + "01000000" + "03000000" + "02000000" + "00000000" +
      "40000000" + "0b000000" + "02000000" + "00000000" + "01000000" + "04000000",
    "version 10 (first in 8 on its branch): the continuation rule after the steps",
  );
  assert.equal(
    toHex(
      encodeRun([{ actor: 2, choice: 0 }], 3, {
        maxSteps: 2,
        branchStop: 11,
        asleep: [4],
        known: [{ actor: 3, choice: 0 }, { actor: 1, choice: 2 }],
      }),
    ),
    "3c000000" + "8200" + ver + "01000000" + "03000000" + "02000000" + "00000000" +
      "02000000" + "0b000000" + "01000000" + "02000000" + "04000000" +
      "03000000" + "00000000" + "01000000" + "02000000",
    "version 13: the rule's known steps, counted in its fourth word, after the asleep actors",
  );
  assert.throws(
    () =>
      encodeRun([{ actor: 2, choice: 0 }], 3, {
        maxSteps: 1,
        branchStop: 0,
        asleep: [],
        known: [{ actor: 3, choice: 0 }, { actor: 1, choice: 0 }],
      }),
    RangeError,
  );
  assert.equal(
    toHex(encodeRun([{ actor: 2, choice: 0 }])).slice(16 + 8, 16 + 16),
    "00000000",
    "before defaults to 0",
  );
  assert.equal(
    toHex(encodeMap([{ map: false, start: 0x1000, end: 0x3000 }])),
    "28000000" + "8300" + ver + "01000000" + "00000000" + "00000000" + "00000000" +
      "0010000000000000" + "0030000000000000",
  );
  assert.equal(toHex(encodeFork()), "10000000" + "8400" + ver + "00000000" + "00000000");
  assert.equal(toHex(encodeFinish()), "10000000" + "8600" + ver + "00000000" + "00000000");
  assert.equal(
    toHex(encodeFds([
      { op: "open", fd: 3, path: "/a", flags: 2, pos: 5 },
      { op: "close", fd: 4 },
      { op: "seek", fd: 5, pos: 256 },
    ])),
    "66000000" + "8500" + ver + "03000000" + "00000000" +
      ("01000000" + "03000000" + "02000000" + "00000000" + "0500000000000000" + "02000000" +
        "2f61") +
      ("00000000" + "04000000" + "00000000" + "00000000" + "0000000000000000" + "00000000") +
      ("02000000" + "05000000" + "00000000" + "00000000" + "0001000000000000" + "00000000"),
  );
  assert.equal(String.fromCharCode(...fromHex("49534d43")), "ISMC");
  assert.equal(MAGIC, 0x434d5349);
});

Deno.test("RUN frames: header fields, step limits", () => {
  for (const steps of stepLists) {
    const frame = encodeRun(steps);
    assert.deepEqual(readHeader(frame), {
      length: HEADER_SIZE + 8 + 8 * steps.length,
      type: MessageType.run,
      version: PROTOCOL_VERSION,
    });
    assert.equal(frame.length, readHeader(frame).length);
  }
  assert.throws(() => encodeRun([]), RangeError);
  const most = (MAX_FRAME - HEADER_SIZE - 8) / 8;
  assert.equal(encodeRun(Array(most).fill({ actor: 1, choice: 0 })).length, MAX_FRAME);
  assert.throws(() => encodeRun(Array(most + 1).fill({ actor: 1, choice: 0 })), RangeError);
});

Deno.test("the checker library and protocol.ts speak the same protocol version", () => {
  assert.equal(nativeProtocolVersion(), PROTOCOL_VERSION);
});

/** Test-side encoder of the runtime's messages, written from docs/protocol.md's tables. */
class FrameBuilder {
  private bytes: number[] = [];
  constructor(private readonly type: number) {}
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: bigint): this {
    const b = BigInt.asUintN(64, v);
    return this.u32(Number(b & 0xffff_ffffn)).u32(Number(b >> 32n));
  }
  string(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    this.u32(utf8.length);
    utf8.forEach((b) => this.u8(b));
    return this;
  }
  frame(): Uint8Array {
    const body = Uint8Array.from(this.bytes);
    const out = new Uint8Array(HEADER_SIZE + body.length);
    out.set(body, HEADER_SIZE);
    return withHeader(out, {
      length: out.length,
      type: this.type,
      version: PROTOCOL_VERSION,
    });
  }
}

function encodeMessage(m: Message): Uint8Array {
  switch (m.type) {
    case "hello": {
      const b = new FrameBuilder(MessageType.hello).u32(MAGIC).u32(m.pid).u32(m.ignored.length)
        .u32(m.uffd);
      for (const [s, e] of m.ignored) b.u64(BigInt(s)).u64(BigInt(e));
      return b.frame();
    }
    case "actor":
      return new FrameBuilder(MessageType.actor).u32(m.id).u32(m.parent).string(m.name).frame();
    case "object":
      return new FrameBuilder(MessageType.object).u64(BigInt(m.id)).u8(m.kind).u8(0).u16(0)
        .string(m.name).frame();
    case "state": {
      const window = m.point.window;
      const b = new FrameBuilder(MessageType.state).u32(m.point.steps)
        .u32(m.point.transitions.length).u32(
          (m.mapsChanged ? 1 : 0) | (m.nondetRange === true ? 2 : 0) | (m.ranOn ? 4 : 0) |
            (window === undefined ? 0 : 8),
        ).u32(0);
      for (const t of m.point.transitions) {
        b.u32(t.actor).u8(t.kind).u8(
          (t.enabled ? 1 : 0) | (t.ready ? 2 : 0) | (t.spin === true ? 4 : 0) |
            (t.fails === true ? 8 : 0),
        ).u16(t.extras.length)
          .u32(t.choices).u32(0).u64(BigInt(t.object)).u64(t.arg0).u64(t.arg1)
          .u64(BigInt(t.site ?? 0));
        for (const x of t.extras) b.u64(BigInt(x.id) | (x.ready ? 1n << 63n : 0n));
      }
      if (window !== undefined) {
        b.u32(window.length).u32(0);
        for (const e of window) {
          if (e.kind === "create") {
            b.u64(BigInt(e.created)).u64(0n).u32(e.actor).u32(0).u8(2).u8(0).u16(0).u32(0);
          } else {
            b.u64(BigInt(e.access.address)).u64(BigInt(e.site ?? 0)).u32(e.actor)
              .u32(e.access.size).u8(e.access.write ? 1 : 0).u8(0).u16(0).u32(0);
          }
        }
      }
      return b.frame();
    }
    case "violation":
      return new FrameBuilder(MessageType.violation).u8(m.kind).u8(0).u16(0).u32(m.actor)
        .u32(m.steps).string(m.message).frame();
    case "done":
      return new FrameBuilder(MessageType.done).u32(m.steps).u32(m.actors).frame();
    case "error":
      return new FrameBuilder(MessageType.error).u16(m.code).u16(0).u32(m.steps)
        .string(m.message).frame();
    case "stacks": {
      const b = new FrameBuilder(MessageType.stacks).u32(m.stacks.length).u32(0);
      for (const st of m.stacks) {
        b.u32(st.actor).u32(0).u64(BigInt(st.lo)).u64(BigInt(st.hi)).u64(BigInt(st.sp));
      }
      return b.frame();
    }
    case "tail":
      return new FrameBuilder(MessageType.tail).u32(m.signaled ? 1 : 0).u32(m.value).frame();
    case "crash":
      return new FrameBuilder(MessageType.crash).u32(m.signal).u32(m.actor).u32(m.steps)
        .u32(m.overflow ? 1 : 0).u64(BigInt(m.stackSize)).frame();
    case "mapped":
      return new FrameBuilder(MessageType.mapped).u32(m.errno).u32(0).frame();
    case "forked":
      return new FrameBuilder(MessageType.forked).u32(m.pid).u32(0).frame();
    case "exiting":
      return new FrameBuilder(MessageType.exiting).u32(m.status).u32(m.actor).frame();
    case "fdset":
      return new FrameBuilder(MessageType.fdset).u32(m.errno).u32(m.failed).frame();
    case "prop":
      return new FrameBuilder(MessageType.prop).u64(BigInt(m.address))
        .u8(m.kind === "proposition" ? 1 : 2).u8(0).u16(0).string(m.name).frame();
  }
}

/** A small deterministic PRNG (mulberry32), so a failing case can be rerun. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomWindow(rand: () => number): WindowEvent[] {
  const u32 = (): number => Math.floor(rand() * 2 ** 32);
  return Array.from({ length: 1 + Math.floor(rand() * 4) }, (): WindowEvent => {
    const actor = Math.floor(rand() * 2 ** 31);
    if (rand() < 0.2) {
      return { kind: "create", actor, created: actor + 1 + Math.floor(rand() * 100) };
    }
    const access = {
      address: Math.floor(rand() * 2 ** 53),
      size: 1 + Math.floor(rand() * (2 ** 32 - 1)),
      write: rand() < 0.5,
      atomic: false,
    };
    return rand() < 0.5
      ? { kind: "access", actor, access }
      : { kind: "access", actor, access, site: 1 + (u32() % 2 ** 31) };
  });
}

function randomMessage(rand: () => number): Message {
  const u32 = (): number => Math.floor(rand() * 2 ** 32);
  const i32 = (): number => u32() | 0;
  const id = (): number => Math.floor(rand() * 2 ** 53);
  const i64 = (): bigint => BigInt.asIntN(64, (BigInt(u32()) << 32n) | BigInt(u32()));
  const name = (): string =>
    ["", "a", "philosopher-2", "é∀😀", "x".repeat(300)][Math.floor(rand() * 5)];
  const kinds = Object.values(Kind);
  switch (Math.floor(rand() * runtimeMessages.length)) {
    case 0:
      return {
        type: "hello",
        pid: u32(),
        uffd: rand() < 0.2 ? -1 : i32(),
        ignored: Array.from({ length: Math.floor(rand() * 4) }, () => [id(), id()]),
      };
    case 1:
      return { type: "actor", id: u32(), parent: u32(), name: name() };
    case 2:
      return { type: "object", id: id(), kind: Math.floor(rand() * 256), name: name() };
    case 3:
    case 4:
      return {
        type: "state",
        point: {
          ...(rand() < 0.5 ? {} : { window: randomWindow(rand) }),
          steps: u32(),
          transitions: Array.from({ length: Math.floor(rand() * 5) }, (): Transition => ({
            actor: u32(),
            kind: kinds[Math.floor(rand() * kinds.length)],
            enabled: rand() < 0.5,
            ready: rand() < 0.5,
            choices: 1 + Math.floor(rand() * (2 ** 32 - 1)),
            object: id(),
            arg0: i64(),
            arg1: i64(),
            ...(rand() < 0.5 ? {} : { site: 1 + Math.floor(rand() * (2 ** 53 - 1)) }),
            extras: Array.from(
              { length: Math.floor(rand() * 3) },
              () => ({ id: id(), ready: rand() < 0.5 }),
            ),
          })),
        },
        mapsChanged: rand() < 0.5,
        ranOn: rand() < 0.5,
      };
    case 5:
      return {
        type: "violation",
        kind: 1 + Math.floor(rand() * 2),
        actor: u32(),
        steps: u32(),
        message: name(),
      };
    case 6:
      return { type: "done", steps: u32(), actors: u32() };
    case 7:
      return { type: "error", code: 1 + Math.floor(rand() * 4), steps: u32(), message: name() };
    case 8:
      return {
        type: "stacks",
        stacks: Array.from({ length: Math.floor(rand() * 4) }, (): StackInfo => {
          const [lo, sp, hi] = [id(), id(), id()].sort((a, b) => a - b);
          return { actor: u32(), lo, hi, sp: rand() < 0.3 ? hi : sp };
        }),
      };
    case 9:
      return { type: "tail", signaled: rand() < 0.5, value: i32() };
    case 10:
      if (rand() < 0.5) {
        return {
          type: "crash",
          signal: u32(),
          actor: u32(),
          steps: u32(),
          overflow: false,
          stackSize: 0,
        };
      }
      return {
        type: "crash",
        signal: u32(),
        actor: u32(),
        steps: u32(),
        overflow: true,
        stackSize: id(),
      };
    case 11:
      return { type: "mapped", errno: i32() };
    case 12:
      return { type: "exiting", status: i32(), actor: u32() };
    case 13:
      return { type: "forked", pid: u32() };
    case 14:
      return { type: "fdset", errno: i32(), failed: u32() };
    default:
      return rand() < 0.5
        ? { type: "prop", kind: "progress", address: 4 * Math.floor(rand() * 2 ** 51), name: "" }
        : {
          type: "prop",
          kind: "proposition",
          address: 4 * Math.floor(rand() * 2 ** 51),
          name: ["a", "in_cs", "é∀😀", "x".repeat(300)][Math.floor(rand() * 4)],
        };
  }
}

Deno.test("protocol.ts decodes 4000 random messages of every type back to what was encoded", () => {
  const rand = prng(20240601);
  const seen = new Set<string>();
  for (let i = 0; i < 4000; i++) {
    const m = randomMessage(rand);
    seen.add(
      m.type === "prop"
        ? m.kind === "progress" ? "progress" : "prop"
        : m.type === "state" && m.point.window !== undefined
        ? "window"
        : m.type,
    );
    assert.deepEqual(decode(encodeMessage(m)), m, `message ${i}`);
  }
  assert.deepEqual([...seen].sort(), [...runtimeMessages].sort());
});

Deno.test("the test-side encoder matches the Zig encoder byte for byte", async () => {
  for (const v of (await zigVectors()).values()) {
    assert.equal(toHex(encodeMessage(expectedMessage(v))), v.hex, v.name);
  }
});

// ---- A real runtime, driven by hand --------------------------------------------------------

/** One run of a compiled program with the test holding the checker's end of the channel. */
class HandDriven {
  private alive = true;

  private constructor(
    readonly pid: number,
    private readonly pidfd: number,
    private readonly channel: NativeChannel,
  ) {}

  static start(
    path: string,
    args: readonly string[] = [],
    env: Record<string, string> = {},
  ): HandDriven {
    const [mine, theirs] = socketPair();
    const spawned = spawn({
      argv: [path, ...args],
      env: { PATH: Deno.env.get("PATH") ?? "", ...env, [ENV_FD]: String(theirs) },
      keepFd: theirs,
    });
    closeFd(theirs);
    if (!spawned.ok) throw new Error(`spawn failed: errno ${spawned.errno}`);
    return new HandDriven(spawned.pid, spawned.pidfd, new NativeChannel(mine));
  }

  /** A copy forked on FORK (a child of the program, not of the test), over its own channel. */
  static adopt(pid: number, fd: number): HandDriven {
    return new HandDriven(pid, pidfdOpen(pid), new NativeChannel(fd));
  }

  /** Every record of a real runtime carries its call site: checked here, then set aside. */
  readonly sites: number[] = [];

  receive(): Message | "closed" {
    const r = this.channel.receive(10_000);
    if (r.kind === "closed") return "closed";
    assert.equal(r.kind, "frame", `expected a frame, got ${JSON.stringify(r)}`);
    if (r.kind !== "frame") throw new Error("unreachable");
    const m = decode(r.frame);
    if (m.type !== "state") return m;
    const transitions = m.point.transitions.map(({ site, ...rest }) => {
      assert.ok(site !== undefined && site > 0, `a record without its call site`);
      this.sites.push(site);
      return rest;
    });
    return { ...m, point: { ...m.point, transitions } };
  }

  send(frame: Uint8Array): void {
    assert.equal(this.channel.send(frame), 0);
  }

  /** The descriptor that came with the last frame (FORKED's channel), or -1. */
  takeFd(): number {
    return this.channel.takeFd();
  }

  /** Receives until a frame of `type` comes (ACTOR/OBJECT announcements may come first). */
  until<T extends Message["type"]>(type: T): Extract<Message, { type: T }> {
    while (true) {
      const m = this.receive();
      assert.notEqual(m, "closed", `the program closed the channel before a ${type} frame`);
      if (m === "closed") throw new Error("unreachable");
      if (m.type === type) return m as Extract<Message, { type: T }>;
      assert.ok(
        m.type === "actor" || m.type === "object" || m.type === "prop",
        `got ${m.type} before ${type}`,
      );
    }
  }

  /** Waits for the program to end; a program that does not end within 10 s fails the test. */
  exit(): { state: "exited"; code: number } | { state: "signaled"; signal: number } {
    const status = waitProcess(this.pid, this.pidfd, 10_000);
    assert.notEqual(status.state, "running", "the program did not end");
    if (status.state === "running") throw new Error("unreachable");
    this.alive = false;
    releaseProcess(this.pidfd);
    this.channel.close();
    return status;
  }

  /** Closes the checker's end (as a dying checker would). */
  hangUp(): void {
    this.channel.close();
  }

  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    killProcess(this.pid, this.pidfd);
    this.channel.close();
  }
}

async function withProgram(
  fn: (path: string) => void | Promise<void>,
  source = "steps.c",
): Promise<void> {
  const path = await buildProgram(`${programs}${source}`);
  await fn(path);
  assert.deepEqual(liveProcessesOf(path), []);
}

function handshake(run: HandDriven, flags = 0): Extract<Message, { type: "state" }> {
  const hello = run.until("hello");
  assert.equal(hello.pid, run.pid);
  run.send(encodeWelcome(flags));
  return run.until("state");
}

/** The next frames, up to and including the first one of a type in `last`. */
function framesUntil(run: HandDriven, ...last: Message["type"][]): Message[] {
  const got: Message[] = [];
  while (true) {
    const m = run.receive();
    assert.notEqual(m, "closed", `the channel closed after ${JSON.stringify(got)}`);
    if (m === "closed") throw new Error("unreachable");
    got.push(m);
    if (last.includes(m.type)) return got;
  }
}

/** What a descriptor of a live process refers to, as /proc shows it. */
function fdTarget(pid: number, fd: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

const ids = { a: 1, b: 2 } as const;

/** A STATE record as steps.c and endings.c produce them: enabled, one choice, no object. */
const record = transition;

/** The point with no actor that ends a stateful execution before the rest of main runs. */
function endPoint(steps: number): Message {
  return { type: "state", point: { steps, transitions: [] }, mapsChanged: false, ranOn: false };
}

/** steps.c's points: at the start and after a's random. */
const stepsStart = [
  record(ids.a, Kind.random, { choices: 3, arg0: -1n, arg1: 1n }),
  record(ids.b, Kind.yield),
];
const stepsAfterRandom = [record(ids.a, Kind.yield), record(ids.b, Kind.yield)];

/** A mailbox's id: FNV-1a of its name, in the 2^52 space (native/src/runtime/api.zig). */
function mailboxId(name: string): number {
  let h = 0xcbf29ce484222325n;
  for (const c of new TextEncoder().encode(name)) {
    h = BigInt.asUintN(64, (h ^ BigInt(c)) * 0x100000001b3n);
  }
  return Number((h & (2n ** 52n - 1n)) | 2n ** 52n);
}

Deno.test("handshake and steps with a real runtime: every frame as documented", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      const hello = run.until("hello");
      assert.equal(hello.pid, run.pid);
      // The channel's buffers, the maestro's stack, the runtime's control area: whole pages.
      assert.equal(hello.ignored.length, 3);
      for (const [start, end] of hello.ignored) {
        assert.ok(start < end && start % 4096 === 0 && end % 4096 === 0, `${start}-${end}`);
      }
      // -1 when the kernel refuses userfaultfd; otherwise the program's own, by its number.
      if (hello.uffd !== -1) {
        assert.equal(fdTarget(run.pid, hello.uffd), "anon_inode:[userfaultfd]");
      }
      run.send(encodeWelcome());
      const announced: Message[] = [];
      let first: Message | "closed";
      while ((first = run.receive()) !== "closed" && first.type !== "state") announced.push(first);
      assert.deepEqual(announced, [
        { type: "object", id: mailboxId("box"), kind: 1, name: "box" },
        { type: "actor", id: ids.a, parent: 0, name: "a" },
        { type: "actor", id: ids.b, parent: 0, name: "b" },
      ]);
      assert.deepEqual(first, {
        type: "state",
        point: { steps: 0, transitions: stepsStart },
        // Creating the actors mapped their stacks.
        mapsChanged: true,
        ranOn: false,
      });
      run.send(encodeRun([{ actor: ids.a, choice: 2 }]));
      assert.deepEqual(run.until("state"), {
        type: "state",
        point: { steps: 1, transitions: stepsAfterRandom },
        mapsChanged: false,
        ranOn: false,
      });
      run.send(encodeRun([{ actor: ids.b, choice: 0 }, { actor: ids.a, choice: 0 }], 1));
      assert.deepEqual(run.until("done"), { type: "done", steps: 3, actors: 2 });
      assert.deepEqual(run.exit(), { state: "exited", code: 0 });
    } finally {
      run.dispose();
    }
  });
});

/** Sends `frame` where the runtime waits for a command and checks its ERROR and its exit. */
function expectRuntimeError(
  path: string,
  at: "welcome" | "run" | "stateful",
  frame: Uint8Array,
  code: number,
  message: RegExp,
): void {
  const run = HandDriven.start(path);
  try {
    if (at === "welcome") {
      run.until("hello");
    } else {
      handshake(run, at === "stateful" ? WELCOME_STATEFUL : 0);
    }
    run.send(frame);
    const error = run.until("error");
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    assert.equal(run.receive(), "closed");
    assert.deepEqual(run.exit(), { state: "exited", code: 3 });
  } finally {
    run.dispose();
  }
}

Deno.test("the runtime answers a bad WELCOME with an ERROR frame and exits 3", async () => {
  await withProgram((path) => {
    const welcome = encodeWelcome();
    expectRuntimeError(
      path,
      "welcome",
      withHeader(welcome, { version: PROTOCOL_VERSION + 1 }),
      ErrorCode.version,
      /protocol version/,
    );
    expectRuntimeError(
      path,
      "welcome",
      resized(welcome, welcome.length + 4),
      ErrorCode.malformed,
      /WELCOME/,
    );
    expectRuntimeError(
      path,
      "welcome",
      resized(welcome, welcome.length - 4),
      ErrorCode.malformed,
      /WELCOME/,
    );
    expectRuntimeError(
      path,
      "welcome",
      encodeRun([{ actor: 1, choice: 0 }]),
      ErrorCode.malformed,
      /expected WELCOME/,
    );
    expectRuntimeError(
      path,
      "welcome",
      withHeader(welcome, { length: MAX_FRAME + 1 }),
      ErrorCode.malformed,
      /larger than the protocol allows/,
    );
  });
});

Deno.test("the runtime answers a bad RUN with an ERROR frame and exits 3", async () => {
  await withProgram((path) => {
    const run = encodeRun([{ actor: ids.a, choice: 0 }]);
    const zeroSteps = resized(run, HEADER_SIZE + 8);
    new DataView(zeroSteps.buffer).setUint32(HEADER_SIZE, 0, true);
    expectRuntimeError(path, "run", zeroSteps, ErrorCode.malformed, /malformed RUN/);
    expectRuntimeError(
      path,
      "run",
      resized(run, run.length + 1),
      ErrorCode.malformed,
      /malformed RUN/,
    );
    expectRuntimeError(
      path,
      "run",
      withHeader(run, { type: 0x90 }),
      ErrorCode.malformed,
      /expected RUN/,
    );
    expectRuntimeError(path, "run", encodeWelcome(), ErrorCode.malformed, /expected RUN/);
    expectRuntimeError(
      path,
      "stateful",
      withHeader(run, { type: 0x87 }),
      ErrorCode.malformed,
      /^expected RUN, MAP, FORK, FDS or FINISH$/,
    );
    expectRuntimeError(
      path,
      "run",
      withHeader(run, { version: PROTOCOL_VERSION + 1 }),
      ErrorCode.version,
      /protocol version/,
    );
  });
});

Deno.test("a RUN that does not fit the program is a diverged ERROR naming the step", async () => {
  await withProgram((path) => {
    expectRuntimeError(
      path,
      "run",
      encodeRun([{ actor: 9, choice: 0 }]),
      ErrorCode.diverged,
      /^step 1: there is no actor 9$/,
    );
    expectRuntimeError(
      path,
      "run",
      encodeRun([{ actor: ids.a, choice: 3 }]),
      ErrorCode.diverged,
      /^step 1: choice 3 is out of range for actor 1 \(a\)$/,
    );
    expectRuntimeError(
      path,
      "run",
      encodeRun([{ actor: ids.b, choice: 0 }, { actor: ids.b, choice: 0 }]),
      ErrorCode.diverged,
      /^step 2: actor 2 \(b\) has finished$/,
    );
  });
});

/** The int at `address` in process `pid`'s memory (the test runs as the program's parent). */
function peekInt(pid: number, address: number): number {
  const file = Deno.openSync(`/proc/${pid}/mem`);
  try {
    const buf = new Uint8Array(4);
    file.seekSync(address, Deno.SeekMode.Start);
    assert.equal(file.readSync(buf), 4);
    return new DataView(buf.buffer).getInt32(0, true);
  } finally {
    file.close();
  }
}

Deno.test("PROP: propositions before the first STATE, the progress flag's address once, at its first use", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      run.until("hello");
      run.send(encodeWelcome(WELCOME_STATEFUL));
      const before = framesUntil(run, "state");
      const props = before.filter((m) => m.type === "prop");
      assert.deepEqual(props.map((m) => m.type === "prop" && [m.kind, m.name]), [
        ["proposition", "p"],
        ["proposition", "q"],
      ]);
      const [p, q] = props.map((m) => (m.type === "prop" ? m.address : 0));
      assert.deepEqual([peekInt(run.pid, p), peekInt(run.pid, q)], [1, 0]);
      // The first transition passes isomc_progress(): the flag's address comes with its answer.
      run.send(encodeRun([{ actor: 1, choice: 0 }]));
      const first = framesUntil(run, "state");
      const announced = first.filter((m) => m.type === "prop");
      assert.equal(announced.length, 1);
      const flag = announced[0].type === "prop" ? announced[0] : null;
      assert.ok(flag !== null && flag.kind === "progress" && flag.name === "");
      assert.equal(peekInt(run.pid, flag.address), 1);
      // Cleared by the next transition, set again by the third; never announced again.
      const flags: number[] = [];
      for (let i = 1; i < 4; i++) {
        run.send(encodeRun([{ actor: 1, choice: 0 }], i));
        const frames = framesUntil(run, "state");
        assert.ok(frames.every((m) => m.type !== "prop"), frames.map((m) => m.type).join(" "));
        flags.push(peekInt(run.pid, flag.address));
      }
      assert.deepEqual(flags, [0, 1, 0]);
    } finally {
      run.dispose();
    }
  }, "props.c");
});

Deno.test("a runtime whose checker hangs up mid-frame ends at once, without output", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      handshake(run);
      run.send(encodeRun([{ actor: ids.a, choice: 0 }]).subarray(0, 10));
      run.hangUp();
      assert.deepEqual(run.exit(), { state: "exited", code: 0 });
    } finally {
      run.dispose();
    }
  });
});

Deno.test("MAP, FORK, FDS and FINISH without a stateful WELCOME are refused with an ERROR", async () => {
  await withProgram((path) => {
    for (
      const [frame, name] of [
        [encodeMap([]), "MAP"],
        [encodeFork(), "FORK"],
        [encodeFds([]), "FDS"],
        [encodeFinish(), "FINISH"],
      ] as const
    ) {
      const message = new RegExp(`^${name} without a stateful WELCOME$`);
      expectRuntimeError(path, "run", frame, ErrorCode.malformed, message);
    }
  });
});

Deno.test("malformed MAP, FORK, FDS and FINISH are refused with an ERROR in a stateful execution", async () => {
  await withProgram((path) => {
    const fds = encodeFds([{ op: "close", fd: 3 }]);
    new DataView(fds.buffer).setUint32(HEADER_SIZE + 8, 3, true);
    const fork = encodeFork();
    const cases: [Uint8Array, RegExp][] = [
      [encodeMap([{ map: true, start: 0x1001, end: 0x2000 }]), /^malformed MAP$/],
      [encodeMap([{ map: false, start: 0x2000, end: 0x1000 }]), /^malformed MAP$/],
      [resized(fork, fork.length + 4), /^malformed FORK$/],
      [fds, /^malformed FDS$/],
      [encodeFds([{ op: "open", fd: 3, path: "", flags: 0, pos: 0 }]), /^malformed FDS$/],
      [resized(encodeFinish(), HEADER_SIZE + 4), /^malformed FINISH$/],
      // FINISH belongs to the final point only.
      [encodeFinish(), /^FINISH before every actor has returned$/],
    ];
    for (const [frame, message] of cases) {
      expectRuntimeError(path, "stateful", frame, ErrorCode.malformed, message);
    }
  });
});

Deno.test("RUN's `before` is the step count the runtime goes on from", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      handshake(run);
      run.send(encodeRun([{ actor: ids.a, choice: 1 }], 40));
      assert.equal(run.until("state").point.steps, 41);
      run.send(encodeRun([{ actor: ids.a, choice: 0 }, { actor: 7, choice: 0 }], 100));
      const error = run.until("error");
      assert.deepEqual([error.code, error.message, error.steps], [
        ErrorCode.diverged,
        "step 102: there is no actor 7",
        101,
      ]);
      assert.deepEqual(run.exit(), { state: "exited", code: 3 });
    } finally {
      run.dispose();
    }
  });
});

Deno.test("stateful: STACKS before every STATE; at the end a copy runs main (DONE), then TAIL", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      run.until("hello");
      run.send(encodeWelcome(WELCOME_STATEFUL | WELCOME_STACKS));
      const opening = framesUntil(run, "state");
      assert.deepEqual(opening.map((m) => m.type), ["object", "actor", "actor", "stacks", "state"]);
      const checkStacks = (m: Message): StackInfo[] => {
        assert.ok(m.type === "stacks");
        assert.deepEqual(m.stacks.map((st) => st.actor), [ids.a, ids.b]);
        const [a, b] = m.stacks;
        // Two stacks of the same size that do not overlap, each actor parked inside its own.
        assert.equal(a.hi - a.lo, b.hi - b.lo);
        assert.ok(a.hi <= b.lo || b.hi <= a.lo);
        for (const st of m.stacks) assert.ok(st.lo < st.sp && st.sp < st.hi, JSON.stringify(st));
        return m.stacks;
      };
      const [a0] = checkStacks(opening[3]);
      assert.deepEqual(opening[4], {
        type: "state",
        point: { steps: 0, transitions: stepsStart },
        mapsChanged: true,
        ranOn: false,
      });

      run.send(encodeRun([{ actor: ids.a, choice: 0 }]));
      const next = framesUntil(run, "state");
      assert.deepEqual(next.map((m) => m.type), ["stacks", "state"]);
      const [a1] = checkStacks(next[0]);
      assert.deepEqual([a1.lo, a1.hi], [a0.lo, a0.hi]);

      // The last transitions: the final point (STACKS, all dead, then a STATE with no actor);
      // on FINISH the rest of main runs in a forked copy, which ends with DONE; the process
      // that stays reports how the copy ended and waits for the checker.
      run.send(encodeRun([{ actor: ids.b, choice: 0 }, { actor: ids.a, choice: 0 }], 1));
      const end = framesUntil(run, "state");
      assert.deepEqual(end.map((m) => m.type), ["stacks", "state"]);
      assert.ok(end[0].type === "stacks");
      for (const st of end[0].stacks) {
        assert.equal(st.sp, st.hi, "a finished actor's stack is dead");
      }
      assert.deepEqual(end[1], endPoint(3));
      run.send(encodeFinish());
      assert.deepEqual(framesUntil(run, "tail"), [
        { type: "done", steps: 3, actors: 2 },
        { type: "tail", signaled: false, value: 0 },
      ]);
      run.send(encodeMap([]));
      assert.deepEqual(run.until("mapped"), { type: "mapped", errno: 0 });
      run.send(encodeRun([{ actor: ids.a, choice: 0 }], 3));
      assert.deepEqual(run.until("error").message, "step 4: actor 1 (a) has finished");
      assert.deepEqual(run.exit(), { state: "exited", code: 3 });
    } finally {
      run.dispose();
    }
  });
});

Deno.test("stateful: without FINISH the rest of main never runs, and the final point can be left", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path, ["abort-after-run"]);
    try {
      handshake(run, WELCOME_STATEFUL);
      run.send(encodeRun([{ actor: ids.a, choice: 0 }, { actor: ids.b, choice: 0 }]));
      assert.deepEqual(framesUntil(run, "state").map((m) => m.type), ["stacks", "state"]);
      // The checker knows how main ends from here: it restores at once. No copy ran main
      // (it would have aborted: CRASH, TAIL); the next frame answers MAP.
      run.send(encodeMap([]));
      assert.deepEqual(run.receive(), { type: "mapped", errno: 0 });
      assert.deepEqual(liveProcessesOf(path).map((p) => p.pid), [run.pid]);
    } finally {
      run.dispose();
    }
  }, "endings.c");
});

Deno.test("FORK: the process stays as a checkpoint, the copy runs on its own channel", async () => {
  await withProgram(async (path) => {
    const run = HandDriven.start(path);
    let copy: HandDriven | null = null;
    let copyPid = -1;
    try {
      run.until("hello");
      run.send(encodeWelcome(WELCOME_STATEFUL));
      // Without WELCOME_STACKS, no STACKS.
      assert.deepEqual(framesUntil(run, "state").map((m) => m.type), [
        "object",
        "actor",
        "actor",
        "state",
      ]);
      run.send(encodeFork());
      const forked = run.until("forked");
      const fd = run.takeFd();
      assert.ok(fd >= 0, "FORKED came without a descriptor");
      copyPid = forked.pid;
      assert.notEqual(copyPid, run.pid);
      const stat = Deno.readTextFileSync(`/proc/${copyPid}/stat`);
      assert.equal(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), run.pid);
      copy = HandDriven.adopt(copyPid, fd);

      // The copy goes on from the checkpoint's state, to the end of its execution.
      copy.send(encodeRun([{ actor: ids.a, choice: 2 }]));
      assert.deepEqual(copy.until("state").point, { steps: 1, transitions: stepsAfterRandom });
      copy.send(encodeRun([{ actor: ids.a, choice: 0 }, { actor: ids.b, choice: 0 }], 1));
      // The final point always brings the (dead) stacks, WELCOME_STACKS or not.
      assert.deepEqual(framesUntil(copy, "state").map((m) => m.type), ["stacks", "state"]);
      copy.send(encodeFinish());
      assert.deepEqual(framesUntil(copy, "tail"), [
        { type: "done", steps: 3, actors: 2 },
        { type: "tail", signaled: false, value: 0 },
      ]);
      // The checkpoint did not move: it takes another branch from the same state.
      run.send(encodeRun([{ actor: ids.b, choice: 0 }]));
      assert.deepEqual(run.until("state").point, { steps: 1, transitions: [stepsStart[0]] });
      // A second FORK from the same checkpoint: another copy, another channel.
      run.send(encodeFork());
      const again = run.until("forked");
      const fd2 = run.takeFd();
      assert.ok(fd2 >= 0 && again.pid !== copyPid);
      const second = HandDriven.adopt(again.pid, fd2);
      try {
        second.send(encodeRun([{ actor: ids.a, choice: 1 }], 1));
        assert.deepEqual(second.until("state").point, {
          steps: 2,
          transitions: [record(ids.a, Kind.yield)],
        });
      } finally {
        second.dispose();
      }
    } finally {
      copy?.dispose();
      run.dispose();
    }
    // The copies are not the test's children; once the program is gone they go too.
    assert.ok(
      await eventually(() => {
        if (copyPid > 0) reap(copyPid);
        return liveProcessesOf(path).length === 0;
      }),
      "a forked copy outlived its checkpoint",
    );
  });
});

/** The lines of a live process's /proc/PID/maps. */
function mapsOf(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/maps`).split("\n").filter((l) => l !== "");
}

Deno.test("MAP creates and removes mappings and answers MAPPED with the first errno", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      handshake(run, WELCOME_STATEFUL);
      // An address range far from where Linux places anything by itself.
      const start = 0x1000_0000_0000;
      const line = `100000000000-100000002000 rw-p`;
      assert.ok(!mapsOf(run.pid).some((l) => l.startsWith("1000000")), "the range is taken");
      run.send(encodeMap([{ map: true, start, end: start + 0x2000 }]));
      assert.deepEqual(run.until("mapped"), { type: "mapped", errno: 0 });
      assert.equal(mapsOf(run.pid).filter((l) => l.startsWith(line)).length, 1);
      run.send(encodeMap([{ map: false, start, end: start + 0x1000 }]));
      assert.deepEqual(run.until("mapped"), { type: "mapped", errno: 0 });
      assert.ok(mapsOf(run.pid).some((l) => l.startsWith("100000001000-100000002000 rw-p")));
      // The second op fails (no user address is that high: EINVAL); the third is not tried.
      run.send(encodeMap([
        { map: false, start: start + 0x1000, end: start + 0x2000 },
        { map: false, start: 0xffff_f000_0000_0000, end: 0xffff_f000_0000_1000 },
        { map: true, start, end: start + 0x1000 },
      ]));
      assert.deepEqual(run.until("mapped"), { type: "mapped", errno: 22 });
      assert.ok(!mapsOf(run.pid).some((l) => l.startsWith("1000000")));
      // The next point says the mappings changed.
      run.send(encodeRun([{ actor: ids.a, choice: 0 }]));
      assert.deepEqual(run.until("state"), {
        type: "state",
        point: { steps: 1, transitions: stepsAfterRandom },
        mapsChanged: true,
        ranOn: false,
      });
    } finally {
      run.dispose();
    }
  });
});

Deno.test("FDS is carried out by the preloaded agent and answered by FDSET", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path, [], { LD_PRELOAD: agentLibrary() });
    try {
      handshake(run, WELCOME_STATEFUL);
      const fd = 40;
      assert.equal(fdTarget(run.pid, fd), null);
      run.send(encodeFds([{ op: "open", fd, path: "/dev/null", flags: 0, pos: 0 }]));
      assert.deepEqual(run.until("fdset"), { type: "fdset", errno: 0, failed: 0 });
      assert.equal(fdTarget(run.pid, fd), "/dev/null");
      // Changes are made in order; the first that fails (a seek on a closed fd: EBADF) is
      // named by its position from 1, and the ones after it are not made.
      run.send(encodeFds([
        { op: "seek", fd, pos: 0 },
        { op: "close", fd },
        { op: "seek", fd, pos: 0 },
        { op: "open", fd, path: "/dev/null", flags: 0, pos: 0 },
      ]));
      assert.deepEqual(run.until("fdset"), { type: "fdset", errno: 9, failed: 3 });
      assert.equal(fdTarget(run.pid, fd), null);
      run.send(encodeRun([{ actor: ids.a, choice: 0 }]));
      assert.equal(run.until("state").point.steps, 1);
    } finally {
      run.dispose();
    }
  });
});

Deno.test("FDS without the agent: FDSET says ENOSYS for the first change", async () => {
  await withProgram((path) => {
    const run = HandDriven.start(path);
    try {
      handshake(run, WELCOME_STATEFUL);
      run.send(encodeFds([{ op: "close", fd: 40 }]));
      assert.deepEqual(run.until("fdset"), { type: "fdset", errno: 38, failed: 1 });
    } finally {
      run.dispose();
    }
  });
});

Deno.test("a fatal signal in an actor: CRASH names the signal, the actor and the step", async () => {
  await withProgram((path) => {
    for (const flags of [0, WELCOME_STATEFUL]) {
      const run = HandDriven.start(path, ["crash"]);
      try {
        handshake(run, flags);
        run.send(encodeRun([{ actor: ids.b, choice: 0 }, { actor: ids.a, choice: 0 }]));
        assert.deepEqual(run.until("crash"), {
          type: "crash",
          signal: 11,
          actor: ids.a,
          steps: 2,
          overflow: false,
          stackSize: 0,
        });
        assert.equal(run.receive(), "closed");
        assert.deepEqual(run.exit(), { state: "signaled", signal: 11 });
      } finally {
        run.dispose();
      }
    }
  }, "endings.c");
});

Deno.test("exit() in an actor: EXITING names the status and the actor", async () => {
  await withProgram((path) => {
    for (const flags of [0, WELCOME_STATEFUL]) {
      const run = HandDriven.start(path, ["exit"]);
      try {
        handshake(run, flags);
        run.send(encodeRun([{ actor: ids.a, choice: 0 }]));
        assert.deepEqual(run.until("exiting"), { type: "exiting", status: 4, actor: ids.a });
        assert.equal(run.receive(), "closed");
        assert.deepEqual(run.exit(), { state: "exited", code: 4 });
      } finally {
        run.dispose();
      }
    }
  }, "endings.c");
});

Deno.test("a crash after isomc_run: CRASH from main; when stateful, from the copy, then TAIL", async () => {
  await withProgram((path) => {
    const all = [{ actor: ids.a, choice: 0 }, { actor: ids.b, choice: 0 }];
    const stateless = HandDriven.start(path, ["abort-after-run"]);
    try {
      handshake(stateless);
      stateless.send(encodeRun(all));
      assert.deepEqual(framesUntil(stateless, "crash"), [
        { type: "crash", signal: 6, actor: 0, steps: 2, overflow: false, stackSize: 0 },
      ]);
      assert.equal(stateless.receive(), "closed");
      assert.deepEqual(stateless.exit(), { state: "signaled", signal: 6 });
    } finally {
      stateless.dispose();
    }
    const stateful = HandDriven.start(path, ["abort-after-run"]);
    try {
      handshake(stateful, WELCOME_STATEFUL);
      stateful.send(encodeRun(all));
      assert.deepEqual(framesUntil(stateful, "state").map((m) => m.type), ["stacks", "state"]);
      stateful.send(encodeFinish());
      assert.deepEqual(framesUntil(stateful, "tail"), [
        { type: "crash", signal: 6, actor: 0, steps: 2, overflow: false, stackSize: 0 },
        { type: "tail", signaled: true, value: 6 },
      ]);
    } finally {
      stateful.dispose();
    }
  }, "endings.c");
});

// ---- The checker against a fake runtime ---------------------------------------------------

interface FakeCase {
  readonly scenario: string;
  readonly code: number;
  readonly line: RegExp;
}

const fakeCases: readonly FakeCase[] = [
  {
    scenario: "hello-version",
    code: 2,
    line: new RegExp(
      `speaks protocol version 99, this checker speaks ${PROTOCOL_VERSION}: rebuild`,
    ),
  },
  { scenario: "hello-version-huge", code: 2, line: /speaks protocol version 99/ },
  { scenario: "short-header", code: 3, line: /frame with an impossible header/ },
  { scenario: "too-large", code: 3, line: /frame with an impossible header/ },
  { scenario: "unknown-type", code: 3, line: /malformed frame .*unknown message type 0x55$/ },
  { scenario: "hello-trailing", code: 3, line: /malformed frame .*trailing bytes$/ },
  { scenario: "hello-truncated", code: 3, line: /malformed frame .*ends too early$/ },
  { scenario: "first-done", code: 3, line: /first frame is done, not HELLO/ },
  { scenario: "unknown-kind", code: 3, line: /malformed frame .*unknown transition kind 99$/ },
  { scenario: "stacks-inverted", code: 3, line: /malformed frame .*stack of actor 1 is inverted$/ },
  { scenario: "runtime-error", code: 3, line: /runtime reported a protocol error: fake breakage$/ },
  // Version 11: a function the runtime does not model is bad input, said as the runtime says it.
  { scenario: "runtime-unsupported", code: 2, line: /^isomc: the program called xyz$/ },
  { scenario: "partial", code: 2, line: /exited with status 0 without connecting to the checker/ },
];

Deno.test("the checker fails cleanly, with one line, on every malformed runtime frame", async () => {
  becomeSubreaper();
  const fake = await buildProgram(`${programs}fake_runtime.c`);
  const dir = await Deno.makeTempDir({ prefix: "isomc-protocol-" });
  try {
    for (const c of fakeCases) {
      const r = await runCli(["check", "--timeout=5", "--", fake, c.scenario], { cwd: dir });
      const stderr = r.stderr.trimEnd().split("\n");
      assert.equal(r.code, c.code, `${c.scenario}: ${r.stderr}`);
      assert.equal(stderr.length, 1, `${c.scenario}: ${r.stderr}`);
      assert.match(stderr[0], /^isomc: /, c.scenario);
      assert.match(stderr[0], c.line, c.scenario);
      assert.equal(r.stdout, "", c.scenario);
      assert.deepEqual(liveProcessesOf(fake), [], c.scenario);
      assert.deepEqual(strayChildren(), [], c.scenario);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a runtime that goes silent after the handshake is a timeout, not a hang", async () => {
  becomeSubreaper();
  const fake = await buildProgram(`${programs}fake_runtime.c`);
  const dir = await Deno.makeTempDir({ prefix: "isomc-protocol-" });
  try {
    const r = await runCli(["check", "--json", "--timeout=1", "--", fake, "silent"], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.verdict, "violation");
    assert.equal(report.violation.kind, "timeout");
    assert.match(
      report.violation.message,
      /did not reach their first visible operation within 1 s/,
    );
    assert.deepEqual(liveProcessesOf(fake), []);
    assert.deepEqual(strayChildren(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
