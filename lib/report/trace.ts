/**
 * The counterexample file: written by `isomc check --trace-out`, read by `isomc replay`, by
 * `isomc show` and by the runtime itself when ISOMC_REPLAY names it (native/src/runtime/trace.zig,
 * which accepts exactly the files readTrace accepts; it uses each step's actor and choice, and a
 * lasso's cycle_start; the other fields are for people and pictures). Version 1 throughout: the
 * fields added since (a step's source and structure, a deadlock's blocked actors, the stderr, the
 * statistics, a lasso's cycle and propositions) are optional, and files without them still read.
 * A liveness violation's trace is a lasso: its steps are the prefix then the cycle,
 * `violation.cycle_start` the index of the cycle's first step (required for a lasso), and each
 * step carries the propositions' values in the state it leads to.
 */

import { InputError } from "../errors.ts";
import { actorName, type NameTable } from "../model/transition.ts";
import type { FoundViolation } from "../explore/result.ts";
import type { ViolationKind } from "../explore/target.ts";
import { printable } from "./printable.ts";
import { noSources, type SourceResolver } from "./source.ts";
import {
  type BlockedJson,
  blockedJson,
  type StepShape,
  type TraceStepJson,
  traceStepsJson,
} from "./trace_steps.ts";

export { type BlockedJson, type TraceStepJson, traceStepsJson };

export const TRACE_FORMAT = "isomc-trace";
export const TRACE_VERSION = 1;

/** The kinds a trace may record: the safety violations, and the liveness search's lassos. */
export type TraceViolationKind = ViolationKind | "liveness" | "non-progress";

/** What a trace records: a safety violation, or a lasso (an infinite execution). */
export type TraceKind = ViolationKind | "liveness" | "non-progress";

export interface TraceViolationJson {
  kind: TraceViolationKind;
  message: string;
  actor: string | null;
  /** A deadlock: every unfinished actor, at what it waits for. */
  blocked?: BlockedJson[];
  /** The last lines the failing execution wrote on stderr. */
  stderr?: string;
  /** A lasso: the property (formula, never claim) it violates. */
  formula?: string;
  /** A lasso: the index in `steps` of the cycle's first step (steps.length: the end stutters). */
  cycle_start?: number;
  /** A lasso: the run ends after the prefix and its last state repeats forever. */
  stutter?: boolean;
  /** A lasso: the propositions' values in the initial state. */
  initial_propositions?: Record<string, number>;
  /** A lasso: the fairness the search assumed (weak: no actor enabled throughout never moves). */
  fairness?: "none" | "weak";
}

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  program: string[];
  violation: TraceViolationJson | null;
  timeout_ms: number;
  steps: TraceStepJson[];
  /** Every actor the program created, by id (also those that never moved). */
  actors?: { id: number; name: string }[];
  /** The search's statistics, as `--json` gives them. */
  stats?: Record<string, unknown>;
  /**
   * `--memory=sync`: the plain accesses of a pthread program were no steps (absent: every
   * shared access was one). A replay must take the same steps, so it runs the program so too.
   */
  memory?: "sync";
  /**
   * `--preload`: the program was checked with the runtime preloaded (a binary built elsewhere);
   * a replay preloads it too.
   */
  preload?: true;
  /** `--join-on-exit`: main's return waited for the threads (a replay runs the program so). */
  join_on_exit?: true;
  /** `--svcomp`: abort() was a failed assumption, blocking its thread (a replay runs so too). */
  svcomp?: true;
  /**
   * `--nondet-range=LO..HI`, when given: the values of the wide __VERIFIER_nondet_* the steps'
   * choices index (a replay draws from the same range).
   */
  nondet_range?: [number, number];
}

/** Whether a trace records a lasso (a liveness or non-progress violation). */
export function isLassoKind(
  kind: TraceViolationKind | null | undefined,
): kind is "liveness" | "non-progress" {
  return kind === "liveness" || kind === "non-progress";
}

