/**
 * The decoder's savings (lib/process/decode.ts, issue 10) answer as plain decoding does: a
 * STATE read through a RecordCache equals the same STATE decoded alone, field for field, over
 * seeded sequences where some actors' records change and others repeat; a repeated record is
 * the same Transition object, a changed one a new one; records with extras, and actors beyond
 * the cached ids, are decoded every time; a malformed record is refused through the cache as
 * without it. The shared BigInts of small values read as the 64-bit values written.
 */

import assert from "node:assert/strict";
import { decode, RecordCache } from "../lib/process/decode.ts";
import {
  HEADER_SIZE,
  type Message,
  MessageType,
  PROTOCOL_VERSION,
} from "../lib/process/protocol.ts";
import { Kind, type Transition } from "../lib/model/transition.ts";

type State = Extract<Message, { type: "state" }>;

/** A STATE frame of `transitions` (no window), as the runtime writes it. */
function stateFrame(transitions: readonly Transition[], steps = 7): Uint8Array {
  const extras = transitions.reduce((n, t) => n + t.extras.length, 0);
  const length = HEADER_SIZE + 16 + 48 * transitions.length + 8 * extras;
  const frame = new Uint8Array(length);
  const v = new DataView(frame.buffer);
  v.setUint32(0, length, true);
  v.setUint16(4, MessageType.state, true);
  v.setUint16(6, PROTOCOL_VERSION, true);
  v.setUint32(8, steps, true);
  v.setUint32(12, transitions.length, true);
  v.setUint32(16, 1, true); // maps changed
  let at = HEADER_SIZE + 16;
  for (const t of transitions) {
    v.setUint32(at, t.actor, true);
    v.setUint8(at + 4, t.kind);
    v.setUint8(
      at + 5,
      (t.enabled ? 1 : 0) | (t.ready ? 2 : 0) | (t.spin === true ? 4 : 0) |
        (t.fails === true ? 8 : 0),
    );
    v.setUint16(at + 6, t.extras.length, true);
    v.setUint32(at + 8, t.choices, true);
    v.setBigUint64(at + 16, BigInt(t.object), true);
    v.setBigInt64(at + 24, t.arg0, true);
    v.setBigInt64(at + 32, t.arg1, true);
    v.setBigUint64(at + 40, BigInt(t.site ?? 0), true);
    at += 48;
    for (const x of t.extras) {
      v.setBigUint64(at, BigInt(x.id) | (x.ready ? 1n << 63n : 0n), true);
      at += 8;
    }
  }
  return frame;
}

/** mulberry32, so a failing case can be rerun. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Values around the shared small ones' edges, and far from them. */
const values = [0n, 1n, 255n, 256n, 257n, -1n, -255n, -256n, -257n, 2n ** 32n, -(2n ** 63n)];

function randomTransition(rand: () => number, actor: number): Transition {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const extras = rand() < 0.15 ? [{ id: Math.floor(rand() * 1000), ready: rand() < 0.5 }] : [];
  const t = {
    actor,
    kind: pick([Kind.load, Kind.store, Kind.mutexLock, Kind.waitany, Kind.cas]),
    enabled: rand() < 0.7,
    ready: rand() < 0.3,
    choices: 1 + Math.floor(rand() * 3),
    object: pick([0x1000, 0x1008, 2 ** 40 + 8]),
    arg0: pick(values),
    arg1: pick(values),
    extras,
  };
  const flagged = rand() < 0.2 ? { ...t, spin: true } : rand() < 0.2 ? { ...t, fails: true } : t;
  return rand() < 0.5 ? flagged : {
    ...flagged,
    site: (rand() < 0.5 ? 0x401000 : 2 ** 45) + Math.floor(rand() * 4) * 2 ** 33 +
      Math.floor(rand() * 64),
  };
}

/** `t` with one field moved a little, in any word of its record (the high halves too). */
function tweak(rand: () => number, t: Transition): Transition {
  switch (Math.floor(rand() * 7)) {
    case 0:
      return { ...t, object: t.object + 2 ** 32 };
    case 1:
      return { ...t, site: (t.site ?? 0x401000) + 2 ** 32 };
    case 2:
      return { ...t, arg0: BigInt.asIntN(64, t.arg0 ^ (1n << 40n)) };
    case 3:
      return { ...t, arg1: BigInt.asIntN(64, t.arg1 + 1n) };
    case 4:
      return { ...t, choices: t.choices + 1 };
    case 5:
      return { ...t, enabled: !t.enabled };
    default:
      return { ...t, arg1: BigInt.asIntN(64, t.arg1 ^ (1n << 63n)) };
  }
}

function state(frame: Uint8Array, cache?: RecordCache): State {
  const m = decode(frame, cache);
  assert.equal(m.type, "state");
  return m as State;
}

