/**
 * The timeline of a parallel run (bench/parallel_timeline.ts) on a hand-made job log whose
 * breakdown is worked out by hand: per worker the seconds busy on jobs used and on jobs not used,
 * idle the rest; the critical paths of the jobs used with perfect speculation (a job waits for
 * its parent) and without (it waits for every earlier job under its parent too).
 */

import assert from "node:assert/strict";
import { timeline } from "../bench/parallel_timeline.ts";
import type { JobRecord } from "../lib/parallel/job_log.ts";

const record = (
  id: number[],
  worker: number,
  sent: number,
  received: number,
  used?: boolean,
): JobRecord => ({
  id,
  worker,
  kind: "explored",
  children: 0,
  sent,
  received,
  jobBytes: 0,
  outcomeBytes: 0,
  handSeconds: 0,
  takeSeconds: 0,
  transitions: 0,
  executions: 0,
  used,
  dropped: false,
});

Deno.test("timeline: busy on used and unused jobs, idle, and the two critical paths", () => {
  const t = timeline({
    version: 1,
    workers: 2,
    seconds: 10,
    coordinatorCpu: 0.5,
    jobs: [
      record([], 0, 0, 1, true),
      record([0], 0, 1, 4, true),
      record([1], 1, 1, 3, true),
      record([0, 0], 1, 3, 5), // an older log: no `used`, counted as used
      record([1], 1, 5, 5.5, false), // run ahead, its inputs changed
    ],
  });
  assert.equal(t.jobs, 5);
  assert.equal(t.usedJobs, 4);
  assert.equal(t.usedWork, 8);
  assert.equal(t.coordinatorCpu, 0.5);
  assert.deepEqual(t.workers, [
    { worker: 0, used: 4, unused: 0, idle: 6, jobs: 2, usedJobs: 2 },
    { worker: 1, used: 4, unused: 0.5, idle: 5.5, jobs: 3, usedJobs: 2 },
  ]);
  // Parents only: [] 1, [0] 1+3, [0,0] 4+2, [1] 1+2: the longest is 6.
  assert.equal(t.criticalSpeculated, 6);
  // [1] waits for [0] and [0,0] under the root too: 6 + 2.
  assert.equal(t.criticalFinal, 8);
});
