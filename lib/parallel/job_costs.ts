/**
 * Where a worker's time per job goes, behind ISOMC_WORKER_COSTS=FILE (a bench's knob,
 * bench/README.md "Parallel, part 3"): the job waiting in the worker's queue, the start from
 * the initial state (JobStarts), the prefix replayed, the wakeup tree read in, the first
 * execution of a subtree's search (run and analysed whole, docs/parallel.md fact (3)), the rest
 * of the search, the operations packed, the outcome encoded and written; and from the kernel's
 * schedstat, the CPU of the worker's main thread and of its program over the job, and the time
 * each was runnable but waiting for its CPU (bench/README.md "Parallel, part 4": with two workers
 * the helper threads and the coordinator take it). Each worker appends one JSON line per job to
 * FILE.PID. Off (and free) when the variable is unset.
 */

/** The phases of one job, in milliseconds. */
export interface JobCostRecord {
  id: readonly number[];
  probe: boolean;
  prefix: number;
  /** How the job began: "fresh" (the program started), "initial" (restored), "reuse" (kept). */
  began: string;
  queueMs: number;
  startMs: number;
  prefixMs: number;
  treeMs: number;
  firstMs: number;
  searchMs: number;
  packMs: number;
  sendMs: number;
  restoreMs: number;
  executions: number;
  /** The worker's main thread's CPU over the job (its run time, /proc/thread-self/schedstat). */
  cpuMs: number;
  /**
   * The worker's main thread's time runnable but not running over the job (schedstat's run
   * delay): what other threads on its CPU took from it.
   */
  delayMs: number;
  /** The same two for the worker's child processes' main threads (its program). */
  programCpuMs: number;
  programDelayMs: number;
}

/** Marks the phases of one job as it runs; `at(phase)` closes the phase running until now. */
export class JobClock {
  private last = performance.now();
  readonly record: JobCostRecord;
  /** The worker's main thread's and its program's schedstat when the record was opened. */
  private readonly opened: [Schedstat, Schedstat];

  constructor(id: readonly number[], probe: boolean, prefix: number, queueMs: number) {
    this.record = {
      id,
      probe,
      prefix,
      began: "",
      queueMs,
      startMs: 0,
      prefixMs: 0,
      treeMs: 0,
      firstMs: 0,
      searchMs: 0,
      packMs: 0,
      sendMs: 0,
      restoreMs: 0,
      executions: 0,
      cpuMs: 0,
      delayMs: 0,
      programCpuMs: 0,
      programDelayMs: 0,
    };
    this.opened = [schedstat("thread-self"), childrenSchedstat()];
  }

  /** Closes the record: what the main thread and the program ran and waited since it opened. */
  close(): JobCostRecord {
    const [self, program] = [schedstat("thread-self"), childrenSchedstat()];
    this.record.cpuMs = self.runMs - this.opened[0].runMs;
    this.record.delayMs = self.delayMs - this.opened[0].delayMs;
    this.record.programCpuMs = program.runMs - this.opened[1].runMs;
    this.record.programDelayMs = program.delayMs - this.opened[1].delayMs;
    return this.record;
  }

  /** Adds the time since the last mark to `phase`. */
  at(
    phase: "startMs" | "prefixMs" | "treeMs" | "firstMs" | "searchMs" | "packMs" | "sendMs",
  ): void {
    const now = performance.now();
    this.record[phase] += now - this.last;
    this.last = now;
  }
}

/** A task's time run and time waiting on a run queue so far, in ms. */
export interface Schedstat {
  runMs: number;
  delayMs: number;
}

/** /proc/TASK/schedstat: nanoseconds run, then waiting on a run queue (zeros when unreadable). */
export function schedstat(task: string): Schedstat {
  try {
    const [run, delay] = Deno.readTextFileSync(`/proc/${task}/schedstat`).split(" ");
    return { runMs: Number(run) / 1e6, delayMs: Number(delay) / 1e6 };
  } catch {
    return { runMs: 0, delayMs: 0 };
  }
}

/** schedstat summed over this process's children (the program; a fork-restore's copies). */
function childrenSchedstat(): Schedstat {
  const sum = { runMs: 0, delayMs: 0 };
  // Each thread lists the children it forked (the program's runtime forks from the main thread,
  // Deno.Command from another).
  const children: string[] = [];
  try {
    for (const task of Deno.readDirSync("/proc/self/task")) {
      try {
        children.push(
          ...Deno.readTextFileSync(`/proc/self/task/${task.name}/children`).trim().split(" "),
        );
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    return sum;
  }
  for (const pid of children) {
    if (pid === "") continue;
    const s = schedstat(pid);
    sum.runMs += s.runMs;
    sum.delayMs += s.delayMs;
  }
  return sum;
}

/** Where this worker appends its records, or null (the knob is off). */
export function costsFile(): string | null {
  let path: string | undefined;
  try {
    path = Deno.env.get("ISOMC_WORKER_COSTS");
  } catch {
    return null;
  }
  return path === undefined || path === "" ? null : `${path}.${Deno.pid}`;
}

export function appendCost(file: string, record: JobCostRecord): void {
  Deno.writeTextFileSync(file, JSON.stringify(record) + "\n", { append: true });
}
