/**
 * Which C compiler `isomc cc` drives, and the command line it gets. `zig cc` when Zig is there
 * (./isomc sets ISOMC_ZIG; otherwise `zig` on PATH), else the system's `cc`, `gcc` or `clang`;
 * `--cc=PATH` chooses. The runtime (libisomc.a) is built by Zig with its compiler-rt inside, so
 * the system compilers link it as it is; they get the C libraries it calls (pthread and dl are
 * part of libc since glibc 2.34, separate before). Pure functions: the file system is a
 * parameter.
 */

import { preprocessedAsC } from "./cc_args.ts";

export type CompilerKind = "zig" | "system";

export interface Compiler {
  readonly kind: CompilerKind;
  /** The executable: zig (run as `zig cc`) or a C compiler driver. */
  readonly path: string;
}

/** What the command line needs from the runtime: its header's folder and its library. */
export interface RuntimeFiles {
  readonly includeDir: string;
  readonly library: string;
}

/** The system compilers tried, in order, when Zig is not there. */
export const systemCompilers: readonly string[] = ["cc", "gcc", "clang"];

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `name` resolved like the shell does: a path as it is, a bare name on PATH. */
export function resolveExecutable(
  name: string,
  path: string,
  isExecutable: (file: string) => boolean,
): string | null {
  if (name.includes("/")) return isExecutable(name) ? name : null;
  for (const dir of path.split(":")) {
    const candidate = `${dir === "" ? "." : dir}/${name}`;
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The compiler to use, or the one line saying why there is none. */
export function chooseCompiler(
  explicit: string | null,
  env: { readonly zig?: string; readonly path: string },
  isExecutable: (file: string) => boolean,
): Compiler | { readonly problem: string } {
  if (explicit !== null) {
    const found = resolveExecutable(explicit, env.path, isExecutable);
    if (found === null) return { problem: `--cc=${explicit}: no such compiler` };
    return { kind: baseName(found) === "zig" ? "zig" : "system", path: found };
  }
  if (env.zig !== undefined && env.zig !== "") return { kind: "zig", path: env.zig };
  const zig = resolveExecutable("zig", env.path, isExecutable);
  if (zig !== null) return { kind: "zig", path: zig };
  for (const name of systemCompilers) {
    const found = resolveExecutable(name, env.path, isExecutable);
    if (found !== null) return { kind: "system", path: found };
  }
  return {
    problem: "no C compiler: neither zig nor cc, gcc or clang is on PATH " +
      "(install one, or give --cc=PATH)",
  };
}

/** Whether the arguments ask for a link (no -c, -S, -E, -M or -MM). */
export function isLinking(args: readonly string[]): boolean {
  return !args.some((a) => a === "-c" || a === "-S" || a === "-E" || a === "-M" || a === "-MM");
}

/**
 * The thread-sanitizer's instrumentation without its runtime: every load, store and atomic of
 * the program calls `__tsan_*`, which the isomc runtime defines (native/src/runtime/tsan.zig)
 * to make them visible steps. Given to clang's front end (`-Xclang`), so that the driver does
 * not link the sanitizer's own runtime (zig cc would, whatever else it is told); gcc has no
 * such way, so programs built with gcc run their plain accesses unseen (docs/pthreads.md).
 */
export function instrumentation(compiler: Compiler): string[] {
  if (compiler.kind === "zig" || baseName(compiler.path).includes("clang")) {
    return [
      "-Xclang",
      "-fsanitize=thread",
      // Without it a read followed by a write of the same place (`x++`) is not instrumented
      // (enough for a race detector, not for steps: the read would run unseen, a step early).
      "-mllvm",
      "-tsan-instrument-read-before-write",
      // Function entries and exits are no steps: not calling them saves two calls per call.
      "-mllvm",
      "-tsan-instrument-func-entry-exit=false",
    ];
  }
  return [];
}

/**
 * The full command line for `isomc cc ARGS` with `compiler`; `instrument`: with the memory
 * instrumentation (lib/build/instrument.ts says when).
 */
export function compilerCommand(
  compiler: Compiler,
  args: readonly string[],
  runtime: RuntimeFiles,
  instrument = false,
): string[] {
  const memory = instrument ? instrumentation(compiler) : [];
  const linking = isLinking(args);
  const include = `-I${runtime.includeDir}`;
  if (compiler.kind === "zig") {
    // zig cc traps on undefined behaviour by default, unlike gcc and clang: a bug should read
    // as the crash it would be with them, unless the user asks for a sanitizer.
    const userSanitize = args.some((a) => a.startsWith("-fsanitize"));
    return [
      compiler.path,
      "cc",
      "-g",
      ...(userSanitize ? [] : ["-fno-sanitize=undefined"]),
      ...memory,
      include,
      ...preprocessedAsC(args),
      ...(linking ? [runtime.library] : []),
    ];
  }
  return [
    compiler.path,
    "-g",
    ...memory,
    include,
    ...args,
    // After the user's objects, so that the archive resolves what they call.
    ...(linking ? [runtime.library, "-lpthread", "-ldl"] : []),
  ];
}
