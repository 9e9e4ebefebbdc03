/**
 * Programs built elsewhere, for the tests of `isomc check --preload`: compiled by a real C (or,
 * for a `.cc` file, C++) compiler of the system (clang-19, clang or gcc: Debian's, which
 * `.ci/run` installs; installed here with apt-get when the machine has none and the tests run
 * as root), with no isomc header and no isomc link. Each build goes to a temporary folder
 * removed when the test process ends.
 */

import { basename, join } from "node:path";

const compilers = {
  c: { candidates: ["clang-19", "clang", "gcc", "cc"], package: "gcc" },
  cxx: { candidates: ["clang++-19", "clang++", "g++", "c++"], package: "g++" },
} as const;
type Language = keyof typeof compilers;

function onPath(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = join(dir === "" ? "." : dir, name);
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not in this folder
    }
  }
  return null;
}

const found = new Map<Language, string>();

/** The system's compiler for `language`, installed (gcc, g++) if there is none. */
export function foreignCompiler(language: Language = "c"): string {
  const known = found.get(language);
  if (known !== undefined) return known;
  const { candidates, package: name } = compilers[language];
  let path: string | null = null;
  for (const c of candidates) {
    path ??= onPath(c);
  }
  if (path === null) {
    const install = new Deno.Command("apt-get", {
      args: ["install", "-y", "-qq", name],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    path = install.success ? onPath(name) : null;
  }
  if (path === null) {
    throw new Error(`no ${candidates.join(", ")} on PATH, and apt-get could not install ${name}`);
  }
  found.set(language, path);
  return path;
}

let folder: string | null = null;

function buildFolder(): string {
  if (folder !== null) return folder;
  const dir = Deno.makeTempDirSync({ prefix: "isomc-foreign-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  });
  folder = dir;
  return dir;
}

const built = new Map<string, string>();

/**
 * `source` compiled by the system's compiler (or `compiler`, a name on PATH) with `flags` (e.g.
 * -static); its path.
 */
export function foreignBuild(
  source: string,
  flags: readonly string[] = [],
  compiler?: string,
): string {
  const id = JSON.stringify([source, compiler ?? "", ...flags]);
  const done = built.get(id);
  if (done !== undefined) return done;
  const output = join(buildFolder(), `${basename(source).replace(/\.\w+$/, "")}-${built.size}`);
  const cc = compiler === undefined
    ? foreignCompiler(source.endsWith(".cc") ? "cxx" : "c")
    : compiler;
  const r = new Deno.Command(cc, {
    args: ["-g", "-O1", "-o", output, source, "-lpthread", ...flags],
    stderr: "piped",
  }).outputSync();
  if (!r.success) {
    throw new Error(`${cc} could not build ${source}: ${new TextDecoder().decode(r.stderr)}`);
  }
  built.set(id, output);
  return output;
}
