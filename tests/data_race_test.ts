/**
 * The data-race detector on its own (lib/explore/data_race.ts): sequences of transitions, as a
 * search would feed them, with the happens-before that orders accesses (creation, mutexes,
 * semaphores, atomics) and what it does not order. The real programs are in
 * tests/pthread_memory_test.ts.
 */

import assert from "node:assert/strict";
import { Kind, type Transition } from "../lib/model/transition.ts";
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
