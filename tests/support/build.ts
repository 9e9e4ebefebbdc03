/**
 * Test programs compiled once: `buildProgram(source, flags)` compiles a C file against the
 * runtime (lib/build/cc.ts) into .isomc/test-build/, keyed by a hash of the source, the extra
 * compiler flags, the runtime library and its header, and isomc cc's own command line
 * (lib/build/compiler.ts, instrument.ts), so a binary is rebuilt exactly when one
 * of them changed. Concurrent
 * test processes may build the same key: each compiles to its own temporary name and renames
 * it into place, which is atomic.
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../lib/build/cc.ts";
import { includeDir, runtimeLibrary } from "../../lib/native/library.ts";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cacheDir = join(repoRoot, ".isomc", "test-build");

let runtimeKey: Promise<string> | null = null;
const builds = new Map<string, Promise<string>>();

async function sha256(parts: readonly Uint8Array[]): Promise<string> {
  let length = 0;
  for (const p of parts) length += p.length + 8;
  const all = new Uint8Array(length);
  const view = new DataView(all.buffer);
  let at = 0;
  for (const p of parts) {
    // Length-prefixed so that two different splits of the same bytes hash differently.
    view.setBigUint64(at, BigInt(p.length), true);
    all.set(p, at + 8);
    at += p.length + 8;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function runtimeHash(): Promise<string> {
  runtimeKey ??= (async (): Promise<string> =>
    await sha256([
      await Deno.readFile(runtimeLibrary()),
      await Deno.readFile(join(includeDir(), "isomc.h")),
      // How isomc cc compiles (its flags, the memory instrumentation) is part of the binary too.
      await Deno.readFile(join(repoRoot, "lib", "build", "compiler.ts")),
      await Deno.readFile(join(repoRoot, "lib", "build", "instrument.ts")),
    ]))();
  return runtimeKey;
}

/**
 * Path of the binary built from `sourcePath` (relative to the repo root, or absolute), with
 * extra compiler flags such as `-DNAME` if given.
 */
export function buildProgram(sourcePath: string, flags: readonly string[] = []): Promise<string> {
  const source = sourcePath.startsWith("/") ? sourcePath : join(repoRoot, sourcePath);
  const id = JSON.stringify([source, ...flags]);
  let build = builds.get(id);
  if (build === undefined) {
    build = buildUncached(source, flags);
    builds.set(id, build);
    // A failed build is not cached: the next call reports the error again.
    build.catch(() => builds.delete(id));
  }
  return build;
}

async function buildUncached(source: string, flags: readonly string[]): Promise<string> {
  const encoder = new TextEncoder();
  const key = await sha256([
    encoder.encode(await runtimeHash()),
    await Deno.readFile(source),
    ...flags.map((f) => encoder.encode(f)),
  ]);
  const name = `${basename(source).replace(/\.c$/, "")}-${key.slice(0, 16)}`;
  const output = join(cacheDir, name);
  try {
    await Deno.stat(output);
    return output;
  } catch {
    // not built yet
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const temporary = `${output}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await compile([source], temporary, flags);
    await Deno.rename(temporary, output);
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
  return output;
}
