/**
 * The scaling simulation: a recorded job tree (job_log.ts: each job's cost on its worker, its
 * messages' sizes, the coordinator's time on it) replayed with N simulated workers, as the
 * coordinator hands jobs out (the leftmost available job in the sequential order to the next
 * free worker; a job is available once its parent's outcome is taken in). The coordinator is
 * one server: handing a job out and taking an outcome in each occupy it for the recorded time,
 * one after the other. Messages take a latency plus their size over the bandwidth. Pure: the
 * predicted makespan, and the three bounds that explain where the speed-up saturates.
 */

export interface ReplayJob {
  /** Its place in the job tree; the parent's id drops the last index (the root's is []). */
  readonly id: readonly number[];
  /** Seconds on the worker. */
  readonly cost: number;
  readonly jobBytes: number;
  readonly outcomeBytes: number;
  /** The coordinator's seconds handing it out, and taking its outcome in. */
  readonly hand: number;
  readonly take: number;
  /**
   * The job whose outcome makes it available, when not the one its id names (a job tree
   * reshaped by a what-if: bench/parallel_shape.ts merges a probe chain into its top job).
   */
  readonly parent?: readonly number[];
}

export interface Network {
  /** Seconds per message, one way. */
  readonly latency: number;
  /** Bytes per second (Infinity: sizes cost nothing). */
  readonly bandwidth: number;
}

export interface Replayed {
  readonly workers: number;
  /** When the last outcome is taken in, from the root handed out at 0. */
  readonly makespan: number;
  /** Sum of the jobs' costs over the workers: no schedule beats it. */
  readonly workBound: number;
  /** The coordinator's own time, every job handed and taken: no schedule beats it either. */
  readonly coordinatorBound: number;
  /** The longest chain of the job tree (each job's messages, coordinator times and cost). */
  readonly criticalPath: number;
  /** Seconds the coordinator was busy over the makespan. */
  readonly coordinatorLoad: number;
}

/** Lexicographic order of job ids: the sequential search's (preorder) order. */
export function compareIds(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

const key = (id: readonly number[]): string => id.join(".");
const parentKey = (j: ReplayJob): string => (j.parent ?? j.id.slice(0, -1)).join(".");

/** Inserts `job` into `sorted` (by id) in its place. */
function insert(sorted: ReplayJob[], job: ReplayJob): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(sorted[mid].id, job.id) < 0) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, job);
}

/** Replays `jobs` (one tree, the root's id []) with `workers` workers over `network`. */
export function replay(jobs: readonly ReplayJob[], workers: number, network: Network): Replayed {
  if (!Number.isInteger(workers) || workers < 1) throw new Error("workers must be at least 1");
  const byParent = new Map<string, ReplayJob[]>();
  let root: ReplayJob | null = null;
  for (const j of jobs) {
    if (j.id.length === 0) {
      root = j;
      continue;
    }
    const p = parentKey(j);
    byParent.set(p, [...(byParent.get(p) ?? []), j]);
  }
  if (root === null) throw new Error("the job tree has no root");
  const transfer = (bytes: number): number =>
    network.latency + (Number.isFinite(network.bandwidth) ? bytes / network.bandwidth : 0);

  // Available jobs, kept sorted in the sequential order; idle workers with the time they idled.
  const pending: ReplayJob[] = [root];
  const idle: number[] = Array.from({ length: workers }, () => 0);
  // Outcomes in flight: when each reaches the coordinator.
  const flights: { at: number; job: ReplayJob }[] = [];
  let coordinatorFree = 0;
  let coordinatorBusy = 0;
  let end = 0;
  let taken = 0;

  const dispatch = (now: number): void => {
    while (pending.length > 0 && idle.length > 0) {
      const job = pending.shift()!;
      idle.sort((a, b) => a - b);
      const freeAt = idle.shift()!;
      const start = Math.max(now, freeAt, coordinatorFree);
      coordinatorFree = start + job.hand;
      coordinatorBusy += job.hand;
      const done = coordinatorFree + transfer(job.jobBytes) + job.cost;
      flights.push({ at: done + transfer(job.outcomeBytes), job });
    }
  };

  dispatch(0);
  while (flights.length > 0) {
    // The next outcome to arrive (ties: the earlier job in the sequential order).
    let next = 0;
    for (let i = 1; i < flights.length; i++) {
      const f = flights[i];
      const n = flights[next];
      if (f.at < n.at || (f.at === n.at && compareIds(f.job.id, n.job.id) < 0)) next = i;
    }
    const { at, job } = flights.splice(next, 1)[0];
    // Its worker asks for the next job as soon as its outcome is sent.
    idle.push(at);
    const start = Math.max(at, coordinatorFree);
    coordinatorFree = start + job.take;
    coordinatorBusy += job.take;
    end = Math.max(end, coordinatorFree);
    taken++;
    for (const child of byParent.get(key(job.id)) ?? []) insert(pending, child);
    dispatch(coordinatorFree);
  }
  if (taken !== jobs.length) throw new Error(`${jobs.length - taken} jobs have no parent`);

  const chain = (j: ReplayJob): number =>
    j.hand + transfer(j.jobBytes) + j.cost + transfer(j.outcomeBytes) + j.take +
    Math.max(0, ...(byParent.get(key(j.id)) ?? []).map(chain));
  const work = jobs.reduce((s, j) => s + j.cost, 0);
  return {
    workers,
    makespan: end,
    workBound: work / workers,
    coordinatorBound: jobs.reduce((s, j) => s + j.hand + j.take, 0),
    criticalPath: chain(root),
    coordinatorLoad: coordinatorBusy / Math.max(end, Number.MIN_VALUE),
  };
}
