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
import type { Target } from "../explore/target.ts";
import { parse, stringOption } from "../cli/args.ts";
import { workerHelp } from "../cli/help.ts";
import { installCleanup, releaseAll } from "../process/cleanup.ts";
import { ProgramOutput } from "../process/output.ts";
import { resolveProgram } from "../process/resolve.ts";
import type { Job, SplitConfig } from "./job.ts";
import { JobStarts, runJob } from "./run_job.ts";
import { Connection, parseAddress, type ToWorker, wireVersion } from "./wire.ts";

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
  const output = new ProgramOutput(false);
  // With visited, the program runs in the coordinator's environment: it is on the stack.
  // Otherwise in the worker's, with the runtime's variables the check's options set.
  const env = setup.programEnv ??
    programEnv(spec.env, { memory: setup.memory, joinOnExit: setup.joinOnExit });
  const { target: opened } = openTarget(
    { ...spec, env },
    output,
    {
      timeoutMs: setup.timeoutMs,
      pinCpu: setup.pinCpu,
      snapshotSpacing: setup.snapshotSpacing,
      maxCheckpoints: setup.maxCheckpoints,
      everyEnd: setup.everyEnd,
    },
    setup.restore,
    setup.split.visited ?? false,
    setup.split.start ?? null,
  );
  // Races are found in each job as in the sequential search, the job's prefix included.
  const target = setup.races === "ignore" ? opened : watchRaces(opened, spec);
  try {
    return await serve(link, target, setup.split);
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
async function serve(link: Connection, target: Target, split: SplitConfig): Promise<number> {
  const jobs: Job[] = [];
  /** Claims asked and not answered yet, in order (the coordinator answers in order). */
  const claims: ((mine: boolean) => void)[] = [];
  const waiter: { wake: (() => void) | null } = { wake: null };
  const starts = new JobStarts(target);
  /** The job running, and what stops it when the coordinator says it is of no use. */
  const now: { current: { job: Job; stop: AbortController } | null } = { current: null };
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
      if (m.type === "job") jobs.push(m.job);
      const current = now.current;
      if (m.type === "drop" && current !== null && sameJob(current.job, m)) current.stop.abort();
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
    const current = { job, stop: new AbortController() };
    now.current = current;
    let outcome;
    try {
      const claim = async (hash: bigint): Promise<boolean> => {
        const answer = new Promise<boolean>((resolve) => claims.push(resolve));
        await link.send({ type: "claim", hash, epoch: job.epoch });
        return await answer;
      };
      outcome = await runJob(
        target,
        split,
        job,
        current.stop.signal,
        split.visited ? claim : undefined,
        starts,
      );
    } catch (e) {
      // The check fails as a sequential one would, with this line: the coordinator says it,
      // once (each worker saying it too would print it once per worker). Only a worker that
      // cannot tell the coordinator says it itself.
      const message = e instanceof Error ? e.message : String(e);
      const told = await link.send({ type: "failed", message, exit: exitCodeOf(e) }).then(
        () => true,
        () => false,
      );
      if (!told) throw e;
      return exitCodeOf(e);
    }
    now.current = null;
    await link.send({
      type: "outcome",
      job,
      outcome,
      actors: [...target.names.actors],
      objects: [...target.names.objects],
    });
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
