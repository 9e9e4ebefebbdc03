/**
 * The timeline of one parallel run, from its job log (ISOMC_PARALLEL_LOG, lib/parallel/
 * job_log.ts): per worker, the seconds busy on jobs whose answer the search used, busy on jobs
 * never used (speculation whose inputs changed, or dropped), and idle; the coordinator's CPU;
 * and two critical paths through the jobs used: with perfect speculation (a job waits for its
 * parent only) and with none (a job waits too for every earlier job under its parent, whose
 * races may still insert into its wakeup tree: sdpor/odpor). Usage:
 * `deno run -A bench/parallel_timeline.ts LOG.json...`
 */

import type { JobLog, JobRecord } from "../lib/parallel/job_log.ts";
import { compareIds } from "../lib/parallel/scaling.ts";

export interface Timeline {
  readonly seconds: number;
  readonly coordinatorCpu: number | null;
  readonly workers: {
    worker: number;
    used: number;
    unused: number;
    idle: number;
    jobs: number;
    usedJobs: number;
  }[];
  readonly usedJobs: number;
  readonly jobs: number;
  /** Seconds of the jobs used, in all. */
  readonly usedWork: number;
  readonly criticalSpeculated: number;
  readonly criticalFinal: number;
}

const cost = (j: JobRecord): number => Math.max(0, j.received - j.sent);
const isPrefix = (p: readonly number[], id: readonly number[]): boolean =>
  p.length <= id.length && p.every((x, i) => x === id[i]);

/** The breakdown of `log` (pure). */
export function timeline(log: JobLog): Timeline {
  const byWorker = new Map<number, Timeline["workers"][number]>();
  for (const j of log.jobs) {
    const w = byWorker.get(j.worker) ??
      { worker: j.worker, used: 0, unused: 0, idle: 0, jobs: 0, usedJobs: 0 };
    byWorker.set(j.worker, w);
    w.jobs++;
    if (j.used !== false) {
      w.used += cost(j);
      w.usedJobs++;
    } else w.unused += cost(j);
  }
  for (const w of byWorker.values()) w.idle = Math.max(0, log.seconds - w.used - w.unused);
  const used = log.jobs.filter((j) => j.used !== false).sort((a, b) => compareIds(a.id, b.id));
  // Earliest finish of each used job, in preorder (parents and earlier siblings come first).
  const spec: number[] = [];
  const fin: number[] = [];
  for (let k = 0; k < used.length; k++) {
    const id = used[k].id;
    let s = 0;
    let f = 0;
    for (let i = 0; i < k; i++) {
      const other = used[i].id;
      if (other.length === id.length - 1 && isPrefix(other, id)) s = Math.max(s, spec[i]);
      if (isPrefix(id.slice(0, -1), other)) f = Math.max(f, fin[i]);
    }
    spec.push(s + cost(used[k]));
    fin.push(f + cost(used[k]));
  }
  return {
    seconds: log.seconds,
    coordinatorCpu: log.coordinatorCpu ?? null,
    workers: [...byWorker.values()].sort((a, b) => a.worker - b.worker),
    usedJobs: used.length,
    jobs: log.jobs.length,
    usedWork: used.reduce((s, j) => s + cost(j), 0),
    criticalSpeculated: Math.max(0, ...spec),
    criticalFinal: Math.max(0, ...fin),
  };
}

if (import.meta.main) {
  for (const path of Deno.args) {
    const t = timeline(JSON.parse(await Deno.readTextFile(path)) as JobLog);
    const f = (x: number): string => x.toFixed(2);
    console.log(
      `${path}: ${f(t.seconds)} s, coordinator CPU ${
        t.coordinatorCpu === null ? "-" : f(t.coordinatorCpu)
      } s, jobs ${t.jobs} (used ${t.usedJobs}), used work ${f(t.usedWork)} s, critical path ${
        f(t.criticalSpeculated)
      } s (speculated) / ${f(t.criticalFinal)} s (final inputs)`,
    );
    for (const w of t.workers) {
      console.log(
        `  worker ${w.worker}: used ${f(w.used)} s (${w.usedJobs} jobs), unused ${f(w.unused)} s (${
          w.jobs - w.usedJobs
        }), idle ${f(w.idle)} s`,
      );
    }
  }
}
