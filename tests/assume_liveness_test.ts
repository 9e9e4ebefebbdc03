/**
 * A liveness search's view of a failed assumption (lib/liveness/observe.ts, blockedEnd): a point
 * where nothing can move and an actor is blocked by its assumption is a cut, a dead end of the
 * search (the run is infeasible), before the spin and deadlock cases; not a deadlock.
 */

import assert from "node:assert/strict";
import { blockedEnd } from "../lib/liveness/observe.ts";
import { Kind, type Point, type Transition } from "../lib/model/transition.ts";

/** A transition never enabled; `spin`: a read that spins for ever (bit 14 of arg1: stuck). */
function pending(actor: number, kind: Kind, spin = false): Transition {
  return {
    actor,
    kind,
    enabled: false,
    ready: false,
    choices: 1,
    object: 0,
    arg0: 0n,
    arg1: spin ? 4n | 1n << 13n | 1n << 14n : 0n,
    extras: [],
    ...(spin ? { spin: true } : {}),
  };
}

Deno.test("a point with an actor blocked by its assumption is a cut for the liveness search, not a deadlock", () => {
  const point = (...transitions: Transition[]): Point => ({ steps: 3, transitions });
  assert.equal(blockedEnd(point(pending(1, Kind.mutexLock))), "deadlock");
  assert.equal(blockedEnd(point(pending(1, Kind.mutexLock), pending(2, Kind.assume))), "cut");
  assert.equal(blockedEnd(point(pending(2, Kind.assume))), "cut");
  // An actor spinning for ever alone is a livelock; with one blocked by its assumption, the run
  // is infeasible: a cut.
  assert.equal(blockedEnd(point(pending(1, Kind.read, true))), "livelock");
  assert.equal(blockedEnd(point(pending(1, Kind.read, true), pending(2, Kind.assume))), "cut");
});
