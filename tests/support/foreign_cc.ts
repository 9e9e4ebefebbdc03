/**
 * Programs built elsewhere, for the tests of `isomc check --preload`: compiled by a real C
 * compiler of the system (clang-19, clang or gcc: Debian's, which `.ci/run` installs; installed
 * here with apt-get when the machine has none and the tests run as root), with no isomc header
 * and no isomc link. Each build goes to a temporary folder removed when the test process ends.
 */

import { basename, join } from "node:path";

const candidates = ["clang-19", "clang", "gcc", "cc"];

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

let found: string | null = null;

/** The system's C compiler, installed (gcc) if there is none. */
export function foreignCompiler(): string {
  if (found !== null) return found;
  for (const c of candidates) {
    found = onPath(c);
    if (found !== null) return found;
  }
  const install = new Deno.Command("apt-get", {
    args: ["install", "-y", "-qq", "gcc"],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  found = install.success ? onPath("gcc") : null;
  if (found === null) {
    throw new Error("no C compiler (clang-19, clang, gcc) and apt-get could not install gcc");
  }
  return found;
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

/** `source` compiled by the system's compiler with `flags` (e.g. -static); its path. */
export function foreignBuild(source: string, flags: readonly string[] = []): string {
  const id = JSON.stringify([source, ...flags]);
  const done = built.get(id);
  if (done !== undefined) return done;
  const output = join(buildFolder(), `${basename(source, ".c")}-${built.size}`);
  const r = new Deno.Command(foreignCompiler(), {
    args: ["-g", "-O1", "-o", output, source, "-lpthread", ...flags],
    stderr: "piped",
  }).outputSync();
  if (!r.success) {
    throw new Error(
      `${foreignCompiler()} could not build ${source}: ${new TextDecoder().decode(r.stderr)}`,
    );
  }
  built.set(id, output);
  return output;
}
