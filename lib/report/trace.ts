/**
 * The counterexample file: written by `isomc check --trace-out`, read by `isomc replay` and by
 * the runtime itself when ISOMC_REPLAY names it (native/src/runtime/trace.zig, which accepts
 * exactly the files readTrace accepts; it uses each step's actor and choice, and a lasso's
 * cycle_start; the other fields are for people). A liveness violation's trace is a lasso: its
 * steps are the prefix then the cycle, `violation.cycle_start` the index of the cycle's first
 * step, and each step carries the propositions' values in the state it leads to.
 */

import { InputError } from "../errors.ts";
import { actorName, describeTransition, type NameTable } from "../model/transition.ts";
import type { FoundViolation, TraceStep } from "../explore/result.ts";
import type { ViolationKind } from "../explore/target.ts";
import { printable } from "./printable.ts";

export const TRACE_FORMAT = "isomc-trace";
export const TRACE_VERSION = 1;

export interface TraceStepJson {
  step: number;
  actor: number;
  choice: number;
  actor_name: string;
  transition: string;
  /** A lasso's: the propositions' values (0 or 1) in the state the step leads to. */
  propositions?: Record<string, number>;
}

/** What a trace records: a safety violation, or a lasso (an infinite execution). */
export type TraceKind = ViolationKind | "liveness" | "non-progress";

export interface TraceViolationJson {
  kind: TraceKind;
  message: string;
  actor: string | null;
  /** A lasso's: the property (formula, never claim) it violates. */
  formula?: string;
  /** A lasso's: the index in `steps` of the cycle's first step (steps.length: no cycle). */
  cycle_start?: number;
  /** A lasso's: the run ends after the prefix and its last state repeats forever. */
  stutter?: boolean;
  /** A lasso's: the propositions' values in the initial state. */
  initial_propositions?: Record<string, number>;
}

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  program: string[];
  violation: TraceViolationJson | null;
  timeout_ms: number;
  steps: TraceStepJson[];
}

/** Whether a trace records a lasso (a liveness or non-progress violation). */
export function isLassoKind(
  kind: TraceKind | null | undefined,
): kind is "liveness" | "non-progress" {
  return kind === "liveness" || kind === "non-progress";
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

const violationKinds: readonly string[] = [
  "deadlock",
  "assertion",
  "crash",
  "exit",
  "timeout",
  "liveness",
  "non-progress",
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= 0xffff_ffff;
}

/** Why the file could not be read, in the words the runtime uses too. */
function unreadable(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  return (e as Error).message;
}

/** Where JSON.parse stopped, when it says; the runtime names the line and column too. */
function syntaxProblem(message: string, text: string): string {
  const at = /\(line (\d+) column (\d+)\)/.exec(message);
  if (at !== null) return `not valid JSON at line ${at[1]}, column ${at[2]}`;
  if (/Unexpected end of JSON input/.test(message)) {
    const lines = text.split("\n");
    return `not valid JSON at line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
  }
  // V8's other messages quote the text itself, raw bytes included: not that.
  return "not valid JSON";
}

/** True when some string of the parsed value (a key too) holds a lone surrogate escape. */
function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === "string") return !v.isWellFormed();
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  if (isRecord(v)) {
    return Object.entries(v).some(([k, x]) => !k.isWellFormed() || hasLoneSurrogate(x));
  }
  return false;
}

function versionProblem(v: unknown): string {
  const wanted = `(this isomc reads version ${TRACE_VERSION})`;
  if (v === undefined) return `no "version" ${wanted}`;
  if (typeof v === "number" && Number.isSafeInteger(v)) return `version ${v} ${wanted}`;
  return `"version" is not a version number ${wanted}`;
}

/** Why `data` is not a trace, in the order the runtime checks it too, or null. */
function shapeProblem(data: unknown): string | null {
  if (!isRecord(data)) return "not a JSON object";
  if (data.format !== TRACE_FORMAT) return `"format" is not "${TRACE_FORMAT}"`;
  if (data.version !== TRACE_VERSION) return versionProblem(data.version);
  if (!Array.isArray(data.steps)) return `"steps" is not an array`;
  const bad = data.steps.findIndex((s: unknown) =>
    !isRecord(s) || !isCount(s.actor, 1) || !isCount(s.choice ?? 0, 0)
  );
  if (bad >= 0) return `step ${bad + 1} needs an "actor" (>= 1) and a "choice" (>= 0)`;
  const v = data.violation;
  if (v !== null && v !== undefined) {
    if (!isRecord(v) || typeof v.kind !== "string" || !violationKinds.includes(v.kind)) {
      return `"violation.kind" is not one of ${violationKinds.join(", ")}`;
    }
    const start = v.cycle_start;
    if (isLassoKind(v.kind as TraceKind) && !(isCount(start, 0) && start <= data.steps.length)) {
      return `"violation.cycle_start" is not a step index from 0 to ${data.steps.length}`;
    }
  }
  return null;
}

/** A lasso step's propositions as written (0 or 1 by name), or undefined. */
function propositionsOf(v: unknown): Record<string, number> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== 0 && x !== 1) return undefined;
    out[k] = x;
  }
  return out;
}

/**
 * Reads and validates a trace file; anything wrong is an InputError naming the file, in one
 * line without raw bytes. The runtime's reader (native/src/runtime/trace.zig) refuses exactly
 * the same files with the same words: keep the two in step (tests/trace_readers_test.ts).
 */
export function readTrace(path: string): TraceFile {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read the trace ${printable(path)}: ${unreadable(e)}`);
  }
  const bad = (why: string): never => {
    throw new InputError(`${printable(path)} is not an isomc trace: ${why}`);
  };
  let text: string;
  try {
    // A byte-order mark is dropped (ignoreBOM is false).
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bad("not UTF-8 text");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return bad(syntaxProblem((e as Error).message, text));
  }
  // The runtime's JSON reader refuses an escape that encodes half a character.
  if (hasLoneSurrogate(data)) return bad("not valid JSON (an escape encodes half a character)");
  const problem = shapeProblem(data);
  if (problem !== null || !isRecord(data) || !Array.isArray(data.steps)) {
    return bad(problem ?? "not a JSON object");
  }
  const steps: TraceStepJson[] = data.steps.map((s: Record<string, unknown>, i: number) => ({
    step: i + 1,
    actor: s.actor as number,
    choice: (s.choice ?? 0) as number,
    actor_name: typeof s.actor_name === "string" ? s.actor_name : `actor ${s.actor}`,
    transition: typeof s.transition === "string" ? s.transition : "",
    ...(propositionsOf(s.propositions) === undefined
      ? {}
      : { propositions: propositionsOf(s.propositions) }),
  }));
  const v = data.violation;
  const violation: TraceViolationJson | null = isRecord(v)
    ? {
      kind: v.kind as TraceKind,
      message: typeof v.message === "string" ? v.message : "",
      actor: typeof v.actor === "string" ? v.actor : null,
      ...(isLassoKind(v.kind as TraceKind)
        ? {
          formula: typeof v.formula === "string" ? v.formula : "",
          cycle_start: v.cycle_start as number,
          stutter: v.cycle_start === steps.length,
          initial_propositions: propositionsOf(v.initial_propositions) ?? {},
        }
        : {}),
    }
    : null;
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
