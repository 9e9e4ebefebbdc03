/**
 * The coordinator process of a parallel check: it listens (a Unix socket in a private
 * directory for --jobs, TCP for --coordinator=HOST:PORT), starts the local workers itself for
 * --jobs, and feeds the coordinator (coordinator.ts) with what the connections bring: a worker
 * that connects gets jobs, one at a time; a worker whose connection drops loses its job to
 * the next free one. Local workers are started (local.ts) under the kernel's parent-death signal
 * and each on its own CPU, and are waited for: none outlives the check.
 */

import type { Reduction } from "../explore/explore.ts";
import type { ExplorationResult, Stats } from "../explore/result.ts";
import { InputError, InternalError } from "../errors.ts";
import { listen, startWorker } from "./local.ts";
import { registerTemporary, removeTemporary } from "../process/cleanup.ts";
import { newCoordinator } from "./coordinator.ts";
import type { Job, SplitConfig, StartImage } from "./job.ts";
import { type JobRecord, writeJobLog } from "./job_log.ts";
import { printOutput } from "./output.ts";
import process from "node:process";
import {
  type Address,
  Connection,
  type ToCoordinator,
  wireVersion,
  type WorkerSetup,
} from "./wire.ts";

/** How the work was spread (--json's `parallel`). */
export interface ParallelReport {
  readonly workers: number;
  readonly jobs: number;
  readonly steals: number;
  readonly idle_seconds: number;
  readonly messages: number;
  /** sdpor, odpor: jobs run ahead whose answers were not used (their inputs changed). */
  readonly unused: number;
  /** Jobs their workers were told to drop (of no use any more). */
  readonly dropped: number;
  /** Jobs workers gave away from the one they ran, asked when another had none (none, sleep). */
  readonly donated: number;
}

export interface ParallelRun {
  readonly result: ExplorationResult;
  readonly actors: Map<number, string>;
  readonly objects: Map<number, string>;
  readonly parallel: ParallelReport;
  /**
   * A worker's program drew a wide nondet value from the range (docs/svcomp.md): a search that
   * finds nothing is incomplete. A property of the program's tree once the search ends ok (every
   * trace explored), so the jobs whose answers went unused may tell it too.
   */
  readonly nondetRange: boolean;
}

export interface DriveOptions {
  readonly reduction: Reduction;
  readonly setup: Omit<WorkerSetup, "split">;
  readonly maxDepth?: number;
  /** --max-executions: the sequential search's first N executions (coordinator.ts). */
  readonly maxExecutions?: number;
  /** --show-output: the program's stdout to ours ("stderr": to our stderr, under --json). */
  readonly showOutput?: true | "stderr";
  /** Prune visited states (--reduction=none): claimed from the coordinator. */
  readonly visited?: boolean;
  /** With visited: how every copy starts (reference.ts). */
  readonly start?: StartImage;
  /** With visited: the program's environment, the same on every worker (it is on its stack). */
  readonly programEnv?: Readonly<Record<string, string>>;
  /** Start this many local workers (--jobs), or none: they connect (--coordinator). */
  readonly jobs?: number;
  /** --coordinator=ADDR: listen there (TCP) for workers started elsewhere. */
  readonly listen?: Address;
  /** --expect-workers: how many to wait for before the first job is handed out. */
  readonly expectWorkers?: number;
  /** The program and its arguments, for local workers' command line. */
  readonly program: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (stats: Readonly<Stats>) => void;
}

/** Levels of the tree split into jobs, and the widest node split (docs/parallel.md). */
export const splitDepth = 4;
/**
 * sdpor, odpor: levels of nodes with a choice kept by the coordinator at least; below them the
 * cut goes deeper while few jobs wait (dpor_coordinator.ts). readers(11) under odpor: 211 jobs
 * with 2 and 964 with 4 for 2,048 executions; lastzero(10): 38 and 203 for 3,328.
 */
export const dporSplitDepth = 2;
export const maxFanout = 64;

