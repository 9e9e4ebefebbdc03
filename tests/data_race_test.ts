/**
 * The data-race detector on its own (lib/explore/data_race.ts): sequences of transitions, as a
 * search would feed them, with the happens-before that orders accesses (creation, mutexes,
 * semaphores, atomics) and what it does not order. The real programs are in
 * tests/pthread_memory_test.ts.
 */

import assert from "node:assert/strict";
import { Kind, type Transition, type WindowEvent } from "../lib/model/transition.ts";
import { RaceDetector } from "../lib/explore/data_race.ts";

function tr(actor: number, kind: Kind, object = 0, arg1 = 0n): Transition {
  return {
    actor,
    kind,
    enabled: true,
    ready: false,
    choices: 1,
    object,
    arg0: 0n,
    arg1,
    extras: [],
  };
}

const read = (actor: number, at: number, size = 4) => tr(actor, Kind.read, at, BigInt(size));
const write = (actor: number, at: number, size = 4) => tr(actor, Kind.write, at, BigInt(size));
const atomicWrite = (actor: number, at: number) => tr(actor, Kind.write, at, 4n | 1n << 12n);
const atomicRead = (actor: number, at: number) => tr(actor, Kind.read, at, 4n | 1n << 12n);

/** Feeds the steps; `created[i]`: actors created by step i. Returns the first race's steps. */
function race(
  steps: readonly Transition[],
  created: Record<number, number[]> = {},
): number[] | null {
  const d = new RaceDetector();
  for (const a of created[-1] ?? []) d.created(a, 1);
  for (const [i, t] of steps.entries()) {
    const r = d.step(t);
    if (r !== null) return [r.first.step, r.second.step, r.address];
    for (const a of created[i] ?? []) d.created(a, t.actor);
  }
  return null;
}

Deno.test("a write and a read of another actor, unordered: a race between them", () => {
  assert.deepEqual(race([write(2, 100), read(3, 100)]), [0, 1, 100]);
  assert.deepEqual(race([read(2, 100), write(3, 100)]), [0, 1, 100]);
  // Overlapping bytes: an int inside a long.
  assert.deepEqual(race([write(2, 100, 8), read(3, 104)]), [0, 1, 104]);
});

Deno.test("two reads, accesses to disjoint bytes, or the same actor's: no race", () => {
  assert.equal(race([read(2, 100), read(3, 100)]), null);
  assert.equal(race([write(2, 100), write(3, 104)]), null);
  assert.equal(race([write(2, 100), read(2, 100), write(2, 100)]), null);
});

Deno.test("ordered by a mutex, a semaphore, creation or atomics: no race", () => {
  const lock = (a: number) => tr(a, Kind.mutexLock, 7);
  const unlock = (a: number) => tr(a, Kind.mutexUnlock, 7);
  assert.equal(
    race([lock(2), write(2, 100), unlock(2), lock(3), read(3, 100), unlock(3)]),
    null,
  );
  const post = (a: number) => tr(a, Kind.semRelease, 9);
  const wait = (a: number) => tr(a, Kind.semAcquire, 9);
  assert.equal(race([write(2, 100), post(2), wait(3), write(3, 100)]), null);
  // Main writes, then creates actor 2 (its step 0 did): ordered.
  assert.equal(race([write(1, 100), read(2, 100)], { 0: [2] }), null);
  // Published through an atomic flag.
  assert.equal(race([write(2, 100), atomicWrite(2, 200), atomicRead(3, 200), read(3, 100)]), null);
  // Two atomics never race; an atomic and a plain access do.
  assert.equal(race([atomicWrite(2, 100), atomicRead(3, 100)]), null);
  assert.deepEqual(race([atomicWrite(2, 100), read(3, 100)]), [0, 1, 100]);
});

Deno.test("a lock without the unlock before it orders nothing: the race is found", () => {
  // Actor 2 writes after its unlock: actor 3's lock does not order that write.
  const steps = [
    tr(2, Kind.mutexLock, 7),
    tr(2, Kind.mutexUnlock, 7),
    write(2, 100),
    tr(3, Kind.mutexLock, 7),
    read(3, 100),
  ];
  assert.deepEqual(race(steps), [2, 4, 100]);
});

