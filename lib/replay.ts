/**
 * Replaying a counterexample outside the checker: the program runs on its own with
 * ISOMC_REPLAY naming the trace, its runtime follows the recorded schedule, and the outcome
 * (the runtime's one-line report, or how the process ended) is compared with the violation
 * the trace records. A lasso (a liveness violation) is replayed under the checker's control
 * instead, so that its cycle can be seen to come back to the same state (lib/replay_lasso.ts).
 */

import { basename, join } from "./paths.ts";
import { InputError } from "./errors.ts";
import type { ViolationKind } from "./explore/target.ts";
import { killProcess, releaseProcess, spawn, waitProcess } from "./native/process.ts";
import {
  registerChild,
  registerTemporary,
  removeTemporary,
  unregisterChild,
} from "./process/cleanup.ts";
import {
  ENV_JOIN_ON_EXIT,
  ENV_NONDET_RANGE,
  ENV_REPLAY,
  ENV_REPORT,
  ENV_SVCOMP,
  ENV_VERBOSE,
} from "./process/protocol.ts";
import { resolveProgram } from "./process/resolve.ts";
import { preloadEnv } from "./process/environment.ts";
import { describeSignal } from "./process/signals.ts";
import { printable } from "./report/printable.ts";
import { isLassoKind, readTrace, type TraceFile, type TraceViolationKind } from "./report/trace.ts";
import { replayLasso } from "./replay_lasso.ts";
import type { ProgramSpec } from "./process/spec.ts";

export interface ReplayOptions {
  /** Log every step on stderr (the runtime's default in replay mode). */
  readonly verbose?: boolean;
  /** Give up after this long; by default only a trace that records a timeout has one. */
  readonly timeoutMs?: number;
  /** The program's stdout/stderr go to the user (default) or to /dev/null. */
  readonly quietProgram?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** Told, before the program runs, when the trace was recorded with another command. */
  readonly notice?: (message: string) => void;
}

export interface ReplayResult {
  /** What happened in the replay: a violation kind, or "none". */
  readonly observed: TraceViolationKind | "none";
  readonly message: string;
  readonly expected: TraceViolationKind | null;
  readonly reproduced: boolean;
  readonly steps: number | null;
}

interface RuntimeReport {
  kind: string;
  steps: number;
  actor: string;
  message: string;
}

/** The violation a runtime report stands for (a misuse is an assertion, as under check). */
function observedKind(kind: string): ViolationKind {
  switch (kind) {
    case "deadlock":
    case "exit":
    case "crash":
      return kind;
    default:
      return "assertion";
  }
}

function readReport(path: string): RuntimeReport | null {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as RuntimeReport;
  } catch {
    return null;
  }
}

