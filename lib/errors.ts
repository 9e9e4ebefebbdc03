/**
 * The checker's error classes and its exit codes: the one place that decides what a failure
 * means to the user's shell. Usage and input problems (a bad option, a missing program, a bad
 * trace) exit 2; failures of the checker or its environment exit 3.
 */

export const ExitCode = {
  /** Exploration complete, no violation. */
  ok: 0,
  /** A violation was found (or reproduced, for `replay`). */
  violation: 1,
  /** Bad usage or bad input: options, program, trace. */
  usage: 2,
  /** Exploration incomplete (a limit was reached, or interrupted), or an internal error. */
  incomplete: 3,
} as const;
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/** The user's input is wrong: one clear line, exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** The command line itself is wrong (an unknown, repeated or conflicting option): exit 2. */
export class UsageError extends InputError {
  override name = "UsageError";
}

/** The checker or its environment failed: one clear line, exit 3. */
export class InternalError extends Error {
  override name = "InternalError";
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof InputError ? ExitCode.usage : ExitCode.incomplete;
}

/** What kind of failure an error is, as `--json` names it. */
export type ErrorKind = "usage" | "input" | "internal" | "interrupted";

export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof UsageError) return "usage";
  return error instanceof InputError ? "input" : "internal";
}