Deno.test("a STATE read through a RecordCache equals it decoded alone, over seeded sequences", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rand = prng(seed);
    const cache = new RecordCache();
    // Small ids (cached), and two beyond the cache's ids (decoded every time).
    const actors = [0, 1, 2, 5, 9, 4096, 2 ** 31];
    let current = actors.map((a) => randomTransition(rand, a));
    let previous: readonly Transition[] | null = null;
    for (let k = 0; k < 300; k++) {
      // One to three actors change; sometimes one finishes or comes back.
      const next = current.map((t) =>
        rand() < 0.2 ? randomTransition(rand, t.actor) : rand() < 0.2 ? tweak(rand, t) : t
      );
      current = rand() < 0.1 ? next.filter((_, i) => i !== Math.floor(rand() * next.length)) : next;
      if (current.length < actors.length && rand() < 0.3) {
        current = actors.map((a) =>
          current.find((t) => t.actor === a) ?? randomTransition(rand, a)
        );
      }
      const frame = stateFrame(current, k);
      const plain = state(frame);
      const cached = state(frame, cache);
      assert.deepEqual(cached, plain, `seed ${seed}, STATE ${k}`);
      assert.deepEqual(plain.point.transitions, current, `seed ${seed}, STATE ${k} as written`);
      if (previous !== null) {
        for (const t of cached.point.transitions) {
          const before: Transition | undefined = previous.find((p) => p.actor === t.actor);
          if (before === undefined) continue;
          const repeated: boolean = JSON.stringify(before, big) === JSON.stringify(t, big);
          const reused: boolean = before === t;
          if (t.extras.length > 0 || t.actor >= 4096) assert.equal(reused, false);
          else assert.equal(reused, repeated, `seed ${seed}, STATE ${k}, actor ${t.actor}`);
        }
      }
      previous = cached.point.transitions;
    }
  }
});

function big(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

Deno.test("a repeated record is the same Transition; another actor's alike one is not", () => {
  const cache = new RecordCache();
  const a: Transition = {
    actor: 1,
    kind: Kind.load,
    enabled: true,
    ready: false,
    choices: 1,
    object: 0x1000,
    arg0: 3n,
    arg1: 0n,
    extras: [],
  };
  const b = { ...a, actor: 2 };
  const first = state(stateFrame([a, b]), cache).point.transitions;
  const second = state(stateFrame([a, b]), cache).point.transitions;
  assert.equal(second[0], first[0]);
  assert.equal(second[1], first[1]);
  assert.notEqual(first[0], first[1]);
  const changed = state(stateFrame([{ ...a, arg0: 4n }, b]), cache).point.transitions;
  assert.notEqual(changed[0], first[0]);
  assert.equal(changed[0].arg0, 4n);
  assert.equal(changed[1], first[1]);
  // Back to the first value: decoded anew (the cache keeps the last record only), equal.
  const back = state(stateFrame([a, b]), cache).point.transitions;
  assert.notEqual(back[0], first[0]);
  assert.deepEqual(back[0], first[0]);
});

Deno.test("a malformed record is refused through the cache as without it", () => {
  const good: Transition = {
    actor: 3,
    kind: Kind.store,
    enabled: true,
    ready: false,
    choices: 1,
    object: 0x2000,
    arg0: 1n,
    arg1: 0n,
    extras: [],
  };
  const cache = new RecordCache();
  state(stateFrame([good]), cache);
  for (
    const [bad, message] of [[{ ...good, choices: 0 }, /0 choices/], [
      { ...good, kind: 200 as Transition["kind"] },
      /unknown transition kind 200/,
    ]] as const
  ) {
    const frame = stateFrame([bad]);
    assert.throws(() => decode(frame), message);
    assert.throws(() => decode(frame, cache), message);
  }
  // The refused records were not kept: the good one still reads as before.
  assert.deepEqual(state(stateFrame([good]), cache).point.transitions, [good]);
});

Deno.test("arguments read as the 64-bit values written, shared small ones included", () => {
  const cache = new RecordCache();
  const all = [...values, 1023n, -1024n, 2n ** 53n + 1n, 2n ** 63n - 1n];
  for (let i = -300; i <= 300; i++) all.push(BigInt(i));
  const transitions = all.map((arg0, i): Transition => ({
    actor: i,
    kind: Kind.store,
    enabled: true,
    ready: false,
    choices: 1,
    object: 0x3000,
    arg0,
    arg1: -arg0 === 2n ** 63n ? 0n : -arg0,
    extras: [],
  }));
  for (const c of [undefined, cache, cache]) {
    const got = state(stateFrame(transitions), c).point.transitions;
    assert.deepEqual(got.map((t) => t.arg0), transitions.map((t) => t.arg0));
    assert.deepEqual(got.map((t) => t.arg1), transitions.map((t) => t.arg1));
  }
});
