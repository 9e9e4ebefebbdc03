/**
 * Where isomc's own files are at run time. In a checkout they are where the build puts them
 * (native/zig-out/, include/, examples/). In the single binary (`./isomc dist`) they live in
 * the binary's virtual file system, which neither a child process (LD_PRELOAD of the fd agent)
 * nor the system C compiler (the runtime library, isomc.h) can see: each one is written out to
 * the cache folder, `$XDG_CACHE_HOME/isomc/<version>/<digest>/<name>`, before its first use.
 *
 * A copy is named by the SHA-256 of its bytes, taken when the binary was built (the bundle
 * manifest, written by scripts/dist.ts): a binary never uses a file of another build. It is
 * written only after its bytes were checked against that digest, to a temporary name that is
 * then renamed into place, so a name that exists holds the whole file and two isomc processes
 * starting at once each rename identical bytes over the other's.
 */

import { fileURLToPath } from "../paths.ts";
import { InternalError } from "../errors.ts";
import { sha256Hex } from "./sha256.ts";

/** A file embedded in the single binary, as the build recorded it. */
export interface BundledFile {
  /** Its path relative to the repository root, e.g. `native/zig-out/lib/libisomc.a`. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** The manifest the dist build embeds next to the program (scripts/dist.ts writes it). */
export interface BundleManifest {
  readonly version: string;
  readonly files: readonly BundledFile[];
}

/** The repository root: a real folder in a checkout, the virtual one inside the binary. */
export const sourceRoot = fileURLToPath(new URL("../../", import.meta.url));

interface Bundled {
  readonly manifest: BundleManifest;
  /** Found on first use: `isomc ltl` needs no cache folder, so no HOME either. */
  readonly cacheDir: () => string;
  readonly written: Map<string, string>;
}

// Set once, by the single binary's entry point (lib/dist/entry.ts), before any command runs.
let bundled: Bundled | null = null;

/** The cache folder of this version: `$XDG_CACHE_HOME/isomc/<version>` (default ~/.cache). */
export function cacheFolder(
  env: { get(name: string): string | undefined },
  version: string,
): string {
  const xdg = env.get("XDG_CACHE_HOME");
  const home = env.get("HOME");
  let base: string;
  if (xdg !== undefined && xdg.startsWith("/")) {
    base = xdg; // the XDG spec: a relative value is ignored
  } else if (home !== undefined && home !== "") {
    base = `${home}/.cache`;
  } else {
    throw new InternalError("neither XDG_CACHE_HOME nor HOME is set: isomc needs a cache folder");
  }
  return `${base.replace(/\/+$/, "")}/isomc/${version}`;
}

/** Parses and checks the embedded manifest (its shape is isomc's own, but a bad build must say so). */
export function parseManifest(text: string): BundleManifest {
  const value = JSON.parse(text) as Partial<BundleManifest>;
  const ok = typeof value.version === "string" && Array.isArray(value.files) &&
    value.files.every((f) =>
      typeof f.path === "string" && /^[0-9a-f]{64}$/.test(f.sha256) && Number.isInteger(f.size)
    );
  if (!ok) throw new InternalError("the single binary's bundle manifest is malformed");
  return value as BundleManifest;
}

/** Switches to the single binary's files: called by its entry point only. */
export function useBundle(manifest: BundleManifest, cacheDir: () => string): void {
  let found: string | null = null;
  bundled = { manifest, cacheDir: () => (found ??= cacheDir()), written: new Map() };
}

/** Whether this process is the single binary (its files come from the cache folder). */
export function isBundled(): boolean {
  return bundled !== null;
}

/** The real path of isomc's file `path` (relative to the repository root), written out if needed. */
export function realFile(path: string): string {
  if (bundled === null) return `${sourceRoot}${path}`;
  const done = bundled.written.get(path);
  if (done !== undefined) return done;
  const entry = bundled.manifest.files.find((f) => f.path === path);
  if (entry === undefined) throw new InternalError(`${path} is not in the single binary`);
  const real = writeOut(entry, sourceRoot, bundled.cacheDir());
  bundled.written.set(path, real);
  return real;
}

/**
 * The real folder holding isomc's files `paths` (of one folder of the repository) together,
 * written out if needed: the headers a compiler finds by one `-I` (isomc.h and the pthread.h
 * that marks a pthread program). In the single binary each file alone goes to a folder of its
 * own digest; these go together to the folder of the digest of theirs.
 */
export function realFolder(paths: readonly string[]): string {
  const folder = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
  if (paths.length === 0 || paths.some((p) => folder(p) !== folder(paths[0]))) {
    throw new InternalError(`not files of one folder: ${paths.join(", ")}`);
  }
  if (bundled === null) return `${sourceRoot}${folder(paths[0])}`;
  const key = `folder:${paths.join(":")}`;
  const done = bundled.written.get(key);
  if (done !== undefined) return done;
  const entries = paths.map((path) => {
    const entry = bundled!.manifest.files.find((f) => f.path === path);
    if (entry === undefined) throw new InternalError(`${path} is not in the single binary`);
    return entry;
  });
  const digest = sha256Hex(new TextEncoder().encode(entries.map((e) => e.sha256).join("")));
  const dir = `${bundled.cacheDir()}/${digest.slice(0, 16)}`;
  for (const entry of entries) writeOutTo(entry, sourceRoot, dir);
  bundled.written.set(key, `${dir}/`);
  return `${dir}/`;
}

/** Where isomc keeps what it builds for itself (the demo's program): .isomc/ or the cache. */
export function workFolder(): string {
  return bundled === null ? `${sourceRoot}.isomc` : bundled.cacheDir();
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function sizeOf(path: string): number | null {
  try {
    return Deno.statSync(path).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The real copy of `entry` (read from under `from`) in `cacheDir`: the one there if it is
 * complete, otherwise written after its bytes are checked against the manifest's digest.
 */
export function writeOut(entry: BundledFile, from: string, cacheDir: string): string {
  return writeOutTo(entry, from, `${cacheDir}/${entry.sha256.slice(0, 16)}`);
}

/** Writes `entry` out into the folder `dir` (named by a digest), checked: its path there. */
function writeOutTo(entry: BundledFile, from: string, dir: string): string {
  const target = `${dir}/${baseName(entry.path)}`;
  // The name carries the digest and only a complete, checked file is ever renamed to it.
  if (sizeOf(target) === entry.size) return target;
  const bytes = Deno.readFileSync(`${from}${entry.path}`);
  const digest = sha256Hex(bytes);
  if (bytes.length !== entry.size || digest !== entry.sha256) {
    throw new InternalError(
      `${entry.path} inside the binary does not match its digest (${digest}): the binary is damaged`,
    );
  }
  const temporary = `${target}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeFileSync(temporary, bytes, { mode: /\.so$/.test(entry.path) ? 0o755 : 0o644 });
    Deno.renameSync(temporary, target);
  } catch (e) {
    try {
      Deno.removeSync(temporary);
    } catch {
      // nothing was written
    }
    throw new InternalError(`cannot write ${target} (${(e as Error).message})`);
  }
  return target;
}

export { sha256Hex };
