/**
 * Finding Nidhugg and GenMC, or building them outside the repository's sources. A checkout given
 * with --nidhugg / --genmc (or their variables) must be built already; under --peers-dir
 * (default .bench-peers/, git-ignored) a missing checkout is unpacked from its source snapshot
 * and built with the recipe of the snapshots' README (../shared/peers/README.md), after
 * installing the Debian packages it needs when we are root. Nothing of theirs enters the project.
 */

import { dirname, join, resolve } from "node:path";
import type { PeerOptions } from "./options.ts";

/** A peer that cannot be found or built: one line, exit 3. */
export class PeerSetupError extends Error {
  override name = "PeerSetupError";
}

export interface PeerDirs {
  readonly nidhugg: string | null;
  readonly genmc: string | null;
}

interface Recipe {
  readonly name: string;
  /** Top folder of its snapshot, and the glob of the snapshot's name. */
  readonly folder: string;
  readonly snapshot: RegExp;
  readonly packages: readonly string[];
  /** The commands, run in the checkout, that build it (shell lines, logged). */
  readonly steps: readonly string[];
  readonly minutes: number;
  built(dir: string): Promise<boolean>;
}

async function exists(path: string, executable = false): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return !executable || (st.isFile && ((st.mode ?? 0) & 0o111) !== 0);
  } catch {
    return false;
  }
}

const common = ["make", "g++", "autoconf", "automake", "libffi-dev", "zlib1g-dev", "libedit-dev"];

const nidhugg: Recipe = {
  name: "Nidhugg",
  folder: "nidhugg",
  snapshot: /^nidhugg-.*\.tar\.gz$/,
  packages: [
    ...common,
    "python3",
    "llvm-15-dev",
    "clang-15",
    "libtool",
    "libboost-dev",
    "libboost-test-dev",
    "libboost-system-dev",
    "pkg-config",
  ],
  steps: [
    "autoreconf -i",
    "./configure --with-llvm=/usr/lib/llvm-15",
    `make -j${navigator.hardwareConcurrency}`,
  ],
  minutes: 3,
  built: async (dir) =>
    await exists(join(dir, "src", "nidhuggc")) && await exists(join(dir, "src", "nidhugg"), true) &&
    await exists(join(dir, "benchmarks")),
};

const genmc: Recipe = {
  name: "GenMC",
  folder: "genmc",
  snapshot: /^genmc-.*\.tar\.gz$/,
  packages: [...common, "llvm-19-dev", "clang-19", "libhwloc-dev"],
  steps: [
    "autoreconf --install",
    // Its configure needs C++23, which Debian 12's g++ lacks.
    "CXX=clang++-19 CC=clang-19 ./configure --with-llvm=/usr/lib/llvm-19 --with-clang=/usr/bin/clang-19 --with-clangxx=/usr/bin/clang++-19",
    `make -j${navigator.hardwareConcurrency} genmc`,
  ],
  minutes: 6,
  built: (dir) => exists(join(dir, "genmc"), true),
};

async function output(cmd: string, args: string[], cwd?: string): Promise<string | null> {
  try {
    const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "null" }).output();
    return r.success ? new TextDecoder().decode(r.stdout).trim() : null;
  } catch {
    return null;
  }
}

/**
 * Where the source snapshots are: --peers-src, else ../shared/peers beside this checkout or
 * beside the main checkout of its repository (a git worktree's siblings are not the main's).
 */
export async function snapshotDirs(root: string, given: string | null): Promise<string[]> {
  if (given !== null) return [given];
  const dirs = [resolve(root, "..", "shared", "peers")];
  const common = await output(
    "git",
    ["rev-parse", "--path-format=absolute", "--git-common-dir"],
    root,
  );
  if (common !== null) dirs.push(resolve(dirname(common), "..", "shared", "peers"));
  return [...new Set(dirs)];
}

async function findSnapshot(recipe: Recipe, dirs: readonly string[]): Promise<string> {
  for (const dir of dirs) {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.isFile && recipe.snapshot.test(e.name)) return join(dir, e.name);
      }
    } catch {
      // not there: try the next folder
    }
  }
  throw new PeerSetupError(
    `no ${recipe.name} source snapshot (${recipe.folder}-*.tar.gz) in ${dirs.join(" or ")}; ` +
      `give --peers-src=DIR, or --${recipe.folder}=DIR for a built checkout`,
  );
}

/** The packages of `wanted` dpkg does not list as installed. */
async function missingPackages(wanted: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const p of wanted) {
    const status = await output("dpkg-query", ["-W", "-f=${Status}", p]);
    if (status === null || !status.endsWith(" installed")) missing.push(p);
  }
  return missing;
}

