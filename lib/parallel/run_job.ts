/**
 * Running one job on a worker's own target: replay the prefix, recomputing on the way the sleep
 * set the sequential search has there (the top of the tree is searched with sleep sets alone,
 * docs/parallel.md), then either split the node into one job per branch or explore its subtree
 * with the chosen reduction, started from that sleep set. Pure over Target: the in-process
 * simulation and the worker processes run the same code.
 */

import { InputError } from "../errors.ts";
import { exploreDfs } from "../explore/dfs.ts";
import { exploreDpor, newActors, SpawnerFound } from "../explore/dpor/explorer.ts";
import { altOf, type Event, EventMaker } from "../explore/dpor/event.ts";
import { SleepSet } from "../explore/dpor/sleep.ts";
import {
  type Donation,
  endOfStuck,
  type ExplorationResult,
  type ExploreOptions,
  foundDeadlock,
  newStats,
  type Stats,
  type TraceStep,
} from "../explore/result.ts";
import type { AheadHint, Target } from "../explore/target.ts";
import { type Point, type Step, transitionOf } from "../model/transition.ts";
import {
  type Claim,
  type Job,
  type JobOutcome,
  type JobPart,
  partOf,
  type SplitConfig,
} from "./job.ts";
import { runDporJob } from "./dpor_job.ts";
import { JobStarts, SubTarget } from "./job_target.ts";
import type { JobClock } from "./job_costs.ts";

/**
 * Runs `job` on `target` (a worker's own). `signal` stops a subtree's search (interrupted);
 * `starts`, kept over a worker's jobs, starts each from the initial state restored; `donate`
 * lets a subtree's search (none, sleep) give the branches of its shallowest node away when
 * asked (the paths it gives are from the initial state: jobs of their own).
 */
export async function runJob(
  target: Target,
  config: SplitConfig,
  job: Job,
  signal?: AbortSignal,
  claim?: Claim,
  starts?: JobStarts,
  donate?: Donation,
  clock?: JobClock,
): Promise<JobOutcome> {
  const before = { ...target.counters };
  const begins = starts ?? new JobStarts(target);
  let outcome: JobOutcome;
  try {
    outcome = await run(target, config, job, signal, claim, begins, donate, clock);
  } catch (e) {
    begins.forget();
    throw e;
  }
  // A search stopped midway may leave its program anywhere (killed, Interrupted).
  if (signal?.aborted) begins.forget();
  if (clock !== undefined) {
    clock.record.restoreMs = (target.counters.restoreSeconds - before.restoreSeconds) * 1000;
  }
  if (outcome.kind === "spawner") return outcome;
  // The target's counters run over every job of the worker: a job reports its own share.
  const c = target.counters;
  const share = (s: Stats): Stats => ({
    ...s,
    replayedTransitions: c.replayedSteps - before.replayedSteps,
    restarts: c.restarts - before.restarts,
    restores: c.restores - before.restores,
    restoreSeconds: c.restoreSeconds - before.restoreSeconds,
  });
  return outcome.kind === "split" || outcome.kind === "node"
    ? { ...outcome, stats: share(outcome.stats) }
    : { kind: "explored", part: { ...outcome.part, stats: share(outcome.part.stats) } };
}

/**
 * The forecast while a job walks its prefix: the prefix's steps after the one taken now are
 * known (Target.execute's AheadHint), with no rule after them (the job's search chooses there).
 * Sliced only if the target reads it (once per batch).
 */
function prefixHint(prefix: readonly Step[], from: number): AheadHint | undefined {
  if (from >= prefix.length) return undefined;
  return {
    get steps() {
      return prefix.slice(from);
    },
    asleep: null,
    maxDepth: Infinity,
  };
}

