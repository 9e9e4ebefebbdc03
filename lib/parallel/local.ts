/**
 * The processes of a parallel check on this machine: where the coordinator listens (a Unix
 * socket, or TCP for --coordinator), and the local workers --jobs starts, each this same isomc
 * as `isomc worker`, under the kernel's parent-death signal and pinned to its own CPU.
 */

import { fileURLToPath } from "node:url";
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
  const cpus = navigator.hardwareConcurrency;
  const wrapped = [
    ...(has("/usr/bin/setpriv") ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"] : []),
    ...(pin && has("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", String(k % cpus)] : []),
    ...argv,
  ];
  return new Deno.Command(wrapped[0], {
    args: wrapped.slice(1),
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

function has(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