async function sh(line: string, cwd: string, log: string): Promise<boolean> {
  await Deno.writeTextFile(log, `\n$ ${line}\n`, { append: true });
  const quoted = `'${log.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command("sh", {
    args: ["-c", `exec >>${quoted} 2>&1; ${line}`],
    cwd,
    stdin: "null",
  }).spawn();
  return (await child.status).success;
}

async function installPackages(recipe: Recipe, log: string): Promise<void> {
  const missing = await missingPackages(recipe.packages);
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(" ")}`;
  if (Deno.uid() !== 0 || (await output("sh", ["-c", "command -v apt-get"])) === null) {
    throw new PeerSetupError(`${recipe.name} needs Debian packages that are missing: ${command}`);
  }
  console.log(`peers: installing ${missing.join(" ")} (log: ${log})`);
  const env = "DEBIAN_FRONTEND=noninteractive";
  if (!(await sh(`${env} ${command}`, "/", log))) {
    // The package lists may be stale or absent on a fresh machine.
    if (!(await sh(`${env} apt-get update && ${env} ${command}`, "/", log))) {
      throw new PeerSetupError(`could not install ${missing.join(" ")}; see ${log}`);
    }
  }
}

async function tail(log: string, lines: number): Promise<string> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Unpacks (if need be) and builds one peer in `dir`; the log goes beside it. */
async function build(recipe: Recipe, dir: string, snapshots: readonly string[]): Promise<void> {
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  const log = join(parent, `${recipe.folder}.log`);
  await Deno.writeTextFile(log, `building ${recipe.name} in ${dir}\n`);
  await installPackages(recipe, log);
  if (!(await exists(join(dir, "configure.ac")))) {
    const snapshot = await findSnapshot(recipe, snapshots);
    console.log(`peers: unpacking ${snapshot} into ${parent}`);
    const staging = await Deno.makeTempDir({ dir: parent, prefix: `.${recipe.folder}-` });
    try {
      if (!(await sh(`tar -xzf '${snapshot}'`, staging, log))) {
        throw new PeerSetupError(`could not unpack ${snapshot}; see ${log}`);
      }
      if (!(await exists(join(staging, recipe.folder, "configure.ac")))) {
        throw new PeerSetupError(`${snapshot} has no ${recipe.folder}/configure.ac`);
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.rename(join(staging, recipe.folder), dir);
    } finally {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  }
  console.log(
    `peers: building ${recipe.name} in ${dir} (about ${recipe.minutes} minutes on 2 cores; log: ${log})`,
  );
  for (const step of recipe.steps) {
    if (!(await sh(step, dir, log))) {
      throw new PeerSetupError(
        `building ${recipe.name} failed at \`${step}\`; see ${log}:\n${await tail(log, 15)}`,
      );
    }
  }
  if (!(await recipe.built(dir))) {
    throw new PeerSetupError(`${recipe.name} built, but not where expected in ${dir}; see ${log}`);
  }
}

async function locate(
  recipe: Recipe,
  given: string | null,
  options: PeerOptions,
  snapshots: readonly string[],
): Promise<string> {
  if (given !== null) {
    if (await recipe.built(given)) return given;
    throw new PeerSetupError(
      `${given} is not a built ${recipe.name} checkout (${
        recipe.folder === "nidhugg" ? "src/nidhuggc, src/nidhugg and benchmarks/" : "genmc"
      } missing)`,
    );
  }
  const dir = join(options.peersDir, recipe.folder);
  if (!(await recipe.built(dir))) await build(recipe, dir, snapshots);
  return dir;
}

/**
 * The built checkouts of the peers the run needs. Nidhugg's is needed by GenMC too: the
 * benchmark sources are in it.
 */
export async function locatePeers(options: PeerOptions, root: string): Promise<PeerDirs> {
  const needNidhugg = options.tools.includes("nidhugg") || options.tools.includes("genmc");
  const snapshots = await snapshotDirs(root, options.peersSrc);
  return {
    nidhugg: needNidhugg ? await locate(nidhugg, options.nidhugg, options, snapshots) : null,
    genmc: options.tools.includes("genmc")
      ? await locate(genmc, options.genmc, options, snapshots)
      : null,
  };
}

/** The version lines the peers print about themselves. */
export async function peerVersions(
  dirs: PeerDirs,
  python: string,
): Promise<Record<string, string>> {
  const v: Record<string, string> = {};
  if (dirs.nidhugg !== null) {
    v.nidhugg = (await output(python, [join(dirs.nidhugg, "src", "nidhuggc"), "--version"])) ??
      "unknown";
  }
  if (dirs.genmc !== null) {
    const text = (await output(join(dirs.genmc, "genmc"), ["--version"])) ?? "";
    v.genmc = text.split("\n").map((l) => l.trim()).filter((l) => /v\d|LLVM/.test(l)).join(", ") ||
      "unknown";
  }
  return v;
}
