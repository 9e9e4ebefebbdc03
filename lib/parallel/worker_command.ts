/**
 * `isomc worker --connect=ADDR -- PROGRAM [ARGS]`: one worker of a parallel check. It connects
 * to the coordinator (a Unix socket, or TCP HOST:PORT), gets the search's setup, opens its own
 * copy of the program with the restore strategy asked, and runs the jobs it is given until told
 * to stop. It never outlives its coordinator: when the connection drops it kills its program
 * and exits (exit 3); a worker the coordinator started also has the kernel's parent-death
 * signal (local.ts).
 */

import { openTarget, programEnv, watchRaces } from "../check.ts";
import { ExitCode, exitCodeOf, UsageError } from "../errors.ts";
import { OutcomeWatch } from "../explore/outcome_watch.ts";
import type { Target } from "../explore/target.ts";
import { parse, stringOption } from "../cli/args.ts";
import { workerHelp } from "../cli/help.ts";
import { installCleanup, releaseAll } from "../process/cleanup.ts";
import { ProgramOutput } from "../process/output.ts";
import { resolveProgram } from "../process/resolve.ts";
import type { Job, JobOutcome, SplitConfig } from "./job.ts";
import { JobOutput } from "./output.ts";
import { runJob } from "./run_job.ts";
import { JobStarts } from "./job_target.ts";
import { appendCost, costsFile, JobClock } from "./job_costs.ts";
import { freeHelperThreads, takePinnedMark } from "./local.ts";
import {
  Connection,
  parseAddress,
  type ToCoordinator,
  type ToWorker,
  wireVersion,
} from "./wire.ts";

export async function workerCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse("worker", args, {
    connect: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(workerHelp);
    return ExitCode.ok;
  }
  const text = stringOption(values.connect);
  if (text === undefined) throw new UsageError("worker: --connect=HOST:PORT is required");
  const address = parseAddress(text);
  if (address === null) {
    throw new UsageError(`--connect must be HOST:PORT or unix:PATH (not '${text}')`);
  }
  const [program, ...programArgs] = positionals;
  if (program === undefined) throw new UsageError("worker: no program given (-- ./app)");
  // A worker --jobs pinned itself (local.ts) frees its helper threads; one that srun or a user
  // pinned keeps the binding it was given. Not in the program's environment.
  const pinnedHere = takePinnedMark();
  const spec = resolveProgram(program, programArgs, Deno.env.toObject());
  installCleanup();
  let conn: Deno.Conn;
  try {
    conn = address.transport === "unix"
      ? await Deno.connect({ transport: "unix", path: address.path })
      : await Deno.connect({ hostname: address.hostname, port: address.port });
  } catch (e) {
    throw new UsageError(`worker: cannot connect to ${text}: ${(e as Error).message}`);
  }
  const link = new Connection(conn);
  await link.send({ type: "hello", version: wireVersion, pid: Deno.pid });
  const first = await link.receive() as ToWorker | null;
  if (first === null) return ExitCode.incomplete;
  if (first.type === "refused") throw new UsageError(`worker: refused: ${first.message}`);
  if (first.type !== "setup") throw new UsageError("worker: the coordinator did not set up");
  const setup = first.setup;
  // --show-output: each job's executions' output goes back with its part (output.ts).
  const shown = setup.showOutput === true ? new JobOutput() : null;
  const output = new ProgramOutput(shown ?? false);
  // With visited, the program runs in the coordinator's environment: it is on the stack.
  // Otherwise in the worker's, with the runtime's variables the check's options set.
  const env = setup.programEnv ??
    programEnv(spec.env, {
      memory: setup.memory,
      joinOnExit: setup.joinOnExit,
      nondetRange: setup.nondetRange,
      svcomp: setup.svcomp,
    });
  const { target: opened } = openTarget(
    { ...spec, env },
    output,
    {
      timeoutMs: setup.timeoutMs,
      pinCpu: setup.pinCpu,
      snapshotSpacing: setup.snapshotSpacing,
      maxCheckpoints: setup.maxCheckpoints,
      everyEnd: setup.everyEnd,
      showOutput: shown !== null,
    },
    setup.restore,
    setup.split.visited ?? false,
    setup.split.start ?? null,
  );
  // Data races are looked for on every step a job takes, its prefix's too: each job starts
  // from the initial state (JobStarts) and replays its prefix through the watch, so a race
  // whose first access is in the prefix is found as the sequential search finds it.
  const watched = setup.races === "ignore" ? opened : watchRaces(opened, spec);
  // The SV-COMP conventions are seen through the target, as sequentially (check.ts): each job
  // sees whether the program drew from the nondet range (outcome_watch.ts).
  const watch = new OutcomeWatch();
  const target = watch.wrap(watched);
  try {
    return await serve(link, target, setup.split, shown, watch, setup.pinCpu && pinnedHere);
  } finally {
    await target.close();
    output.close();
    link.close();
    releaseAll();
  }
}

/**
 * Runs jobs as they come, until told to stop (exit 0) or the coordinator is gone (exit 3); a job
 * that fails is told to the coordinator, and ends the worker with the failure's exit code.
 */
