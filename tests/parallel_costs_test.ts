/**
 * What the parallel benches measure with: a job's cost record (lib/parallel/job_costs.ts, behind
 * ISOMC_WORKER_COSTS) counts the worker's main thread's CPU and its program's, read from the
 * kernel's schedstat, and the parallel bench's bound (bench/parallel.ts) is worked out by hand.
 */

import assert from "node:assert/strict";
import { JobClock, schedstat } from "../lib/parallel/job_costs.ts";
import { twoCpuBound } from "../bench/parallel.ts";

/** Spins this thread until it has run for `ms` of CPU time (however loaded the machine is). */
function spin(ms: number): void {
  const until = schedstat("thread-self").runMs + ms;
  while (schedstat("thread-self").runMs < until) {
    // spin
  }
}

/** A child process running `script`, killed (and reaped) after `body`. */
async function withChild(script: string, body: () => Promise<void>): Promise<void> {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  try {
    await body();
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

Deno.test("a job's cost record counts the worker's CPU and its child program's, not a sleeper's", async () => {
  await withChild("while :; do :; done", async () => {
    const clock = new JobClock([0], false, 0, 0);
    spin(150);
    await new Promise((r) => setTimeout(r, 400));
    const record = clock.close();
    assert.ok(record.cpuMs >= 100 && record.cpuMs < 400, `worker CPU ${record.cpuMs} ms`);
    // The child spun all along (over 550 ms, 400 of which we slept; a loaded machine shares).
    assert.ok(record.programCpuMs >= 50, `program CPU ${record.programCpuMs} ms`);
    assert.ok(record.delayMs >= 0 && record.programDelayMs >= 0);
  });
  await withChild("exec sleep 30", async () => {
    const clock = new JobClock([1], false, 0, 0);
    await new Promise((r) => setTimeout(r, 200));
    const idle = clock.close();
    assert.ok(idle.programCpuMs < 20, `sleeping program ${idle.programCpuMs} ms`);
  });
});

Deno.test("the 2-CPU bound: --jobs=1's CPU spread over two CPUs", () => {
  // One worker's run took 3 s of wall and 3.6 s of CPU (its helpers ran on the other CPU): two
  // CPUs take at least 1.8 s for the same work, a speed-up of 3 / 1.8.
  assert.equal(twoCpuBound({ wall_s: 3, cpu_s: 3.6 }).toFixed(4), (3 / 1.8).toFixed(4));
  // A run that used one CPU whole could at best halve.
  assert.equal(twoCpuBound({ wall_s: 4, cpu_s: 4 }), 2);
  assert.equal(twoCpuBound({ wall_s: 1, cpu_s: 0 }), Infinity);
});
