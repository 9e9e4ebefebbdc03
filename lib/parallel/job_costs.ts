/**
 * Where a worker's time per job goes, behind ISOMC_WORKER_COSTS=FILE (a bench's knob,
 * bench/README.md "Parallel, part 3"): the job waiting in the worker's queue, the start from
 * the initial state (JobStarts), the prefix replayed, the wakeup tree read in, the first
 * execution of a subtree's search (run and analysed whole, docs/parallel.md fact (3)), the rest
 * of the search, the operations packed, the outcome encoded and written. Each worker appends
 * one JSON line per job to FILE.PID. Off (and free) when the variable is unset.
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
}

/** Marks the phases of one job as it runs; `at(phase)` closes the phase running until now. */
export class JobClock {
  private last = performance.now();
  readonly record: JobCostRecord;

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
      cpuMs: -threadCpuMs(),
    };
  }

  /** Closes the record: the CPU the main thread ran for since it was opened. */
  close(): JobCostRecord {
    this.record.cpuMs += threadCpuMs();
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

/** This thread's run time so far, in ms (0 where the kernel does not say). */
function threadCpuMs(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]) / 1e6;
  } catch {
    return 0;
  }
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
