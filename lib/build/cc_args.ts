/**
 * What `isomc cc` checks in its arguments before zig sees them: that the input files exist
 * (zig says only "CacheCheckFailed" for a missing one) and that no sanitizer the runtime cannot
 * work with is asked for (zig cc has no AddressSanitizer runtime: the link fails with a wall of
 * undefined `__asan_*` symbols). Pure functions of the argument list.
 */

/** Options of the clang driver whose value is the next argument (`-o app`, `-I dir`...). */
const takesValue: ReadonlySet<string> = new Set([
  "-o",
  "-I",
  "-L",
  "-D",
  "-U",
  "-l",
  "-x",
  "-F",
  "-T",
  "-u",
  "-e",
  "-z",
  "-G",
  "-MF",
  "-MT",
  "-MQ",
  "-include",
  "-imacros",
  "-isystem",
  "-iquote",
  "-idirafter",
  "-iprefix",
  "-iwithprefix",
  "-iwithprefixbefore",
  "-isysroot",
  "-cxx-isystem",
  "-Xlinker",
  "-Xclang",
  "-Xassembler",
  "-Xpreprocessor",
  "-mllvm",
  "-target",
  "--target",
  "-arch",
  "-framework",
  "-rpath",
  "--sysroot",
  "-dynamic-linker",
]);

/** The arguments that name input files: sources, objects, archives (not `-` for stdin). */
export function inputFiles(args: readonly string[]): string[] {
  const inputs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      // Everything after `--` is an input, whatever it looks like.
      inputs.push(...args.slice(i + 1).filter((f) => f !== "-"));
      break;
    }
    if (takesValue.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-") || a.startsWith("@")) continue;
    inputs.push(a);
  }
  return inputs;
}

/**
 * The arguments with each preprocessed input (`.i`) as C for zig cc, which does not know the
 * extension (`-x c FILE.i -x none`: the C compiler reads it as it is, with no #include left).
 */
export function preprocessedAsC(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      for (const f of args.slice(i + 1)) {
        out.push(...(f.endsWith(".i") ? ["-x", "c", f, "-x", "none"] : [f]));
      }
      break;
    }
    if (takesValue.has(a) && i + 1 < args.length) {
      out.push(a, args[++i]);
      continue;
    }
    out.push(...(!a.startsWith("-") && a.endsWith(".i") ? ["-x", "c", a, "-x", "none"] : [a]));
  }
  return out;
}

/** Sanitizers with a runtime of their own, which programs built by `isomc cc` cannot have. */
const refused: ReadonlyMap<string, string> = new Map([
  ["address", "AddressSanitizer"],
  ["hwaddress", "HWAddressSanitizer"],
  ["kernel-address", "KernelAddressSanitizer"],
  ["kernel-hwaddress", "KernelHWAddressSanitizer"],
  ["thread", "ThreadSanitizer"],
  ["memory", "MemorySanitizer"],
  ["leak", "LeakSanitizer"],
  ["dataflow", "DataFlowSanitizer"],
]);

/** Why the sanitizers asked for cannot be had, or null when they all can. */
export function sanitizerProblem(args: readonly string[]): string | null {
  for (const a of args) {
    if (!a.startsWith("-fsanitize=")) continue;
    for (const name of a.slice("-fsanitize=".length).split(",")) {
      const what = refused.get(name);
      if (what !== undefined) {
        return `-fsanitize=${name} is not supported: programs built by isomc cc cannot use ${what} (zig cc has no runtime for it, and its shadow memory would be program state); UBSan is: -fsanitize=undefined`;
      }
    }
  }
  return null;
}

/** How a path given as input looks on disk. */
export type PathKind = "file" | "directory" | "missing";

/** The first problem with the arguments, as one line, or null when zig may have them. */
export function ccArgsProblem(
  args: readonly string[],
  kindOf: (path: string) => PathKind,
): string | null {
  const sanitizer = sanitizerProblem(args);
  if (sanitizer !== null) return sanitizer;
  for (const input of inputFiles(args)) {
    switch (kindOf(input)) {
      case "missing":
        return `no such file: ${input}`;
      case "directory":
        return `${input} is a directory, not a source or object file`;
      case "file":
        break;
    }
  }
  return null;
}

/** `--cc=PATH`, isomc's own option (the compiler to use), taken out of the arguments. */
export function takeCompilerOption(
  args: readonly string[],
): { compiler: string | null; rest: string[] } | { problem: string } {
  let compiler: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (a === "--cc") return { problem: "--cc needs a value: --cc=PATH (e.g. --cc=gcc)" };
    if (a.startsWith("--cc=")) {
      const value = a.slice("--cc=".length);
      if (value === "") return { problem: "--cc needs a value: --cc=PATH (e.g. --cc=gcc)" };
      compiler = value;
      continue;
    }
    rest.push(a);
    // Keep an option's value whole, even one that looks like --cc=... (`-o --cc=x`).
    if (takesValue.has(a) && i + 1 < args.length) rest.push(args[++i]);
  }
  return { compiler, rest };
}
