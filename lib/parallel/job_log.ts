/**
 * The job log of a parallel run: for each job handed out, when it went and came back, its
 * messages' sizes, the coordinator's own time on it, and what it explored. A run writes it when
 * ISOMC_PARALLEL_LOG names a file (bench/parallel.ts does); the scaling simulation
 * (scaling.ts) replays it with any number of simulated workers.
 */

export interface JobRecord {
  /** Its place in the job tree (the branch index at each split level); its parent drops the last. */
  readonly id: readonly number[];
  readonly worker: number;
  readonly kind: "split" | "node" | "explored" | "spawner";
  /** The jobs a split made. */
  readonly children: number;
  /** Seconds from the search's start: the job sent, its outcome received. */
  readonly sent: number;
  readonly received: number;
  readonly jobBytes: number;
  readonly outcomeBytes: number;
  /** The coordinator's own seconds on this job: choosing and sending it (its wait aside). */
  readonly handSeconds: number;
  /** And decoding its outcome, adding it to the tree. */
  readonly takeSeconds: number;
  readonly transitions: number;
  readonly executions: number;
  /** Whether the search used its answer (sdpor/odpor speculation may not), and whether its
   * worker was told to drop it; filled in when the run ends. */
  readonly used?: boolean;
  readonly dropped?: boolean;
}

export interface JobLog {
  readonly version: 1;
  readonly workers: number;
  /** The whole run's wall-clock seconds, as the coordinator saw it. */
  readonly seconds: number;
  readonly jobs: readonly JobRecord[];
  /** The coordinator process's own CPU seconds (user + system, all its threads). */
  readonly coordinatorCpu?: number;
}

/** Writes `log` where ISOMC_PARALLEL_LOG says, if it does (best effort: a bench's knob). */
export function writeJobLog(log: JobLog): void {
  let path: string | undefined;
  try {
    path = Deno.env.get("ISOMC_PARALLEL_LOG");
  } catch {
    return; // no permission to read the environment: no log
  }
  if (path === undefined || path === "") return;
  Deno.writeTextFileSync(path, JSON.stringify(log));
}