function shellWords(words: readonly string[]): string {
  return words.map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

/**
 * How the command given differs from the one the trace was recorded with (the program's file
 * name and the arguments; the directory may differ), or null when it does not or the trace
 * does not say.
 */
export function programMismatch(
  recorded: readonly string[],
  program: string,
  args: readonly string[],
): string | null {
  if (recorded.length === 0) return null;
  const [was, ...wasArgs] = recorded;
  const same = basename(was) === basename(program) && wasArgs.length === args.length &&
    wasArgs.every((a, i) => a === args[i]);
  if (same) return null;
  return `the trace was recorded with \`${printable(shellWords(recorded))}\`, not \`${
    printable(shellWords([program, ...args]))
  }\`; replaying it anyway`;
}

export async function replay(
  tracePath: string,
  program: string,
  args: readonly string[],
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const trace = readTrace(tracePath);
  // The steps the check took: with its memory mode (native/src/runtime/tsan.zig reads it), its
  // --join-on-exit, --svcomp and --nondet-range (pthread.zig, svcomp.zig) and, checked with --preload, the runtime preloaded again (the
  // binary has none of its own).
  const given = options.env ?? Deno.env.toObject();
  const env: Record<string, string> = {
    ...given,
    ISOMC_MEMORY: trace.memory ?? "all",
    ...(trace.preload === true ? preloadEnv(given) : {}),
  };
  if (trace.join_on_exit === true) env[ENV_JOIN_ON_EXIT] = "1";
  else delete env[ENV_JOIN_ON_EXIT];
  // --svcomp: abort() blocks its thread there too, and main's return waits (pthread.zig).
  if (trace.svcomp === true) env[ENV_SVCOMP] = "1";
  else delete env[ENV_SVCOMP];
  // --nondet-range: the steps' choices index its values, so the replay draws from it too; none
  // given, the runtime's default (runtime/svcomp.zig), which is the check's.
  if (trace.nondet_range !== undefined) {
    env[ENV_NONDET_RANGE] = `${trace.nondet_range[0]}..${trace.nondet_range[1]}`;
  } else delete env[ENV_NONDET_RANGE];
  const spec = resolveProgram(program, args, env);
  const mismatch = programMismatch(trace.program, program, args);
  if (mismatch !== null) options.notice?.(mismatch);
  if (isLassoKind(trace.violation?.kind)) return await replayLassoTrace(trace, spec, options);
  const dir = Deno.makeTempDirSync({ prefix: "isomc-replay-" });
  registerTemporary(dir);
  const reportPath = join(dir, "report.json");
  const expected = trace.violation?.kind ?? null;
  const timeoutMs = options.timeoutMs ??
    (expected === "timeout" ? trace.timeout_ms + 2000 : Number.POSITIVE_INFINITY);
  try {
    const started = spawn({
      argv: [spec.path, ...spec.args],
      env: {
        ...env,
        [ENV_REPLAY]: Deno.realPathSync(tracePath),
        [ENV_REPORT]: reportPath,
        [ENV_VERBOSE]: options.verbose === false ? "0" : "1",
      },
      inheritOutput: !options.quietProgram,
    });
    if (!started.ok) throw new InputError(`cannot run ${program} (errno ${started.errno})`);
    registerChild(started.pid, started.pidfd);
    const deadline = performance.now() + timeoutMs;
    let status = waitProcess(started.pid, started.pidfd, 0);
    while (status.state === "running" && performance.now() < deadline) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      status = waitProcess(started.pid, started.pidfd, 50);
    }
    unregisterChild(started.pid);
    const report = readReport(reportPath);
    let observed: ViolationKind | "none";
    let message: string;
    if (status.state === "running") {
      killProcess(started.pid, started.pidfd);
      observed = "timeout";
      message = `the program did not finish within ${timeoutMs / 1000} s`;
    } else {
      releaseProcess(started.pidfd);
      if (report?.kind === "diverged") {
        throw new InputError(`the trace does not fit this program: ${report.message}`);
      }
      if (report !== null && report.kind !== "ok") {
        observed = observedKind(report.kind);
        message = report.message;
      } else if (status.state === "signaled") {
        observed = "crash";
        message = `the program was killed by ${describeSignal(status.signal)}`;
      } else if (report === null) {
        observed = "exit";
        message = `the program exited with status ${status.code} before its actors finished`;
      } else {
        observed = "none";
        message = `the program finished normally (status ${status.code})`;
      }
    }
    // A data race is two steps the checker sees unordered, not something the program does:
    // replaying it is running every step of the trace as recorded (no divergence, above).
    const raceReplayed = expected === "data-race" && status.state !== "running" &&
      (report?.steps ?? 0) >= trace.steps.length;
    if (raceReplayed) {
      observed = "data-race";
      message = `${trace.violation!.message} (its ${trace.steps.length} steps ran as recorded)`;
    }
    return {
      observed,
      message,
      expected,
      reproduced: expected !== null && observed === expected,
      steps: report?.steps ?? null,
    };
  } finally {
    removeTemporary(dir);
  }
}

/** A lasso's replay, in the terms of any replay: reproduced, or what happened instead. */
async function replayLassoTrace(
  trace: TraceFile,
  spec: ProgramSpec,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const expected = trace.violation!.kind;
  const r = await replayLasso(trace, spec, {
    log: options.verbose === false ? null : (line) => console.error(line),
    timeoutMs: options.timeoutMs ?? trace.timeout_ms,
    showOutput: !options.quietProgram,
  });
  return {
    observed: r.reproduced ? expected : (r.violation?.kind as ViolationKind | undefined) ?? "none",
    message: r.message,
    expected,
    reproduced: r.reproduced,
    steps: r.steps,
  };
}