export function violationJson(
  v: FoundViolation,
  names: NameTable,
  sources: SourceResolver = noSources,
): TraceViolationJson {
  return {
    kind: v.kind,
    message: v.message,
    actor: v.actor === null ? null : actorName(names, v.actor),
    ...(v.blocked === undefined
      ? {}
      : { blocked: blockedJson(v.blocked.transitions, names, sources) }),
  };
}

/** What a trace file holds beyond the violation and its steps. */
export interface TraceExtras {
  readonly sources?: SourceResolver;
  /** The failing execution's last lines on stderr. */
  readonly stderr?: string | null;
  /** The statistics as `--json` has them. */
  readonly stats?: Record<string, unknown>;
  /** The check's --memory. */
  readonly memory?: "all" | "sync";
  /** The check's --preload. */
  readonly preload?: boolean;
  /** The check's --join-on-exit. */
  readonly joinOnExit?: boolean;
  /** The check's --svcomp. */
  readonly svcomp?: boolean;
  /** The check's --nondet-range, if given. */
  readonly nondetRange?: readonly [number, number];
}

export function buildTrace(
  program: readonly string[],
  violation: FoundViolation,
  names: NameTable,
  timeoutMs: number,
  extras: TraceExtras = {},
): TraceFile {
  const sources = extras.sources ?? noSources;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program: [...program],
    violation: {
      ...violationJson(violation, names, sources),
      ...(extras.stderr ? { stderr: extras.stderr } : {}),
    },
    timeout_ms: timeoutMs,
    steps: traceStepsJson(violation.trace, names, sources),
    actors: actorsJson(names),
    ...(extras.stats === undefined ? {} : { stats: extras.stats }),
    ...(extras.memory === "sync" ? { memory: "sync" as const } : {}),
    ...(extras.preload === true ? { preload: true as const } : {}),
    ...(extras.joinOnExit === true ? { join_on_exit: true as const } : {}),
    ...(extras.svcomp === true ? { svcomp: true as const } : {}),
    ...(extras.nondetRange === undefined
      ? {}
      : { nondet_range: [extras.nondetRange[0], extras.nondetRange[1]] as [number, number] }),
  };
}

/** Every actor the program created, by id: the trace file's `actors`. */
export function actorsJson(names: NameTable): { id: number; name: string }[] {
  return [...names.actors].sort(([a], [b]) => a - b).map(([id, name]) => ({ id, name }));
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
  "data-race",
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
    if (
      isLassoKind(v.kind as TraceViolationKind) &&
      !(isCount(start, 0) && start <= data.steps.length)
    ) {
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
  const count = data.steps.length;
  const steps: TraceStepJson[] = data.steps.map((s: Record<string, unknown>, i: number) => ({
    step: i + 1,
    actor: s.actor as number,
    choice: (s.choice ?? 0) as number,
    actor_name: typeof s.actor_name === "string" ? s.actor_name : `actor ${s.actor}`,
    transition: typeof s.transition === "string" ? s.transition : "",
    ...stepFields(s, count),
  }));
  const v = data.violation;
  const violation: TraceViolationJson | null = isRecord(v)
    ? violationFields(v, steps.length)
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
    ...(actorsOf(data.actors) ?? {}),
    ...(isRecord(data.stats) ? { stats: data.stats } : {}),
    ...(data.memory === "sync" ? { memory: "sync" as const } : {}),
    ...(data.preload === true ? { preload: true as const } : {}),
    ...(data.join_on_exit === true ? { join_on_exit: true as const } : {}),
    ...(data.svcomp === true ? { svcomp: true as const } : {}),
    ...(isRange(data.nondet_range) ? { nondet_range: data.nondet_range } : {}),
  };
}

/** A `nondet_range` as the trace writes it: two safe integers, the first not above the second. */
function isRange(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) &&
    Number.isSafeInteger(v[1]) && v[0] <= v[1];
}

