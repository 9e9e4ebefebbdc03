/**
 * How local workers sit on the CPUs (lib/parallel/local.ts): as the sequential checker does,
 * each worker's main thread and its program share one CPU, the worker's own (worker k on CPU k),
 * and its other threads (V8's garbage collector and compiler, the runtime's) may run on every
 * CPU, instead of taking their time from the search on the worker's.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";
import { endsWithin, liveProcessesOf, runningProgram, startCli } from "./support/cli.ts";

/** A thread's or a process's allowed CPUs as /proc writes them ("0", "0-1"), or null if gone. */
function allowed(path: string): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(Deno.readTextFileSync(`${path}/status`))?.[1] ??
      null;
  } catch {
    return null;
  }
}

function threadsOf(pid: number): { tid: number; cpus: string | null }[] {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/task`)].map((t) => ({
      tid: Number(t.name),
      cpus: allowed(`/proc/${pid}/task/${t.name}`),
    }));
  } catch {
    return [];
  }
}

Deno.test("--jobs=2 pinned: each worker's main thread and program on its CPU, its other threads free", async () => {
  const online = Deno.readTextFileSync("/sys/devices/system/cpu/online").trim();
  if (!/^0-1$/.test(online) || !Deno.statSync("/usr/bin/taskset").isFile) {
    console.log(`skipped: needs CPUs 0-1 exactly and taskset (CPUs ${online})`);
    return;
  }
  const lastzero = await buildProgram(join(repoRoot, "examples", "dpor", "lastzero.c"));
  // The check starts from a process pinned to CPU 0, as from a test process whose thread an
  // in-process sequential check pinned (the suite failed so): its workers still go one to a
  // CPU (local.ts, onlineCpus; navigator.hardwareConcurrency said 1 and put both on CPU 0).
  const taskset = (...args: string[]) =>
    new Deno.Command("/usr/bin/taskset", { args: [...args, String(Deno.pid)], stdout: "null" })
      .outputSync();
  const before = allowed(`/proc/${Deno.pid}/task/${Deno.pid}`) ?? online;
  taskset("-a", "-p", "-c", "0");
  // lastzero(11) under odpor: several seconds of subtree jobs, time to look.
  const run = startCli(["check", "--json", "--reduction=odpor", "--jobs=2", "--", lastzero, "11"]);
  const seen = new Map<number, { main: string; helpers: Set<string>; program: string | null }>();
  const deadline = Date.now() + 60_000;
  let done = false;
  run.result.then(() => (done = true));
  while (!done && Date.now() < deadline) {
    const workers = liveProcessesOf(lastzero).filter((p) => p.argv.includes("worker"));
    const programs = runningProgram(lastzero);
    for (const w of workers) {
      const threads = threadsOf(w.pid);
      const main = threads.find((t) => t.tid === w.pid)?.cpus ?? null;
      const helpers = new Set(
        threads.filter((t) => t.tid !== w.pid && t.cpus !== null).map((t) => t.cpus!),
      );
      const program = programs.find((p) => p.ppid === w.pid);
      if (main === null || program === undefined) continue;
      // Recorded once the helpers were let go (after the worker's first job) and the main
      // thread is back on its CPU (local.ts widens every thread, then pins the main one again).
      if (helpers.has(online) && /^\d+$/.test(main)) {
        seen.set(w.pid, { main, helpers, program: allowed(`/proc/${program.pid}`) });
      }
    }
    if (seen.size === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const r = await endsWithin(run, 120_000);
  taskset("-a", "-p", "-c", online);
  taskset("-p", "-c", before);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).stats.executions, 7168);
  assert.equal(seen.size, 2, `workers seen with their helpers free: ${seen.size}`);
  const mains = [...seen.values()].map((s) => s.main).sort();
  // Worker k on CPU k, its program with it; every other thread on every CPU.
  assert.deepEqual(mains, ["0", "1"]);
  for (const s of seen.values()) {
    assert.equal(s.program, s.main);
    assert.deepEqual([...s.helpers], [online]);
  }
});