async function serve(
  link: Connection,
  target: Target,
  split: SplitConfig,
  shown: JobOutput | null,
  watch: OutcomeWatch,
  pinned: boolean,
): Promise<number> {
  let helpersFreed = false;
  const jobs: Job[] = [];
  /** Claims asked and not answered yet, in order (the coordinator answers in order). */
  const claims: ((mine: boolean) => void)[] = [];
  const waiter: { wake: (() => void) | null } = { wake: null };
  // Each job begins where the last one left the program when their prefixes share steps
  // (job_target.ts); not with --visited (a job's states are claimed, and the reference copies'
  // keys compared, from the initial state restored) nor --show-output (each job leaves its
  // last execution, restoring the initial state, to print it).
  const starts = new JobStarts(target, !split.visited && shown === null);
  const costs = costsFile();
  /** When each queued job arrived (ISOMC_WORKER_COSTS only). */
  const arrived: number[] = [];
  /**
   * The job running, what stops it when the coordinator says it is of no use, and whether
   * it is asked to give work away (donate).
   */
  const now: { current: { job: Job; stop: AbortController; donate: boolean } | null } = {
    current: null,
  };
  // Our messages go one after the other (a donation is sent while the job's search runs).
  let sending: Promise<void> = Promise.resolve();
  const send = (m: ToCoordinator): Promise<void> => (sending = sending.then(() => link.send(m)));
  // The connection is read all along: a coordinator that goes away mid-job ends the worker at
  // once, its program with it, however long the job would take.
  void (async (): Promise<never> => {
    while (true) {
      const m = await link.receive() as ToWorker | null;
      if (m === null || m.type === "stop") {
        // Told to stop (the search is over, the job running is of no use) or left alone:
        // the program goes at once, whatever it was doing.
        releaseAll();
        link.close();
        Deno.exit(m === null ? ExitCode.incomplete : ExitCode.ok);
      }
      if (m.type === "job") {
        jobs.push(m.job);
        if (costs !== null) arrived.push(performance.now());
      }
      const current = now.current;
      if (m.type === "drop" && current !== null && sameJob(current.job, m)) current.stop.abort();
      if (m.type === "donate" && current !== null && sameJob(current.job, { ...m, key: null })) {
        current.donate = true;
      }
      if (m.type === "claimed") claims.shift()?.(m.mine);
      waiter.wake?.();
    }
  })();
  while (true) {
    while (jobs.length === 0) {
      await new Promise<void>((resolve) => (waiter.wake = resolve));
      waiter.wake = null;
    }
    const job = jobs.shift()!;
    const clock = costs === null ? undefined : new JobClock(
      job.id,
      job.dpor?.probe ?? false,
      job.prefix.length,
      performance.now() - arrived.shift()!,
    );
    const current = { job, stop: new AbortController(), donate: false };
    now.current = current;
    let outcome;
    try {
      const claim = async (hash: bigint): Promise<boolean> => {
        const answer = new Promise<boolean>((resolve) => claims.push(resolve));
        await send({ type: "claim", hash, epoch: job.epoch });
        return await answer;
      };
      outcome = await runJob(
        target,
        split,
        job,
        current.stop.signal,
        split.visited ? claim : undefined,
        starts,
        {
          asked: () => {
            const asked = current.donate;
            current.donate = false;
            return asked;
          },
          give: (paths) => void send({ type: "donated", id: job.id, epoch: job.epoch, paths }),
        },
        clock,
      );
    } catch (e) {
      // The check fails as a sequential one would, with this line: the coordinator says it,
      // once (each worker saying it too would print it once per worker). Only a worker that
      // cannot tell the coordinator says it itself.
      const message = e instanceof Error ? e.message : String(e);
      const told = await send({ type: "failed", message, exit: exitCodeOf(e) }).then(
        () => true,
        () => false,
      );
      if (!told) throw e;
      return exitCodeOf(e);
    }
    now.current = null;
    // The program runs now, pinned with our main thread: the helper threads go free (local.ts).
    if (pinned && !helpersFreed) {
      freeHelperThreads();
      helpersFreed = true;
    }
    if (shown !== null) outcome = await withOutput(target, outcome, shown);
    await send({
      type: "outcome",
      job,
      outcome,
      actors: [...target.names.actors],
      objects: [...target.names.objects],
      ...(watch.nondetRange ? { nondetRange: true } : {}),
    });
    if (clock !== undefined && costs !== null) {
      clock.at("sendMs");
      appendCost(costs, clock.close());
    }
  }
}

/** Whether a drop names `job`. */
function sameJob(
  job: Job,
  drop: { id: readonly number[]; epoch: number; key: string | null },
): boolean {
  return job.epoch === drop.epoch && (job.key ?? null) === drop.key &&
    job.id.length === drop.id.length &&
    job.id.every((x, i) => x === drop.id[i]);
}

/**
 * --show-output: the job's last execution is left (a restore to the initial state prints it,
 * as the sequential search prints an execution when it leaves it), and its part carries what
 * its executions printed. What a probe or a split node ran is the start of later executions,
 * which print it whole: dropped.
 */
async function withOutput(
  target: Target,
  outcome: JobOutcome,
  shown: JobOutput,
): Promise<JobOutcome> {
  shown.keep = outcome.kind === "explored";
  await target.restore([]);
  shown.keep = true;
  const output = shown.take();
  if (outcome.kind !== "explored") return outcome;
  return { kind: "explored", part: { ...outcome.part, output } };
}