async function run(
  target: Target,
  config: SplitConfig,
  job: Job,
  signal: AbortSignal | undefined,
  claim: Claim | undefined,
  starts: JobStarts,
  donate: Donation | undefined,
  clock: JobClock | undefined,
): Promise<JobOutcome> {
  if (config.visited && claim === undefined) throw new Error("internal: visited needs claims");
  const spawners = new Set(job.spawners);
  const dpor = config.reduction !== "none";
  // sdpor and odpor: the sleep set and wakeup tree at the root are the coordinator's
  // (dpor_coordinator.ts); sleep sets alone recompute the sleep set along the prefix.
  const given = job.dpor;
  const points: Point[] = [];
  const events: Event[] = [];
  // The prefix's events as they are made: the directory of each point is that of the events
  // before it (comm ids come back, event.ts).
  const maker = new EventMaker(spawners, events);
  const trace: TraceStep[] = [];
  let sleep = given === undefined ? SleepSet.empty() : SleepSet.fromData(given.sleep);
  const fresh = starts.fresh;
  // The outcomes along the prefix: those a previous job walked are kept (job_target.ts).
  const walked = [...await starts.begin(job.prefix)];
  if (clock !== undefined) clock.record.began = starts.began;
  let outcome = walked[0];
  clock?.at("startMs");
  // A copy's initial key is checked once, when it starts (a restore returns to the same state).
  if (fresh) checkStart(target, config);
  for (const [k, step] of job.prefix.entries()) {
    if (outcome.kind !== "point") throw new Error("internal: parallel: a job's prefix ended");
    const point = outcome.point;
    points.push(point);
    const transition = transitionOf(point, step.actor);
    if (transition === undefined) throw new Error("internal: parallel: a job's step is absent");
    if (dpor && given === undefined) {
      // The branches the sequential search took before this one are asleep below it.
      for (const b of branchesOf(point, sleep, true)) {
        if (b.actor === step.actor && b.choice === step.choice) break;
        sleep.add(maker.of(transitionOf(point, b.actor)!, b.choice));
      }
    }
    const highest = point.transitions[point.transitions.length - 1].actor;
    trace.push({ step, transition });
    if (k + 1 < walked.length) outcome = walked[k + 1];
    else {
      outcome = await target.execute(step, prefixHint(job.prefix, k + 1));
      walked.push(outcome);
    }
    const created = outcome.kind === "point" ? newActors(highest, outcome.point) : [];
    if (dpor && created.length > 0 && !spawners.has(step.actor)) {
      spawners.add(step.actor);
      return { kind: "spawner", spawners: [...spawners] };
    }
    const ev = maker.of(transition, step.choice, created);
    events.push(ev);
    if (dpor && given === undefined) sleep = sleep.after(ev);
  }
  const depth = job.prefix.length;
  starts.reached(job.prefix, walked);
  clock?.at("prefixMs");
  if (given !== undefined) {
    return await runDporJob(
      target,
      config,
      job,
      given,
      outcome,
      signal,
      {
        points,
        events,
        sleep,
        spawners,
        trace,
      },
      clock,
      () => starts.moved(),
    );
  }
  const stats = newStats();
  stats.states = 1;
  stats.transitions = depth > 0 ? 1 : 0;
  stats.maxDepth = depth;
  const ended = (part: Partial<JobPart>): JobOutcome => ({
    kind: "explored",
    part: { stats, violation: null, stopped: null, depthCut: false, endless: null, ...part },
  });
  if (outcome.kind === "violation") {
    stats.executions = 1;
    return ended({ violation: { ...outcome.violation, trace } });
  }
  /**
   * With --visited: whether this job explores the node's state (no other job did), as the
   * sequential search asks its visited set first. A node searched as a subtree is asked by
   * the subtree's search instead.
   */
  const mine = async (): Promise<boolean> => {
    if (!config.visited) return true;
    // A state without a hash (a program's initial state) is new, as the sequential search has it.
    const key = target.stateHash?.() ?? null;
    if (key === null || await claim!(key)) return true;
    stats.states = 0;
    stats.pruned = 1;
    return false;
  };
  if (outcome.kind === "done") {
    if (await mine()) stats.executions = 1;
    return ended({});
  }
  const point = outcome.point;
  const splits = depth < config.splitDepth;
  const branches = splits ? branchesOf(point, sleep, dpor, config.maxFanout + 1) : [];
  const searched = !splits || branches.length > config.maxFanout;
  if (searched && point.transitions.some((t) => t.enabled)) {
    // searched below, claimed there
  } else if (!await mine()) {
    return ended({});
  }
  const stuck = endOfStuck(point);
  if (stuck === "assume") {
    stats.executions = 1;
    stats.assumesFailed = 1;
    return ended({});
  }
  if (stuck === "spin") {
    stats.spinBlocked = 1;
    return ended({});
  }
  if (stuck === "deadlock") {
    stats.executions = 1;
    const taken = trace.map((s) => s.transition);
    return ended({ violation: foundDeadlock(point, taken, [...job.prefix], target.names) });
  }
  if (depth >= (config.maxDepth ?? Infinity)) {
    stats.executions = 1;
    return ended({ depthCut: true });
  }
  if (!searched) {
    if (branches.length === 0) {
      stats.sleepBlocked = 1;
      return ended({});
    }
    return { kind: "split", branches: branches.map((b) => [...job.prefix, b]), stats };
  }
  // The subtree, searched as the sequential search does below this node.
  starts.moved();
  const sub = new SubTarget(target, job.prefix, outcome);
  const options: ExploreOptions = {
    maxDepth: config.maxDepth === undefined ? undefined : config.maxDepth - depth,
    runawaySteps: config.runawaySteps,
    maxExecutions: job.maxExecutions ?? config.maxExecutions,
    signal,
    donate: donate === undefined ? undefined : {
      asked: () => donate.asked(),
      give: (paths) => donate.give(paths.map((p) => [...job.prefix, ...p])),
    },
  };
  let r: ExplorationResult;
  try {
    r = dpor
      ? await exploreDpor(sub, config.reduction as "sleep", options, {
        points,
        events,
        sleep,
        spawners,
      })
      : await exploreDfs(sub, config.visited ? { ...options, visited: true, claim } : options);
  } catch (e) {
    if (e instanceof SpawnerFound) return { kind: "spawner", spawners: [...spawners] };
    throw e;
  }
  return { kind: "explored", part: partOf(r, depth, trace) };
}

/**
 * With visited: the copy must start as the reference copy did (reference.ts), or its keys
 * would not be those of the other workers' copies and the counts would not be exact.
 */
function checkStart(target: Target, config: SplitConfig): void {
  const want = config.start?.key ?? null;
  if (!config.visited || want === null) return;
  const key = target.stateHash?.() ?? null;
  if (key !== want) {
    throw new InputError(
      "--visited in parallel: this worker's copy of the program does not start as the coordinator's (another binary, library or environment?)",
    );
  }
}

/**
 * The branches of `point` in the sequential search's order (actor, then choice): every enabled
 * step, or with `sleeping` every one not asleep (sleep sets alone: every branch not asleep is
 * explored). At most `limit` are listed.
 */
function branchesOf(point: Point, sleep: SleepSet, sleeping: boolean, limit = Infinity): Step[] {
  const out: Step[] = [];
  for (const t of point.transitions) {
    if (!t.enabled) continue;
    for (let choice = 0; choice < t.choices && out.length < limit; choice++) {
      if (sleeping && sleep.hasAlt(t.actor, altOf(t, choice))) continue;
      out.push({ actor: t.actor, choice });
    }
  }
  return out;
}
