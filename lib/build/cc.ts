/**
 * `isomc cc`: compiles and links a C program against the isomc runtime with `zig cc`, like
 * SimGrid's smpicc. It adds the include directory, the runtime library (when linking), debug
 * information, and turns off zig cc's default UB-sanitizer traps so that a bug reads as the
 * crash it would be with gcc (pass -fsanitize=undefined to get them back). Missing inputs and
 * sanitizers the runtime cannot have are refused before zig runs (lib/build/cc_args.ts).
 */

import { fileURLToPath } from "node:url";
import { InputError } from "../errors.ts";
import { runtimeLibrary } from "../native/library.ts";
import { ccArgsProblem, type PathKind } from "./cc_args.ts";
import { unsupportedProblem } from "./pthread_check.ts";

export const includeDir = fileURLToPath(new URL("../../include/", import.meta.url));

export function zigPath(): string {
  return Deno.env.get("ISOMC_ZIG") ?? "zig";
}

/** The full zig command line for `isomc cc ARGS`. */
export function ccCommand(args: readonly string[]): string[] {
  const linking = !args.some((a) =>
    a === "-c" || a === "-S" || a === "-E" || a === "-M" || a === "-MM"
  );
  const userSanitize = args.some((a) => a.startsWith("-fsanitize"));
  return [
    zigPath(),
    "cc",
    "-g",
    ...(userSanitize ? [] : ["-fno-sanitize=undefined"]),
    `-I${includeDir}`,
    ...args,
    ...(linking ? [runtimeLibrary] : []),
  ];
}

function pathKind(path: string): PathKind {
  try {
    return Deno.statSync(path).isDirectory ? "directory" : "file";
  } catch {
    return "missing";
  }
}

/** Refuses, with one line, what zig would fail on without saying why. */
function checkArgs(args: readonly string[]): void {
  const problem = ccArgsProblem(args, pathKind);
  if (problem !== null) throw new InputError(`cc: ${problem}`);
}

/** Runs a zig command, turning a missing zig into one clear line. */
async function runZig(
  command: string[],
  options: Deno.CommandOptions,
): Promise<Deno.CommandOutput | Deno.CommandStatus> {
  const [cmd, ...rest] = command;
  try {
    const child = new Deno.Command(cmd, { ...options, args: rest });
    return options.stdout === "piped" ? await child.output() : await child.spawn().status;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(`${cmd} not found; run isomc through ./isomc, which installs Zig`);
    }
    throw e;
  }
}

/** Where a link writes its program: `-o FILE`, else a.out; null when it does not link. */
function linkOutput(args: readonly string[]): string | null {
  if (!ccCommand(args).includes(runtimeLibrary)) return null;
  const o = args.lastIndexOf("-o");
  return o >= 0 && o + 1 < args.length ? args[o + 1] : "a.out";
}

/** A linked pthread program that uses a pthread function isomc cannot model is removed. */
async function refuseUnsupported(args: readonly string[]): Promise<void> {
  const output = linkOutput(args);
  if (output === null) return;
  const problem = unsupportedProblem(output, await Deno.readFile(output));
  if (problem === null) return;
  await Deno.remove(output);
  throw new InputError(`cc: ${problem}`);
}

/** Runs `zig cc` with the user's terminal; returns its exit status. */
export async function cc(args: readonly string[]): Promise<number> {
  if (args.length === 0) throw new InputError("cc: no input (e.g. isomc cc -o app app.c)");
  checkArgs(args);
  const code = (await runZig(ccCommand(args), {})).code;
  if (code === 0) await refuseUnsupported(args);
  return code;
}

/** Compiles sources into `output`, quietly; throws with zig's messages on failure. */
export async function compile(
  sources: readonly string[],
  output: string,
  extra: readonly string[] = [],
): Promise<void> {
  const args = [...extra, "-o", output, ...sources];
  checkArgs(args);
  const out = await runZig(ccCommand(args), {
    stdout: "piped",
    stderr: "piped",
  }) as Deno.CommandOutput;
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim();
    throw new InputError(`compiling ${sources.join(" ")} failed:\n${text}`);
  }
  await refuseUnsupported(args);
}
