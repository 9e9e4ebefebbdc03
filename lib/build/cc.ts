/**
 * `isomc cc`: compiles and links a C program against the isomc runtime, like SimGrid's smpicc,
 * with `zig cc` or the system's C compiler (lib/build/compiler.ts chooses). It adds the include
 * directory, the runtime library (when linking) and debug information. Missing inputs and
 * sanitizers the runtime cannot have are refused before the compiler runs
 * (lib/build/cc_args.ts).
 */

import { InputError } from "../errors.ts";
import { includeDir, runtimeLibrary, svcompMark } from "../native/library.ts";
import { ccArgsProblem, inputFiles, type PathKind, takeCompilerOption } from "./cc_args.ts";
import { type Input, svcompOptions } from "./svcomp_inputs.ts";
import { chooseCompiler, type Compiler, compilerCommand, isLinking } from "./compiler.ts";
import { unsupportedProblem } from "./pthread_check.ts";
import { instruments, isCSource } from "./instrument.ts";

function pathKind(path: string): PathKind {
  try {
    return Deno.statSync(path).isDirectory ? "directory" : "file";
  } catch {
    return "missing";
  }
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The compiler for this run: `explicit` (--cc=PATH) or the first of zig, cc, gcc, clang. */
export function findCompiler(explicit: string | null = null): Compiler {
  const found = chooseCompiler(explicit, {
    zig: Deno.env.get("ISOMC_ZIG"),
    path: Deno.env.get("PATH") ?? "",
  }, isExecutable);
  if ("problem" in found) throw new InputError(`cc: ${found.problem}`);
  return found;
}

/**
 * The command that compiles plain C (no runtime), with the compiler `isomc cc` would choose:
 * `zig cc` or the system's. For the benchmarks' helper programs.
 */
export function plainCompilerCommand(compiler: Compiler = findCompiler()): string[] {
  return compiler.kind === "zig" ? [compiler.path, "cc"] : [compiler.path];
}

/** Refuses, with one line, what the compiler would fail on without saying why. */
function checkArgs(args: readonly string[]): void {
  const problem = ccArgsProblem(args, pathKind);
  if (problem !== null) throw new InputError(`cc: ${problem}`);
}

function readInput(path: string): Input {
  try {
    return { path, bytes: Deno.readFileSync(path) };
  } catch {
    return { path, bytes: null };
  }
}

/**
 * The full command line for `isomc cc ARGS` (without --cc) with `compiler`, SV-COMP tasks'
 * options included (lib/build/svcomp_inputs.ts).
 */
export function ccCommand(
  args: readonly string[],
  compiler: Compiler = findCompiler(),
): string[] {
  const inputs = inputFiles(args).map(readInput);
  const svcomp = svcompOptions(inputs, isLinking(args), svcompMark);
  // The mark is C whatever -x the user gave last (`-x none` resets it).
  const files = svcomp.files.length > 0 ? ["-x", "none", ...svcomp.files] : [];
  // An unreadable source reads as empty: the compiler says why it cannot read it.
  const sources = inputs.filter((i) => isCSource(i.path))
    .map((i) => i.bytes === null ? "" : new TextDecoder().decode(i.bytes));
  return compilerCommand(
    compiler,
    [...svcomp.options, ...args, ...files],
    { includeDir: includeDir(), library: runtimeLibrary() },
    instruments(sources),
  );
}

/** Runs a compiler command, turning a missing executable into one clear line. */
async function runCompiler(
  command: string[],
  options: Deno.CommandOptions,
): Promise<Deno.CommandOutput | Deno.CommandStatus> {
  const [cmd, ...rest] = command;
  try {
    const child = new Deno.Command(cmd, { ...options, args: rest });
    return options.stdout === "piped" ? await child.output() : await child.spawn().status;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new InputError(`cc: ${cmd} not found`);
    throw e;
  }
}

/** Where a link writes its program: `-o FILE`, else a.out; null when it does not link. */
function linkOutput(args: readonly string[]): string | null {
  if (!isLinking(args)) return null;
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

/** Runs the compiler with the user's terminal; returns its exit status. */
export async function cc(args: readonly string[]): Promise<number> {
  const taken = takeCompilerOption(args);
  if ("problem" in taken) throw new InputError(`cc: ${taken.problem}`);
  if (taken.rest.length === 0) throw new InputError("cc: no input (e.g. isomc cc -o app app.c)");
  checkArgs(taken.rest);
  const compiler = findCompiler(taken.compiler);
  const code = (await runCompiler(ccCommand(taken.rest, compiler), {})).code;
  if (code === 0) await refuseUnsupported(taken.rest);
  return code;
}

/** Compiles sources into `output`, quietly; throws with the compiler's messages on failure. */
export async function compile(
  sources: readonly string[],
  output: string,
  extra: readonly string[] = [],
  compiler: Compiler = findCompiler(),
): Promise<void> {
  const args = [...extra, "-o", output, ...sources];
  checkArgs(args);
  const out = await runCompiler(ccCommand(args, compiler), {
    stdout: "piped",
    stderr: "piped",
  }) as Deno.CommandOutput;
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim();
    throw new InputError(`compiling ${sources.join(" ")} failed:\n${text}`);
  }
  await refuseUnsupported(args);
}
