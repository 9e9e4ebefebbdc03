/**
 * The processes of a parallel check on this machine: where the coordinator listens (a Unix
 * socket, or TCP for --coordinator), and the local workers --jobs starts, each this same isomc
 * as `isomc worker`, under the kernel's parent-death signal and pinned to its own CPU.
 */

import { fileURLToPath } from "../paths.ts";
import { UsageError } from "../errors.ts";
import type { Address } from "./wire.ts";

export function listen(address: Address): Deno.Listener {
  try {
    return address.transport === "unix"
      ? Deno.listen({ transport: "unix", path: address.path })
      : Deno.listen({ hostname: address.hostname, port: address.port });
  } catch (e) {
    throw new UsageError(`cannot listen for workers: ${(e as Error).message}`);
  }
}

/**
 * A local worker: this same isomc, as a worker, on CPU k (when pinned), under the parent-death
 * signal (setpriv), its output on our stderr.
 */
export function startWorker(
  address: string,
  program: readonly string[],
  k: number,
  pin: boolean,
): Deno.ChildProcess {
  const self = selfCommand();
  const argv = [...self, "worker", `--connect=${address}`, "--", ...program];
  const cpus = onlineCpus();
  const pinned = pin && has("/usr/bin/taskset");
  const wrapped = [
    ...(has("/usr/bin/setpriv") ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] : []),
    ...(pinned ? ["/usr/bin/taskset", "-c", String(cpus[k % cpus.length])] : []),
    ...argv,
  ];
  return new Deno.Command(wrapped[0], {
    args: wrapped.slice(1),
    ...(pinned ? { env: { [pinnedMark]: "1" } } : {}),
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

/**
 * How to run this isomc again: Deno with the CLI's script (from a library caller too, a test),
 * or the compiled binary itself.
 */
function selfCommand(): string[] {
  const exe = Deno.execPath();
  if (!/(^|\/)deno$/.test(exe)) return [exe];
  // ISOMC_WORKER_DENO_FLAGS: Deno flags for the workers, to measure them (bench/README.md:
  // `--cpu-prof --cpu-prof-dir=DIR`); split at spaces.
  const flags = (Deno.env.get("ISOMC_WORKER_DENO_FLAGS") ?? "").split(" ").filter((f) => f !== "");
  return [exe, "run", "-A", ...flags, fileURLToPath(new URL("../../cli.ts", import.meta.url))];
}

/** Set in the environment of a local worker this file pinned (taskset): it may free its helpers. */
const pinnedMark = "ISOMC_WORKER_PINNED";

/**
 * Whether this worker was started pinned by startWorker; the mark leaves the environment, so
 * that the program's is the sequential check's.
 */
export function takePinnedMark(): boolean {
  const marked = Deno.env.get(pinnedMark) === "1";
  Deno.env.delete(pinnedMark);
  return marked;
}

/**
 * In a local worker started pinned (taskset, above), once its program runs: V8's helper threads
 * (garbage collector, compiler) and the runtime's are let run on every CPU again, and only the
 * main thread stays on the worker's CPU, with its program (the runtime pins both when it starts
 * the program, lib/native/process.ts). The sequential checker runs so: pinned whole, a worker's
 * helpers took 0.5 to 0.8 CPU s from its search on lastzero(12), readers(13) and indexer(15)
 * (bench/README.md). Best effort: a refusal only costs speed. Returns whether it was done.
 */
export function freeHelperThreads(): boolean {
  if (!has("/usr/bin/taskset")) return false;
  let online: string;
  let status: string;
  try {
    // (navigator.hardwareConcurrency counts the CPUs we may run on: 1 once pinned.)
    online = Deno.readTextFileSync("/sys/devices/system/cpu/online").trim();
    status = Deno.readTextFileSync("/proc/self/status");
  } catch {
    return false;
  }
  const mine = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
  // Pinned to one CPU (a number alone), and not the only one there is: otherwise nothing to do.
  if (mine === undefined || !/^\d+$/.test(mine) || online === mine) return false;
  const run = (args: string[]): boolean => {
    try {
      return new Deno.Command("/usr/bin/taskset", { args, stdout: "null", stderr: "null" })
        .outputSync().success;
    } catch {
      return false;
    }
  };
  // Every thread to every CPU, then the main thread (its tid is the pid) back to its own.
  return run(["-a", "-p", "-c", online, String(Deno.pid)]) &&
    run(["-p", "-c", mine, String(Deno.pid)]);
}

/**
 * The machine's CPUs, by number: the kernel's online list ("0-1", "0,2-5"), not
 * navigator.hardwareConcurrency, which counts the CPUs the calling thread may run on: 1 in a
 * library caller whose thread a sequential check pinned (lib/native/process.ts, pinCpu), which
 * would put every worker on CPU 0.
 */
export function onlineCpus(): number[] {
  let list: string;
  try {
    list = Deno.readTextFileSync("/sys/devices/system/cpu/online").trim();
  } catch {
    list = "";
  }
  const cpus: number[] = [];
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) continue;
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) cpus.push(c);
  }
  return cpus.length > 0
    ? cpus
    : Array.from({ length: navigator.hardwareConcurrency }, (_, i) => i);
}

function has(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