Deno.test("the creator's accesses after a creation are not before the created actor's", () => {
  // Actor 1 yields, creates actor 2 in that step's run, then writes: actor 2's write races with
  // it (before, the creator's next step looked ordered before the new actor).
  const steps = [tr(1, Kind.yield), write(1, 100), write(2, 100)];
  assert.deepEqual(race(steps, { 0: [2] }), [1, 2, 100]);
  assert.deepEqual(race([tr(1, Kind.yield), write(2, 100), write(1, 100)], { 0: [2] }), [
    1,
    2,
    100,
  ]);
});

// ---- Windows: the plain accesses between steps (--memory=sync) ---------------------------

type Item = Transition | readonly WindowEvent[];

const plainRead = (actor: number, address: number, size = 4): WindowEvent => ({
  kind: "access",
  actor,
  access: { address, size, write: false, atomic: false },
});
const plainWrite = (actor: number, address: number, size = 4): WindowEvent => ({
  kind: "access",
  actor,
  access: { address, size, write: true, atomic: false },
});
const creates = (actor: number, created: number): WindowEvent => ({
  kind: "create",
  actor,
  created,
});

/** Feeds a start window (an array first), then steps each followed by an optional window. */
function raceOf(items: readonly Item[]): string | null {
  const d = new RaceDetector();
  for (const item of items) {
    const r = Array.isArray(item)
      ? d.window(item as readonly WindowEvent[])
      : d.step(item as Transition);
    if (r === null) continue;
    const side = (a: typeof r.first) => `${a.actor}:${a.between ? "after" : "at"}${a.step}`;
    return `${side(r.first)} ${side(r.second)} @${r.address}`;
  }
  return null;
}

Deno.test("a window's accesses follow its step: ordered by the lock they ran under, not after its unlock", () => {
  const lock = (a: number) => tr(a, Kind.mutexLock, 7);
  const unlock = (a: number) => tr(a, Kind.mutexUnlock, 7);
  // Actor 2 writes x under the lock (after its lock step), actor 3 reads it under the lock.
  assert.equal(
    raceOf([[], lock(2), [plainWrite(2, 100)], unlock(2), lock(3), [plainRead(3, 100)]]),
    null,
  );
  // The write after the unlock (its window) is not ordered before actor 3's read.
  assert.equal(
    raceOf([[], lock(2), unlock(2), [plainWrite(2, 100)], lock(3), [plainRead(3, 100)]]),
    "2:after1 3:after2 @100",
  );
  // Against a step of another actor: an atomic write after actor 2's plain read of the same bytes.
  assert.equal(
    raceOf([[], tr(2, Kind.yield), [plainRead(2, 100)], atomicWrite(3, 100)]),
    "2:after0 3:at1 @100",
  );
});

Deno.test("a creation in a window orders what the creator did before it, not after", () => {
  // main (1) writes x, creates 2, writes y; then actor 2 (in the same start window) reads both.
  const start = [plainWrite(1, 100), creates(1, 2), plainWrite(1, 200)];
  assert.equal(raceOf([[...start, plainRead(2, 100)]]), null);
  assert.equal(raceOf([[...start, plainRead(2, 200)]]), "1:after-1 2:after-1 @200");
  // Two threads' accesses in one window, neither created by the other: a race.
  assert.equal(
    raceOf([[creates(1, 2), creates(1, 3), plainWrite(2, 100), plainWrite(3, 100)]]),
    "2:after-1 3:after-1 @100",
  );
  // Published through a semaphore, across a step boundary: no race.
  const post = (a: number) => tr(a, Kind.semRelease, 9);
  const wait = (a: number) => tr(a, Kind.semAcquire, 9);
  assert.equal(
    raceOf([[creates(1, 2), creates(1, 3), plainWrite(2, 100)], post(2), wait(3), [
      plainRead(3, 100),
    ]]),
    null,
  );
});
