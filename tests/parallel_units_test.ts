/**
 * The sdpor/odpor coordinator's answers cache (lib/parallel/dpor_units.ts): units found by a
 * hash of their wakeup tree, and never an answer used for a tree other than the one it ran
 * with, even when two trees share a hash (a hash that collides is forced here).
 */

import assert from "node:assert/strict";
import { treeHash, UnitCache } from "../lib/parallel/dpor_units.ts";
import type { Event } from "../lib/explore/dpor/event.ts";
import { SleepSet } from "../lib/explore/dpor/sleep.ts";
import { treeFromData, treeKey, WakeupNode } from "../lib/explore/dpor/wakeup_tree.ts";
import { Kind, type Step, type Transition } from "../lib/model/transition.ts";
import type { JobOutcome } from "../lib/parallel/job.ts";
import { newStats } from "../lib/explore/result.ts";

function event(actor: number, alt = 0): Event {
  const transition = { actor, kind: Kind.yield, choices: 1 } as unknown as Transition;
  return { actor, alt, transition, accesses: [], created: [] };
}

/** A tree of the given sequences, in order (each appended as a branch from the root). */
function tree(...sequences: number[][]): WakeupNode {
  const root = new WakeupNode(null);
  for (const s of sequences) root.append(s.map((a) => event(a)));
  return root;
}

const attempt = () => ({ spawners: [], epoch: 0 });
const prefix: Step[] = [{ actor: 1, choice: 0 }];
const explored: JobOutcome = {
  kind: "explored",
  part: {
    stats: newStats(),
    violation: null,
    depthCut: false,
    stopped: null,
    endless: null,
  },
} as JobOutcome;

Deno.test("treeHash: equal for equal trees, apart for a branch's order, depth or value", () => {
  assert.equal(treeHash(tree([1, 2], [3])), treeHash(tree([1, 2], [3])));
  const names = [
    tree(),
    tree([1]),
    tree([1, 2]),
    tree([1], [2]),
    tree([2], [1]),
    tree([1, 2], [3]),
    tree([1], [2, 3]),
    tree([1, 2, 3]),
  ].map(treeHash);
  assert.equal(new Set(names).size, names.length);
  const alt = new WakeupNode(null);
  alt.append([event(1, 1)]);
  assert.notEqual(treeHash(alt), treeHash(tree([1])));
  assert.match(treeHash(tree([1])), /^[0-9a-f]{16}$/);
});

Deno.test("the cache finds a unit by its inputs, the tree by hash", () => {
  const cache = new UnitCache(attempt);
  const a = cache.unit(false, [0], prefix, SleepSet.empty(), tree([1, 2]));
  assert.equal(cache.unit(false, [0], prefix, SleepSet.empty(), tree([1, 2])), a);
  assert.notEqual(cache.unit(false, [0], prefix, SleepSet.empty(), tree([1, 2], [3])), a);
  assert.notEqual(cache.unit(true, [0], prefix, SleepSet.empty(), tree([1, 2])), a);
  // The job carries the tree, whole.
  const job = a.make();
  assert.equal(treeKey(treeFromData(job.dpor!.tree)), treeKey(tree([1, 2])));
  assert.equal(a.treeText, treeKey(tree([1, 2])));
});

Deno.test("two trees of one hash: the frontier never takes the other tree's answer", () => {
  const cache = new UnitCache(attempt, () => "same");
  const sleep = SleepSet.empty();
  const ran = tree([1, 2]);
  const u = cache.unit(false, [0], prefix, sleep, ran);
  const job = u.make();
  u.job = job;
  u.state = "done";
  u.outcome = explored;
  // The prediction (not exact) finds it by the hash alone,
  assert.equal(cache.unit(false, [0], prefix, sleep, tree([3])), u);
  // the frontier, with another tree of that hash, gets a unit of its own, pending,
  const other = tree([3]);
  const v = cache.unit(false, [0], prefix, sleep, other, true);
  assert.notEqual(v, u);
  assert.equal(v.state, "pending");
  assert.equal(treeKey(treeFromData(v.make().dpor!.tree)), treeKey(other));
  // which the cache keeps from then on: the first job's answer is no longer found.
  assert.equal(cache.byKey(job.key), v);
  // With the tree the job ran with, the frontier gets its answer.
  const cache2 = new UnitCache(attempt, () => "same");
  const w = cache2.unit(false, [0], prefix, sleep, tree([1, 2]));
  w.job = w.make();
  w.state = "done";
  assert.equal(cache2.unit(false, [0], prefix, sleep, tree([1, 2]), true), w);
});

Deno.test("a unit not handed out yet stands for the frontier's tree", () => {
  const cache = new UnitCache(attempt, () => "same");
  const sleep = SleepSet.empty();
  const guessed = cache.unit(false, [0], prefix, sleep, tree([1]));
  const asked = tree([2, 1]);
  assert.equal(cache.unit(false, [0], prefix, sleep, asked, true), guessed);
  assert.equal(treeKey(treeFromData(guessed.make().dpor!.tree)), treeKey(asked));
});
