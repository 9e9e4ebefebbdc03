/**
 * Replaying a lasso (the trace of a liveness or non-progress violation): the program runs under
 * the checker's control with memory snapshots (MemoryTarget), so that its states can be told
 * apart by their hashes as the search told them. It runs the prefix, then the cycle twice; the
 * lasso is reproduced when the state after each round of the cycle is the state the cycle
 * started from (for a run that ends, when it ends right after the prefix), and every step
 * leads to the propositions' values the trace recorded.
 */

import { InputError } from "./errors.ts";
import type { Outcome } from "./explore/target.ts";
import {
  actorName,
  describeTransition,
  enabledSteps,
  type Point,
  type Step,
  transitionOf,
} from "./model/transition.ts";
import type { ProgramSpec } from "./process/spec.ts";
import { MemoryTarget } from "./state/memory_target.ts";
import type { TraceFile } from "./report/trace.ts";
import { readSymbols } from "./report/symbols.ts";
import type { NameTable } from "./model/transition.ts";

/** How many times the cycle runs: twice, so that coming back once is no coincidence. */
export const replayedCycles = 2;

export interface LassoReplay {
  readonly reproduced: boolean;
  /** A safety violation met on the way, or null. */
  readonly violation: { kind: string; message: string } | null;
  readonly message: string;
  readonly steps: number;
}

export interface LassoReplayOptions {
  /** One line per step and per marker (the step log), or nothing. */
  readonly log: ((line: string) => void) | null;
  readonly timeoutMs: number;
  /** The program's output goes to the user (true) or to /dev/null. */
  readonly showOutput: boolean;
}

export async function replayLasso(
  trace: TraceFile,
  spec: ProgramSpec,
  options: LassoReplayOptions,
): Promise<LassoReplay> {
  const v = trace.violation!;
  const cycleStart = v.cycle_start ?? trace.steps.length;
  const steps: Step[] = trace.steps.map((s) => ({ actor: s.actor, choice: s.choice }));
  const target = new MemoryTarget(spec, {
    timeoutMs: options.timeoutMs,
    showOutput: options.showOutput,
  });
  target.keyEveryState = true;
  let done = 0;
  const log = options.log ?? (() => {});
  const symbol = readSymbols(spec.path);
  const names = (): NameTable => ({ ...target.names, symbol });
  try {
    let outcome = await target.start();
    if (outcome.kind === "violation") {
      const w = outcome.violation;
      return { reproduced: false, violation: w, message: w.message, steps: 0 };
    }
    const recorded = v.initial_propositions ?? {};
    log(`[isomc]    initially: ${values(target, recorded)}`);
    const mismatch = (want: Record<string, number>, n: number): string | null => {
      const got = target.propositions();
      for (const [name, value] of Object.entries(want)) {
        const i = got?.names.indexOf(name) ?? -1;
        if (i < 0) return `the program has no proposition '${name}'`;
        if ((got!.values[i] ? 1 : 0) !== value) {
          return `${n === 0 ? "the initial state" : `step ${n}`} leads to ${name}=${
            got!.values[i] ? 1 : 0
          }, the trace recorded ${name}=${value}`;
        }
      }
      return null;
    };
    const first = mismatch(recorded, 0);
    if (outcome.kind === "point" && first !== null) {
      return { reproduced: false, violation: null, message: first, steps: 0 };
    }

    // The prefix, then the cycle's rounds; the hash where each round starts and ends.
    const hashes: bigint[] = [];
    const rounds = cycleStart === steps.length ? 0 : replayedCycles;
    const schedule: { index: number; round: number }[] = [];
    for (let i = 0; i < cycleStart; i++) schedule.push({ index: i, round: 0 });
    for (let r = 1; r <= rounds; r++) {
      for (let i = cycleStart; i < steps.length; i++) schedule.push({ index: i, round: r });
    }
    for (const { index, round } of schedule) {
      if (index === cycleStart && round > 0) {
        hashes.push(target.stateHash()!);
        log(
          `[isomc] --- the cycle repeats from step ${
            cycleStart + 1
          } (round ${round} of ${rounds}) ---`,
        );
      }
      const point = pointOf(outcome, done, steps.length);
      const step = steps[index];
      checkFits(point, step, done);
      outcome = await target.execute(step);
      done++;
      const want = trace.steps[index].propositions ?? {};
      log(`[isomc] ${done}. ${describeStep(names(), point, step)}    [${values(target, want)}]`);
      if (outcome.kind === "violation") {
        return {
          reproduced: false,
          violation: outcome.violation,
          message: outcome.violation.message,
          steps: done,
        };
      }
      const wrong = mismatch(want, index + 1);
      if (wrong !== null) {
        return { reproduced: false, violation: null, message: wrong, steps: done };
      }
    }
    if (rounds === 0) {
      const ends = outcome.kind === "done" ||
        (outcome.kind === "point" && enabledSteps(outcome.point).length === 0);
      return ends
        ? {
          reproduced: true,
          violation: null,
          message:
            `the run ends after the trace's ${steps.length} steps: its last state repeats forever`,
          steps: done,
        }
        : {
          reproduced: false,
          violation: null,
          message:
            `the run does not end after the trace's ${steps.length} steps (the lasso needs it to)`,
          steps: done,
        };
    }
    hashes.push(target.stateHash()!);
    const back = hashes.every((h) => h === hashes[0]);
    const range = `steps ${cycleStart + 1}..${steps.length}`;
    return back
      ? {
        reproduced: true,
        violation: null,
        message:
          `the cycle (${range}) came back to the state it started from, ${rounds} times out of ${rounds} (state 0x${
            hashes[0].toString(16)
          })`,
        steps: done,
      }
      : {
        reproduced: false,
        violation: null,
        message:
          `after the cycle (${range}) the program is not in the state the cycle started from: the state did not repeat`,
        steps: done,
      };
  } finally {
    await target.close();
  }
}

/** The point a step is taken at: the program must be at one, not at its end. */
function pointOf(outcome: Outcome, done: number, total: number): Point {
  if (outcome.kind === "point") return outcome.point;
  throw new InputError(
    `the trace does not fit this program: the run ended after ${done} of the trace's ${total} steps`,
  );
}

/** A step the program cannot take at this point means the trace is another program's. */
function checkFits(point: Point, step: Step, done: number): void {
  const t = transitionOf(point, step.actor);
  const why = t === undefined
    ? `actor ${step.actor} has no step to take`
    : !t.enabled
    ? `actor ${step.actor} is not enabled`
    : step.choice >= t.choices
    ? `choice ${step.choice} is out of range for actor ${step.actor}`
    : null;
  if (why !== null) {
    throw new InputError(`the trace does not fit this program: step ${done + 1}: ${why}`);
  }
}

function describeStep(names: NameTable, point: Point, step: Step): string {
  const t = transitionOf(point, step.actor)!;
  return `${actorName(names, step.actor)}: ${describeTransition(t, names, step.choice)}`;
}

/** The propositions' values now, those the trace recorded first: "request_1=1 cs_1=0". */
function values(target: MemoryTarget, recorded: Record<string, number>): string {
  const p = target.propositions();
  if (p === null) return "";
  const shown = Object.keys(recorded).length > 0 ? Object.keys(recorded) : p.names;
  return shown.map((n) => {
    const i = p.names.indexOf(n);
    return `${n}=${i < 0 ? "?" : p.values[i] ? 1 : 0}`;
  }).join(" ");
}
