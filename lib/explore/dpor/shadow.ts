/**
 * Whether a transition that can block would be enabled after a subsequence of the explored
 * execution: the checker replays, on small shadow models of the objects, only the events it
 * keeps. This decides if a race can be reversed (its second event must be enabled where the
 * reversal puts it). The shadow models follow native/src/runtime/transitions.zig.
 */

import { Kind, type Transition } from "../../model/transition.ts";
import { mutexEffect, postOf } from "../../model/independence.ts";
import type { Event } from "./event.ts";

type Keep = (k: number) => boolean;

function mutexFree(events: readonly Event[], j: number, mutex: number, keep: Keep): boolean {
  let owner = 0;
  for (let k = 0; k < j; k++) {
    if (!keep(k)) continue;
    const m = mutexEffect(events[k].transition);
    if (m === null || m.mutex !== mutex) continue;
    if (m.effect === "release") owner = 0;
    else if (m.effect === "acquire" || owner === 0) owner = events[k].actor;
  }
  return owner === 0;
}

const semaphoreKinds: ReadonlySet<Kind> = new Set<Kind>([
  Kind.semAcquire,
  Kind.semRelease,
  Kind.semTrywait,
  Kind.semGetvalue,
]);

function semaphoreValue(events: readonly Event[], j: number, sem: number, keep: Keep): bigint {
  const isOp = (t: Transition): boolean => semaphoreKinds.has(t.kind) && t.object === sem;
  // The first operation's record shows the value the semaphore was created with.
  const first = events.find((e) => isOp(e.transition));
  let value = first === undefined ? 0n : first.transition.arg0;
  for (let k = 0; k < j; k++) {
    const t = events[k].transition;
    if (!keep(k) || !isOp(t)) continue;
    if (t.kind === Kind.semRelease) value++;
    else if (t.kind === Kind.semAcquire) value--;
    // A trywait takes it only if it is positive where the subsequence puts it.
    else if (t.kind === Kind.semTrywait && value > 0n) value--;
  }
  return value;
}

function signalled(events: readonly Event[], j: number, cond: number, keep: Keep): boolean {
  const actor = events[j].actor;
  const waiters: number[] = [];
  const woken = new Set<number>();
  for (let k = 0; k < j; k++) {
    const t = events[k].transition;
    if (!keep(k) || t.object !== cond) continue;
    if (t.kind === Kind.condWait) {
      waiters.push(events[k].actor);
      woken.delete(events[k].actor);
    } else if (t.kind === Kind.condSignal) {
      const first = waiters.shift();
      if (first !== undefined) woken.add(first);
    } else if (t.kind === Kind.condBroadcast) {
      for (const a of waiters.splice(0)) woken.add(a);
    } else if (t.kind === Kind.condWake) {
      woken.delete(events[k].actor);
    }
  }
  return woken.has(actor);
}

function roundComplete(events: readonly Event[], j: number, barrier: number, keep: Keep): boolean {
  const actor = events[j].actor;
  let arrived = -1;
  let generation = 0;
  let mine = -1;
  for (let k = 0; k < j; k++) {
    const t = events[k].transition;
    if (!keep(k) || t.kind !== Kind.barrierArrive || t.object !== barrier) continue;
    if (arrived < 0) arrived = Number(t.arg1);
    if (events[k].actor === actor) mine = generation;
    arrived++;
    if (arrived === Number(t.arg0)) {
      arrived = 0;
      generation++;
    }
  }
  return mine >= 0 && generation !== mine;
}

function commMatched(events: readonly Event[], j: number, comm: number, keep: Keep): boolean {
  // The comm's post: the last one with its id before j (an id comes back once its comm is
  // released, and the owner's own events are all kept). Posts are followed by event index.
  let own = j - 1;
  while (own >= 0 && postOf(events[own].transition)?.comm !== comm) own--;
  if (own < 0) return false;
  const mailbox = postOf(events[own].transition)!.mailbox;
  const sends: number[] = [];
  const recvs: number[] = [];
  for (let k = 0; k < j; k++) {
    if (!keep(k)) continue;
    const post = postOf(events[k].transition);
    if (post === null || post.mailbox !== mailbox) continue;
    const mine = post.side === "send" ? sends : recvs;
    const theirs = post.side === "send" ? recvs : sends;
    const other = theirs.shift();
    if (other === undefined) {
      mine.push(k);
    } else if (other === own || k === own) {
      return true;
    }
  }
  return false;
}

/** Is events[j] enabled after the events k < j for which keep(k) holds, in their order? */
export function enabledAfter(events: readonly Event[], j: number, keep: Keep): boolean {
  const ev = events[j];
  const t = ev.transition;
  switch (t.kind) {
    case Kind.mutexLock:
      return mutexFree(events, j, t.object, keep);
    case Kind.semAcquire:
      return semaphoreValue(events, j, t.object, keep) > 0n;
    case Kind.condWake:
      return signalled(events, j, t.object, keep) &&
        mutexFree(events, j, Number(t.arg0), keep);
    case Kind.barrierLeave:
      return roundComplete(events, j, t.object, keep);
    case Kind.wait:
      return commMatched(events, j, t.object, keep);
    case Kind.waitany:
      return commMatched(events, j, ev.alt, keep);
    default:
      return true;
  }
}
