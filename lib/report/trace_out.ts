/**
 * Where `isomc check` puts its counterexample: by default a file named after the program in the
 * current directory (two programs checked in one folder keep their own traces), checked before
 * the search starts — a path that cannot be written is refused at once, not after the search —
 * and never a default file that holds another program's trace.
 */

import { basename, dirname, resolve } from "../paths.ts";
import { InputError } from "../errors.ts";
import { TRACE_FORMAT } from "./trace.ts";

export const traceSuffix = ".isomc-trace.json";

/** `./build/app` → `app.isomc-trace.json`. */
export function defaultTracePath(program: string): string {
  return `${basename(program)}${traceSuffix}`;
}

/** An OS error in a few words: "read-only file system", not "... (os error 30): open 'x'". */
function reason(e: unknown, path: string): string {
  if (e instanceof Deno.errors.NotFound) return `no such directory ${dirname(path)}`;
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  const text = (e as Error).message.replace(/ \(os error \d+\).*$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The program a trace file names as argv[0], if it is an isomc trace. */
function programOfTrace(path: string): string | null {
  try {
    const data = JSON.parse(Deno.readTextFileSync(path));
    const first = data?.format === TRACE_FORMAT && Array.isArray(data.program)
      ? data.program[0]
      : undefined;
    return typeof first === "string" ? first : null;
  } catch {
    return null;
  }
}

/** Whether two program names, as given on command lines run in this directory, are one. */
function sameProgram(a: string, b: string): boolean {
  return a.includes("/") && b.includes("/") ? resolve(a) === resolve(b) : a === b;
}

/**
 * Refuses, before any search, a trace path that cannot be written (missing directory, no
 * permission, a directory) and, for the default path, a file holding another program's trace.
 * Nothing is left behind: a file created to test the path is removed.
 */
export function checkTraceOut(path: string, program: string, isDefault: boolean): void {
  let exists = false;
  try {
    const info = Deno.statSync(path);
    exists = true;
    if (info.isDirectory) {
      throw new InputError(`cannot write the trace to ${path}: it is a directory`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    // Missing (the usual case) or unreachable: opening it below says which.
  }
  if (exists && isDefault) {
    const other = programOfTrace(path);
    if (other !== null && !sameProgram(other, program)) {
      throw new InputError(
        `${path} holds the counterexample of ${other}, not of ${program}: pass --trace-out=FILE (or remove it)`,
      );
    }
  }
  try {
    // No truncation: an existing trace stays as it is until a new one replaces it.
    Deno.openSync(path, { write: true, create: true }).close();
    if (!exists) Deno.removeSync(path);
  } catch (e) {
    throw new InputError(`cannot write the trace to ${path}: ${reason(e, path)}`);
  }
}

/**
 * Refuses, before any search, an output file (--svg, --html, --dot) that cannot be written;
 * nothing is left behind.
 */
export function checkOutputPath(path: string, option: string): void {
  let exists = false;
  try {
    const info = Deno.statSync(path);
    exists = true;
    if (info.isDirectory) {
      throw new InputError(`cannot write --${option} to ${path}: it is a directory`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  try {
    Deno.openSync(path, { write: true, create: true }).close();
    if (!exists) Deno.removeSync(path);
  } catch (e) {
    throw new InputError(`cannot write --${option} to ${path}: ${reason(e, path)}`);
  }
}

/** Writes the trace; returns why it could not, or null (the result is not thrown away). */
export function tryWriteTrace(path: string, text: string): string | null {
  try {
    Deno.writeTextFileSync(path, text);
    return null;
  } catch (e) {
    return reason(e, path);
  }
}
