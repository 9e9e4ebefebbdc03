/**
 * The counterexample file: written by `isomc check --trace-out`, read by `isomc replay` and by
 * the runtime itself when ISOMC_REPLAY names it (native/src/runtime/schedule.zig reads the
 * format tag and each step's actor and choice; the other fields are for people).
 */

import { InputError } from "../errors.ts";
import { actorName, describeTransition, type NameTable } from "../model/transition.ts";
import type { FoundViolation, TraceStep } from "../explore/result.ts";
import type { ViolationKind } from "../explore/target.ts";

export const TRACE_FORMAT = "isomc-trace";
export const TRACE_VERSION = 1;

export interface TraceStepJson {
  step: number;
  actor: number;
  choice: number;
  actor_name: string;
  transition: string;
}

export interface TraceViolationJson {
  kind: ViolationKind;
  message: string;
  actor: string | null;
}

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  program: string[];
  violation: TraceViolationJson | null;
  timeout_ms: number;
  steps: TraceStepJson[];
}

export function traceStepsJson(trace: readonly TraceStep[], names: NameTable): TraceStepJson[] {
  return trace.map((s, i) => ({
    step: i + 1,
    actor: s.step.actor,
    choice: s.step.choice,
    actor_name: actorName(names, s.step.actor),
    transition: describeTransition(s.transition, names, s.step.choice),
  }));
}

export function violationJson(v: FoundViolation, names: NameTable): TraceViolationJson {
  return {
    kind: v.kind,
    message: v.message,
    actor: v.actor === null ? null : actorName(names, v.actor),
  };
}

export function buildTrace(
  program: readonly string[],
  violation: FoundViolation,
  names: NameTable,
  timeoutMs: number,
): TraceFile {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program: [...program],
    violation: violationJson(violation, names),
    timeout_ms: timeoutMs,
    steps: traceStepsJson(violation.trace, names),
  };
}

/** The trace file's text. */
export function traceText(trace: TraceFile): string {
  return JSON.stringify(trace, null, 2) + "\n";
}

export function writeTrace(path: string, trace: TraceFile): void {
  try {
    Deno.writeTextFileSync(path, traceText(trace));
  } catch (e) {
    throw new InputError(`cannot write the trace to ${path}: ${(e as Error).message}`);
  }
}

const violationKinds: readonly string[] = ["deadlock", "assertion", "crash", "exit", "timeout"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= 0xffff_ffff;
}

/** Reads and validates a trace file; anything wrong is an InputError naming the file. */
export function readTrace(path: string): TraceFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new InputError(`cannot read the trace ${path}: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error, line breaks included: keep to one line.
    const why = (e as Error).message.replace(/\s+/g, " ");
    throw new InputError(`${path} is not an isomc trace: ${why}`);
  }
  const bad = (why: string): never => {
    throw new InputError(`${path} is not an isomc trace: ${why}`);
  };
  if (!isRecord(data)) return bad("not a JSON object");
  if (data.format !== TRACE_FORMAT) return bad(`"format" is not "${TRACE_FORMAT}"`);
  if (data.version !== TRACE_VERSION) {
    return bad(
      `version ${JSON.stringify(data.version)} (this isomc reads version ${TRACE_VERSION})`,
    );
  }
  if (!Array.isArray(data.steps)) return bad(`"steps" is not an array`);
  const steps: TraceStepJson[] = data.steps.map((s: unknown, i: number) => {
    if (!isRecord(s) || !isCount(s.actor, 1) || !isCount(s.choice ?? 0, 0)) {
      return bad(`step ${i + 1} needs an "actor" (>= 1) and a "choice" (>= 0)`);
    }
    return {
      step: i + 1,
      actor: s.actor,
      choice: (s.choice ?? 0) as number,
      actor_name: typeof s.actor_name === "string" ? s.actor_name : `actor ${s.actor}`,
      transition: typeof s.transition === "string" ? s.transition : "",
    };
  });
  let violation: TraceViolationJson | null = null;
  if (data.violation !== null && data.violation !== undefined) {
    const v = data.violation;
    if (!isRecord(v) || typeof v.kind !== "string" || !violationKinds.includes(v.kind)) {
      return bad(`"violation.kind" is not one of ${violationKinds.join(", ")}`);
    }
    violation = {
      kind: v.kind as ViolationKind,
      message: typeof v.message === "string" ? v.message : "",
      actor: typeof v.actor === "string" ? v.actor : null,
    };
  }
  const program = Array.isArray(data.program) && data.program.every((p) => typeof p === "string")
    ? data.program as string[]
    : [];
  const timeout = isCount(data.timeout_ms, 1) ? data.timeout_ms : 10_000;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program,
    violation,
    timeout_ms: timeout,
    steps,
  };
}
