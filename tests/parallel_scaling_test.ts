/**
 * The scaling simulation (lib/parallel/scaling.ts) on hand-made job trees whose makespans are
 * worked out by hand: the coordinator as one server, jobs handed in the sequential order to the
 * next free worker, a job available once its parent's outcome is in, message latency and size.
 */

import assert from "node:assert/strict";
import { replay, type ReplayJob } from "../lib/parallel/scaling.ts";

const job = (id: number[], cost: number, over: Partial<ReplayJob> = {}): ReplayJob => ({
  id,
  cost,
  jobBytes: 0,
  outcomeBytes: 0,
  hand: 0.1,
  take: 0.1,
  ...over,
});

// The root (1 s) splits into A (2 s) and B (3 s); every hand-out and take-in costs 0.1 s.
const tree = [job([], 1), job([0], 2), job([1], 3)];
const local = { latency: 0, bandwidth: Infinity };
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

Deno.test("one worker: every job after the other, each handed and taken", () => {
  // R 0.1-1.1, taken 1.2; A handed 1.3, done 3.3, taken 3.4; B handed 3.5, done 6.5, taken 6.6.
  const r = replay(tree, 1, local);
  close(r.makespan, 6.6);
  close(r.workBound, 6);
  close(r.coordinatorBound, 0.6);
  // R then B: 0.1 + 1 + 0.1 + 0.1 + 3 + 0.1.
  close(r.criticalPath, 4.4);
});

Deno.test("two workers: A and B at once, B handed after A (the coordinator is one server)", () => {
  // R taken 1.2; A handed 1.2-1.3, done 3.3; B handed 1.3-1.4, done 4.4, taken 4.5.
  const r = replay(tree, 2, local);
  close(r.makespan, 4.5);
  close(r.workBound, 3);
  // Eight workers change nothing: the tree's critical path (4.4) and the hand-outs' order.
  close(replay(tree, 8, local).makespan, 4.5);
});

Deno.test("messages cost their latency and their size over the bandwidth", () => {
  // 0.5 s latency, 100 bytes a second, a job message 10 bytes (0.1 s), an outcome 50 (0.5 s):
  // each job costs 0.1 + 0.6 + cost + 1.0 + 0.1 end to end.
  const sized = tree.map((j) => ({ ...j, jobBytes: 10, outcomeBytes: 50 }));
  const r = replay(sized, 2, { latency: 0.5, bandwidth: 100 });
  // R taken at 2.8; A handed 2.8-2.9, taken 2.9+0.6+2+1.0 = 6.5..6.6; B handed 2.9-3.0,
  // arrives 3.0+0.6+3+1.0 = 7.6, taken 7.7.
  close(r.makespan, 7.7);
  close(r.criticalPath, 7.6);
});

Deno.test("a coordinator slower than the workers is the bound: many small jobs", () => {
  // 100 leaves of 0.01 s under a root of 0 s, each hand-out and take-in 0.01 s: the coordinator
  // does 2 s of work whatever the workers; 64 workers finish when it has.
  const leaves = Array.from({ length: 100 }, (_, i) => job([i], 0.01, { hand: 0.01, take: 0.01 }));
  const many = [job([], 0, { hand: 0.01, take: 0.01 }), ...leaves];
  const r = replay(many, 64, local);
  close(r.coordinatorBound, 2.02);
  close(r.makespan, 2.02);
  assert.ok(r.coordinatorLoad > 0.99);
  assert.throws(() => replay(many, 0, local), /at least 1/);
  assert.throws(() => replay(leaves, 2, local), /no root/);
});

Deno.test("a job's parent given apart from its id: it waits for that job (a reshaped tree)", () => {
  // C ([0,0]) waits for the root, not for A, and comes before B in the sequential order: R
  // taken 1.2; A handed 1.2-1.3, done 3.3; C handed 1.3-1.4, done 2.4, taken 2.4-2.5; B handed
  // 2.5-2.6, done 5.6, taken 5.7. (With C below A, C would wait for A's outcome.)
  const reshaped = [...tree, job([0, 0], 1, { parent: [] })];
  const r = replay(reshaped, 2, local);
  close(r.makespan, 5.7);
  // Its chain is R then C: 0.1 + 1 + 0.1 + 0.1 + 1 + 0.1, shorter than R then B.
  close(r.criticalPath, 4.4);
});
