/**
 * Running the isomc CLI as its own process from a test, and proving it left nothing behind.
 * The test process makes itself a child subreaper (prctl), so whatever the checker leaves when
 * it ends — a live orphan or an unreaped zombie — becomes the test's child and is seen here.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = `${root}cli.ts`;

export interface CliResult {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Where the CLI runs (default: a folder of this test process's own, see `scratch`). */
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** What the CLI reads on stdin (default: /dev/null). */
  readonly stdin?: string;
}

/**
 * The default working folder of the CLIs a test runs: a checker writes its counterexample in its
 * current folder, and a run of the suite must leave the checkout as it found it. One folder per
 * test process, made on first use and removed when the process ends.
 */
let scratchDir: string | undefined;
function scratch(): string {
  if (scratchDir === undefined) {
    const dir = Deno.makeTempDirSync({ prefix: "isomc-cli-" });
    scratchDir = dir;
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // Already gone: nothing to clean.
      }
    });
  }
  return scratchDir;
}

function command(args: readonly string[], options: CliOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    cwd: options.cwd ?? scratch(),
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

const text = new TextDecoder();

/** Runs `isomc ARGS` to its end. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  if (options.stdin !== undefined) return await startCli(args, options).result;
  const out = await command(args, options).output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

/** Starts `isomc ARGS` and returns it running, with its output collected in the background. */
export function startCli(
  args: readonly string[],
  options: CliOptions = {},
): { child: Deno.ChildProcess; result: Promise<CliResult> } {
  const child = command(args, options).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    // The CLI may never read it: a closed pipe is no error here.
    writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close()).catch(
      () => {},
    );
  }
  const collect = async (s: ReadableStream<Uint8Array>): Promise<string> =>
    text.decode(await new Response(s).arrayBuffer());
  const result = Promise.all([child.status, collect(child.stdout), collect(child.stderr)]).then((
    [status, stdout, stderr],
  ) => ({ code: status.code, signal: status.signal, stdout, stderr }));
  return { child, result };
}

/**
 * The result of a started CLI, or a failure (and a killed CLI) if it has not ended within
 * `limitMs`: a test of something that must end never hangs the suite.
 */
export async function endsWithin(
  run: { child: Deno.ChildProcess; result: Promise<CliResult> },
  limitMs: number,
): Promise<CliResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<"hang">((resolve) => timer = setTimeout(() => resolve("hang"), limitMs));
  const r = await Promise.race([run.result, hang]);
  clearTimeout(timer);
  if (r !== "hang") return r;
  try {
    run.child.kill("SIGKILL");
  } catch {
    // it ended just now
  }
  await run.result;
  throw new Error(`the checker did not end within ${limitMs / 1000} s`);
}

/** The lines a CLI run wrote on stderr, without the trailing empty one. */
export function lines(s: string): string[] {
  return s.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1));
}

// ---- Processes ---------------------------------------------------------------------------

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

const libc = Deno.dlopen("libc.so.6", {
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
});

let subreaper = false;

/** Makes this test process inherit the orphans of its descendants. */
export function becomeSubreaper(): void {
  if (subreaper) return;
  if (libc.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) !== 0) {
    throw new Error("prctl(PR_SET_CHILD_SUBREAPER) failed");
  }
  subreaper = true;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z... as in /proc/PID/stat. */
  readonly state: string;
  readonly comm: string;
  readonly argv: readonly string[];
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(" ");
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((a) => a !== "");
    return { pid, ppid: Number(ppid), state, comm, argv };
  } catch {
    return null; // it ended while we looked
  }
}

export function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const info = readProcess(Number(entry.name));
    if (info !== null) found.push(info);
  }
  return found;
}

/** Live processes whose command line mentions `path` (zombies have no command line). */
export function liveProcessesOf(path: string): ProcessInfo[] {
  return processes().filter((p) =>
    p.pid !== Deno.pid && p.state !== "Z" && p.argv.some((a) => a.includes(path))
  );
}

/** Live processes running `path` itself (argv[0]), not those that only name it (the checker). */
export function runningProgram(path: string): ProcessInfo[] {
  return processes().filter((p) => p.state !== "Z" && p.argv[0] === path);
}

/** Children of this test process that no Deno.Command owns: what a dead checker left. */
export function strayChildren(): ProcessInfo[] {
  return processes().filter((p) => p.ppid === Deno.pid);
}

export type ReapedStatus = { exited: number } | { signaled: number } | "running";

/** Reaps one stray child without blocking. */
export function reap(pid: number): ReapedStatus {
  const status = new Int32Array(1);
  const rc = libc.symbols.waitpid(pid, new Uint8Array(status.buffer), WNOHANG);
  if (rc !== pid) return "running";
  const s = status[0];
  return (s & 0x7f) === 0 ? { exited: (s >> 8) & 0xff } : { signaled: s & 0x7f };
}

/**
 * Reaps every stray child, as a checker killed outright leaves them: each once it is a zombie
 * (a dying process has no command line yet is not a zombie), and those re-parented here when
 * their own parent died, in later waves, until none is left for 200 ms. Returns how each ended
 * (or "running" for one still alive after `limitMs`).
 */
export async function reapStrays(
  limitMs = 10_000,
): Promise<{ pid: number; status: ReapedStatus }[]> {
  const reaped: { pid: number; status: ReapedStatus }[] = [];
  const until = Date.now() + limitMs;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 200) {
    const strays = strayChildren();
    if (strays.length > 0) quietSince = Date.now();
    for (const p of strays) {
      if (p.state !== "Z" && Date.now() < until) continue; // not dead yet: next round
      reaped.push({ pid: p.pid, status: reap(p.pid) });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return reaped;
}

/** Waits (polling, at most `limitMs`) until `done` holds; returns whether it did. */
export async function eventually(done: () => boolean, limitMs = 10_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Nothing of `program` runs after the checker ended, and the checker left no child. */
export function assertNothingLeft(program: string): void {
  assert.deepEqual(liveProcessesOf(program), [], `processes of ${program} are still alive`);
  assert.deepEqual(strayChildren(), [], "the checker left children behind");
}

/** The run failed with exactly one line on stderr, matching `line`, and nothing on stdout. */
export function assertOneLine(r: CliResult, code: number, line: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stdout, "");
  const err = lines(r.stderr);
  assert.equal(err.length, 1, `expected one line on stderr, got: ${r.stderr}`);
  assert.match(err[0], /^isomc: /);
  assert.match(err[0], line);
}