function actorsOf(v: unknown): { actors: { id: number; name: string }[] } | null {
  if (!Array.isArray(v) || !v.every((a) => isRecord(a) && isCount(a.id, 1) && isText(a.name))) {
    return null;
  }
  return { actors: v.map((a) => ({ id: a.id, name: a.name })) };
}

// ---- The optional fields: kept when they have the right type, dropped otherwise -----------

const isText = (v: unknown): v is string => typeof v === "string";
const isId = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isDecimal = (v: unknown): v is string => typeof v === "string" && /^-?\d{1,20}$/.test(v);

function pick<T>(v: unknown, ok: (x: unknown) => x is T): T | undefined {
  return ok(v) ? v : undefined;
}

function location(v: unknown): StepShape["location"] {
  if (!isRecord(v) || !isText(v.file) || !isText(v.path) || !isCount(v.line, 1)) return undefined;
  return {
    file: v.file,
    path: v.path,
    line: v.line,
    ...(isText(v.function) ? { function: v.function } : {}),
  };
}

/** Drops the keys whose value is undefined, so that absent reads as absent. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}

function shapeFields(s: Record<string, unknown>): StepShape {
  const comms = Array.isArray(s.comms) &&
      s.comms.every((c) => isRecord(c) && isId(c.comm) && typeof c.ready === "boolean")
    ? (s.comms as { comm: number; ready: boolean }[]).map((c) => ({ comm: c.comm, ready: c.ready }))
    : undefined;
  return defined({
    kind: pick(s.kind, isText),
    object: pick(s.object, isId),
    object_name: pick(s.object_name, isText),
    arg0: pick(s.arg0, isDecimal),
    arg1: pick(s.arg1, isDecimal),
    comms,
    source: pick(s.source, isText),
    location: location(s.location),
  });
}

/** A step number of this trace (1..count), or null where the field says "none". */
function stepRef(v: unknown, count: number): number | null | undefined {
  if (v === null) return null;
  return isCount(v, 1) && v <= count ? v : undefined;
}

function stepFields(s: Record<string, unknown>, count: number): Partial<TraceStepJson> {
  return defined({
    ...shapeFields(s),
    value: pick(s.value, isDecimal),
    comm: pick(s.comm, isId),
    mailbox: pick(s.mailbox, isId),
    partner: stepRef(s.partner, count),
    completes: stepRef(s.completes, count),
    propositions: propositionsOf(s.propositions),
  });
}

function violationFields(v: Record<string, unknown>, count: number): TraceViolationJson {
  const blocked = Array.isArray(v.blocked)
    ? v.blocked.filter(isRecord).filter((b) => isCount(b.actor, 1)).map((b): BlockedJson => ({
      actor: b.actor as number,
      actor_name: isText(b.actor_name) ? b.actor_name : `actor ${b.actor}`,
      transition: isText(b.transition) ? b.transition : "",
      reason: isText(b.reason) ? b.reason : "",
      ...shapeFields(b),
    }))
    : undefined;
  const kind = v.kind as TraceViolationKind;
  // shapeProblem refused a lasso without a cycle_start in 0..count: a lasso has one.
  const cycle = isLassoKind(kind) && isCount(v.cycle_start, 0) && v.cycle_start <= count
    ? v.cycle_start
    : undefined;
  return defined({
    kind,
    message: typeof v.message === "string" ? v.message : "",
    actor: typeof v.actor === "string" ? v.actor : null,
    blocked,
    stderr: pick(v.stderr, isText),
    ...(cycle === undefined ? {} : {
      formula: pick(v.formula, isText) ?? "",
      cycle_start: cycle,
      // A cycle of no steps: the run ends after the prefix and its last state repeats.
      stutter: cycle === count,
      initial_propositions: propositionsOf(v.initial_propositions) ?? {},
      fairness: v.fairness === "weak" || v.fairness === "none" ? v.fairness : undefined,
    }),
  });
}