export async function drive(options: DriveOptions): Promise<ParallelRun> {
  const split: SplitConfig = {
    reduction: options.reduction,
    splitDepth: options.reduction === "sdpor" || options.reduction === "odpor"
      ? dporSplitDepth
      : splitDepth,
    maxFanout,
    workers: options.jobs ?? options.expectWorkers,
    maxDepth: options.maxDepth,
    maxExecutions: options.maxExecutions,
    visited: options.visited,
    start: options.start,
  };
  const startedMs = performance.now();
  const coordinator = newCoordinator(split);
  const dir = options.listen === undefined ? Deno.makeTempDirSync({ prefix: "isomc-" }) : null;
  if (dir !== null) registerTemporary(dir);
  const listener = listen(options.listen ?? { transport: "unix", path: `${dir}/coordinator` });
  const actors = new Map<number, string>();
  const objects = new Map<number, string>();
  const children: Deno.ChildProcess[] = [];
  const links = new Set<Connection>();
  /** Each connected worker's link, by its id (to tell it to drop a job). */
  const linkOf = new Map<number, Connection>();
  /**
   * Jobs still running that can no longer count (right of the first violation; sdpor and
   * odpor: run ahead, their inputs changed since): their workers drop them and take others.
   */
  const dropUseless = (): void => {
    for (const { worker, job } of coordinator.useless()) {
      const link = linkOf.get(worker);
      if (link === undefined) continue;
      coordinator.dropped(worker, job);
      droppedJobs.add(job);
      link.send({ type: "drop", id: job.id, epoch: job.epoch, key: job.key ?? null })
        .catch(() => {});
    }
  };
  let failure: Error | null = null;
  let connected = 0;
  let everConnected = 0;
  /** The pids that said hello, and the local workers that ended before they did. */
  const greeted = new Set<number>();
  let diedUnconnected = 0;
  let idleMs = 0;
  let messages = 0;
  let nondetRange = false;
  const log: JobRecord[] = [];
  const logged: Job[] = [];
  const droppedJobs = new WeakSet<Job>();
  const since = (ms: number): number => (ms - startedMs) / 1000;
  // Whoever waits for the state to change (a job done, a worker lost or come) waits on this.
  let changed: () => void = () => {};
  let change = new Promise<void>((resolve) => (changed = resolve));
  const notify = (): void => {
    changed();
    change = new Promise<void>((resolve) => (changed = resolve));
  };
  const expected = options.jobs ?? options.expectWorkers ?? 1;
  const over = (): boolean =>
    coordinator.finished || failure !== null || (options.signal?.aborted ?? false);

  const serveWorker = async (link: Connection, id: number): Promise<void> => {
    const hello = await link.receive() as ToCoordinator | null;
    if (hello === null || hello.type !== "hello") return;
    if (hello.version !== wireVersion) {
      await link.send({
        type: "refused",
        message: `protocol version ${hello.version}, the coordinator speaks ${wireVersion}`,
      });
      return;
    }
    await link.send({
      type: "setup",
      version: wireVersion,
      setup: {
        ...options.setup,
        split,
        programEnv: options.programEnv,
        showOutput: options.showOutput !== undefined,
      },
    });
    connected++;
    everConnected++;
    linkOf.set(id, link);
    greeted.add(hello.pid);
    notify();
    try {
      // A local worker that died before it connected never will: the others do not wait for it.
      while (
        connected < expected - diedUnconnected && everConnected < expected - diedUnconnected &&
        !over()
      ) await change;
      while (!over()) {
        const chosen = performance.now();
        const job: Job | null = coordinator.next(id);
        if (job === null) {
          // Nothing to hand out: the busiest job is asked to give part of its work away.
          const donor = coordinator.donor();
          const donorLink = donor === null ? undefined : linkOf.get(donor.worker);
          if (donor !== null && donorLink !== undefined) {
            donorLink.send({ type: "donate", id: donor.job.id, epoch: donor.job.epoch })
              .catch(() => {});
          }
          const idleFrom = performance.now();
          await change;
          idleMs += performance.now() - idleFrom;
          continue;
        }
        const choosing = performance.now() - chosen;
        await link.send({ type: "job", job });
        const sent = performance.now();
        const jobBytes = link.lastSent;
        const sending = choosing + link.lastSendMs;
        let m = await link.receive() as ToCoordinator | null;
        while (m !== null && (m.type === "claim" || m.type === "donated")) {
          if (m.type === "claim") {
            await link.send({ type: "claimed", mine: coordinator.claim(m.hash, m.epoch) });
          } else if (m.epoch === job.epoch && sameIds(m.id, job.id)) {
            coordinator.donated(id, job, m.paths);
            notify();
          }
          m = await link.receive() as ToCoordinator | null;
        }
        if (m === null) break;
        if (m.type === "failed") {
          failure = m.exit === 2 ? new InputError(m.message) : new InternalError(m.message);
          break;
        }
        if (m.type !== "outcome") break;
        const received = performance.now();
        if (m.nondetRange === true) nondetRange = true;
        for (const [k, v] of m.actors) actors.set(k, v);
        for (const [k, v] of m.objects) objects.set(k, v);
        coordinator.complete(id, job, m.outcome);
        // --show-output: what is now final in the sequential order, in that order.
        if (options.showOutput !== undefined) {
          printOutput(
            coordinator.takeOutput(),
            options.showOutput === "stderr" ? Deno.stderr : Deno.stdout,
          );
        }
        if (!over()) dropUseless();
        const o = m.outcome;
        const stats = o.kind === "split" || o.kind === "node"
          ? o.stats
          : o.kind === "explored"
          ? o.part.stats
          : null;
        log.push({
          id: job.id,
          worker: id,
          kind: o.kind,
          children: o.kind === "split" ? o.branches.length : 0,
          sent: since(sent),
          received: since(received),
          jobBytes,
          outcomeBytes: link.lastReceived,
          handSeconds: sending / 1000,
          takeSeconds: (link.lastDecodeMs + performance.now() - received) / 1000,
          transitions: stats?.transitions ?? 0,
          executions: stats?.executions ?? 0,
        });
        logged.push(job);
        if (options.onProgress !== undefined) {
          options.onProgress({
            ...coordinator.result((performance.now() - startedMs) / 1000).stats,
          });
        }
        notify();
      }
      // The search is over (or failed): the worker is told to stop, and ends.
      await link.send({ type: "stop" }).catch(() => {});
      await link.closeWrite();
      while (await link.receive() !== null) {
        // what it sent before it heard: of no use now
      }
    } finally {
      linkOf.delete(id);
      connected--;
      coordinator.lost(id);
      messages += link.messages;
      notify();
    }
  };

  const accepting = (async () => {
    let id = 0;
    const serving: Promise<void>[] = [];
    try {
      for await (const conn of listener) {
        const link = new Connection(conn);
        links.add(link);
        serving.push(
          serveWorker(link, id++).catch(() => {}).finally(() => {
            link.close();
            links.delete(link);
          }),
        );
      }
    } catch {
      // the listener was closed
    }
    await Promise.all(serving);
  })();

  const address = `unix:${dir}/coordinator`;
  if (options.jobs !== undefined) {
    for (let k = 0; k < options.jobs; k++) {
      children.push(startWorker(address, options.program, k, options.setup.pinCpu));
    }
  }
  const exits = children.map((c) =>
    c.status.then(() => {
      if (!greeted.has(c.pid)) diedUnconnected++;
      notify();
    })
  );
  const abort = (): void => notify();
  options.signal?.addEventListener("abort", abort);
  try {
    while (!over()) {
      // Local workers all gone, with work left: nobody will do it.
      // (Before any connected too: workers that all die while starting would hang the check.)
      if (options.jobs !== undefined && connected === 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        // Any change wakes it too: before, a search that ended within the first 2 s (the
        // workers connected meanwhile) was seen to end only when this timer fired (readers(13)
        // with 2 workers: its last outcome at 1.74 s, the check's end at 2.25 s).
        const alive = await Promise.race([
          Promise.all(children.map((c) => c.status)).then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 2000))),
          change.then(() => true),
        ]);
        clearTimeout(timer);
        // The search may have ended while this waited (workers leave when told to stop).
        if (!alive && connected === 0 && !over()) {
          failure = new InternalError("every worker was lost before the search ended");
          break;
        }
      }
      await Promise.race([change, new Promise((r) => setTimeout(r, 500))]);
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
    // Each worker is told to stop, then ends and closes its side (closing ours at once could
    // reset the connection under its last message); one that does not is cut off.
    for (const link of links) {
      await link.send({ type: "stop" }).catch(() => {});
      await link.closeWrite();
    }
    listener.close();
    const cut = setTimeout(() => {
      for (const link of links) link.close();
    }, 5000);
    await accepting;
    clearTimeout(cut);
    for (const c of children) {
      const t = setTimeout(() => {
        try {
          c.kill("SIGKILL");
        } catch {
          // it ended
        }
      }, 5000);
      await c.status;
      clearTimeout(t);
    }
    await Promise.all(exits);
    if (dir !== null) removeTemporary(dir);
  }
  if (failure !== null) throw failure;
  const seconds = (performance.now() - startedMs) / 1000;
  let result = coordinator.result(seconds);
  if (options.signal?.aborted && !coordinator.finished) {
    result = { ...result, verdict: "incomplete", violation: null, incomplete: "interrupted" };
  }
  const m = coordinator.metrics;
  const cpu = process.cpuUsage();
  writeJobLog({
    version: 1,
    workers: everConnected,
    seconds,
    jobs: log.map((r, k) => ({
      ...r,
      used: !coordinator.unusedAnswer(logged[k]),
      dropped: droppedJobs.has(logged[k]),
    })),
    coordinatorCpu: (cpu.user + cpu.system) / 1e6,
  });
  return {
    result,
    actors,
    objects,
    nondetRange,
    parallel: {
      workers: everConnected,
      jobs: m.jobs,
      steals: m.steals,
      idle_seconds: Number((idleMs / 1000).toFixed(3)),
      messages,
      unused: m.unused,
      dropped: m.dropped,
      donated: m.donated,
    },
  };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
