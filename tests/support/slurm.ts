/**
 * A one-node Slurm cluster for a test, on this machine: Debian's slurmctld, slurmd,
 * slurm-client and munge installed with apt-get when missing, a munge key, a slurm.conf and
 * every state, spool and log directory in a scratch directory (this host's short name and its
 * real CPUs and memory, proctrack/linuxproc, task/none, no cgroups, free ports), the three
 * daemons started in the foreground as this process's children (under the parent-death signal),
 * and stopped by their pids, never by name: other people's daemons on the machine are not ours.
 * A machine where the cluster cannot come up gives a reason instead, for the test to print.
 */

import { join } from "node:path";

/** What a cluster is made of: the packages, and the commands that show they are there. */
const packages = ["slurmctld", "slurmd", "slurm-client", "munge"];
const commands = ["slurmctld", "slurmd", "sbatch", "sinfo", "scontrol", "scancel", "munged"];

export interface Cluster {
  readonly dir: string;
  /** SLURM_CONF for the client commands (sbatch, sinfo...). */
  readonly env: Record<string, string>;
  /** The daemons' pids, munged first. */
  readonly pids: readonly number[];
  /** Stops every daemon started (SIGTERM, then SIGKILL), removes the scratch directory. */
  stop(): Promise<void>;
}

export interface SubmittedJob {
  readonly id: string;
  /** sbatch --wait's exit status: the job's. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Its state once over, as scontrol shows it (COMPLETED, FAILED, TIMEOUT...). */
  readonly state: string;
}

const text = new TextDecoder();

async function run(
  cmd: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await new Deno.Command(cmd, {
      args: [...args],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    return { code: r.code, out: text.decode(r.stdout), err: text.decode(r.stderr) };
  } catch (e) {
    return { code: -1, out: "", err: (e as Error).message };
  }
}

export function onPath(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/usr/sbin").split(":")) {
    try {
      if (Deno.statSync(join(dir, name)).isFile) return true;
    } catch {
      // not there
    }
  }
  return false;
}

const isRoot = (): boolean => Deno.uid() === 0;

/**
 * Installs the packages when a command is missing (root, apt-get, non-interactive, bounded to
 * 5 minutes, the package lists refreshed once if stale). Debian's packages start their
 * services on install unless policy-rc.d says no: one is put in place for the install when the
 * machine has none, so that no daemon starts that this helper did not start itself.
 * Returns null when the commands are there, or why not.
 */
export async function ensureSlurm(): Promise<string | null> {
  const missing = commands.filter((c) => !onPath(c));
  if (missing.length === 0) return null;
  if (!isRoot()) return `slurm is not installed (${missing.join(", ")}) and we are not root`;
  if (!onPath("apt-get")) return `slurm is not installed (${missing.join(", ")}), no apt-get`;
  const policy = "/usr/sbin/policy-rc.d";
  let ours = false;
  try {
    Deno.statSync(policy);
  } catch {
    Deno.writeTextFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    ours = true;
  }
  const started = performance.now();
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["install", "-y", "-qq", "--no-install-recommends", ...packages];
  try {
    let r = await run("apt-get", install, env, 300_000);
    if (r.code !== 0) {
      await run("apt-get", ["update", "-qq"], env, 120_000);
      r = await run("apt-get", install, env, 300_000);
    }
    if (r.code !== 0) return `apt-get install ${packages.join(" ")} failed: ${lastLine(r.err)}`;
  } finally {
    if (ours) Deno.removeSync(policy);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`slurm: installed ${packages.join(" ")} in ${seconds} s`);
  const still = commands.filter((c) => !onPath(c));
  return still.length === 0 ? null : `installed, but ${still.join(", ")} still missing`;
}

function lastLine(s: string): string {
  return s.trim().split("\n").at(-1) ?? "";
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export { freePort };

/** The node's own line, as slurmd measures it (CPUs, sockets, cores, threads, memory). */
async function nodeLine(): Promise<string | null> {
  const r = await run("slurmd", ["-C"]);
  const line = r.out.split("\n").find((l) => l.startsWith("NodeName="));
  return r.code === 0 && line !== undefined ? line.trim() : null;
}

/** The one-node slurm.conf: `node` is slurmd -C's NodeName line, `ports` the daemons'. */
export function slurmConf(dir: string, node: string, ports: [number, number]): string {
  const host = node.match(/^NodeName=(\S+)/)?.[1] ?? "localhost";
  return [
    "ClusterName=isomc",
    `SlurmctldHost=${host}`,
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${dir}/munge.socket`,
    `SlurmctldPort=${ports[0]}`,
    `SlurmdPort=${ports[1]}`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    // No cgroups: processes are tracked by their parent links, tasks are not bound.
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "SchedulerType=sched/builtin",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "ReturnToService=2",
    "MpiDefault=none",
    "MailProg=/bin/true",
    `${node.replace(/\s+UpTime=\S+/, "")} State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n");
}

/** A daemon in the foreground, killed with us (setpriv's parent-death signal) if we die first. */
function daemon(argv: readonly string[], env: Record<string, string>): Deno.ChildProcess {
  const wrapped = onPath("setpriv") ? ["setpriv", "--pdeathsig", "KILL", "--", ...argv] : argv;
  return new Deno.Command(wrapped[0], {
    args: wrapped.slice(1),
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function stopAll(children: readonly Deno.ChildProcess[], dir: string): Promise<void> {
  // slurmd first (it ends the job steps it runs), the controller, munge last.
  for (const c of [...children].reverse()) {
    try {
      c.kill("SIGTERM");
    } catch {
      // it ended already
    }
    const killer = setTimeout(() => {
      try {
        c.kill("SIGKILL");
      } catch {
        // it ended
      }
    }, 10_000);
    await c.status;
    clearTimeout(killer);
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

async function until(done: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function tail(path: string): string {
  try {
    const lines = Deno.readTextFileSync(path).trim().split("\n");
    return lines.filter((l) => /error|fatal/i.test(l)).at(-1) ?? lines.at(-1) ?? "";
  } catch {
    return "(no log)";
  }
}

/** Installs (if needed) and starts a one-node cluster; returns it idle, or why it could not. */
export async function startCluster(): Promise<Cluster | string> {
  if (!isRoot()) return "the Slurm daemons need root";
  const missing = await ensureSlurm();
  if (missing !== null) return missing;
  const node = await nodeLine();
  if (node === null) return "slurmd -C did not describe this node";
  const dir = await Deno.makeTempDir({ prefix: "isomc-slurm-" });
  // munged wants every directory above its socket searchable by all.
  await Deno.chmod(dir, 0o755);
  for (const d of ["state", "spool", "log"]) await Deno.mkdir(join(dir, d));
  const key = new Uint8Array(1024);
  crypto.getRandomValues(key);
  await Deno.writeFile(join(dir, "munge.key"), key, { mode: 0o600 });
  const conf = join(dir, "slurm.conf");
  await Deno.writeTextFile(conf, slurmConf(dir, node, [freePort(), freePort()]));
  const env = { SLURM_CONF: conf };
  const children: Deno.ChildProcess[] = [];
  const fail = async (why: string): Promise<string> => {
    await stopAll(children, dir);
    return why;
  };
  children.push(daemon([
    "munged",
    "--foreground",
    "--force",
    `--key-file=${dir}/munge.key`,
    `--socket=${dir}/munge.socket`,
    `--pid-file=${dir}/munged.pid`,
    `--log-file=${dir}/log/munged.log`,
    `--seed-file=${dir}/munged.seed`,
  ], env));
  const socket = async (): Promise<boolean> => {
    try {
      return (await Deno.stat(`${dir}/munge.socket`)).isSocket === true;
    } catch {
      return false;
    }
  };
  if (!await until(socket, 15_000)) {
    return fail(`munged did not start: ${tail(`${dir}/log/munged.log`)}`);
  }
  children.push(daemon(["slurmctld", "-D", "-i", "-f", conf], env));
  children.push(daemon(["slurmd", "-D", "-f", conf], env));
  const idle = async (): Promise<boolean> => {
    const r = await run("sinfo", ["-h", "-N", "-o", "%T"], env, 10_000);
    return r.code === 0 && r.out.trim() === "idle";
  };
  if (!await until(idle, 60_000)) {
    const why = `the node did not become idle: slurmctld: ${tail(`${dir}/log/slurmctld.log`)}; ` +
      `slurmd: ${tail(`${dir}/log/slurmd.log`)}`;
    return fail(why);
  }
  return {
    dir,
    env,
    pids: children.map((c) => c.pid),
    stop: () => stopAll(children, dir),
  };
}

/**
 * Submits `script ARGS` with `ntasks` tasks and waits for it (sbatch --wait, at most
 * `timeoutMs`, then scancel): its exit status, its output and error files, its final state.
 */
export async function submit(
  cluster: Cluster,
  script: string,
  args: readonly string[],
  options: { ntasks: number; env: Record<string, string>; timeoutMs: number },
): Promise<SubmittedJob> {
  const out = join(cluster.dir, "job-%j.out");
  const err = join(cluster.dir, "job-%j.err");
  const env = { ...cluster.env, ...options.env };
  const minutes = Math.max(1, Math.ceil(options.timeoutMs / 60_000));
  const r = await run(
    "sbatch",
    [
      "--wait",
      "--parsable",
      `--ntasks=${options.ntasks}`,
      `--time=${minutes}`,
      `--output=${out}`,
      `--error=${err}`,
      `--chdir=${cluster.dir}`,
      script,
      ...args,
    ],
    env,
    options.timeoutMs + 30_000,
  );
  const id = r.out.trim().split("\n")[0].split(";")[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch did not submit: ${r.err.trim()}`);
  if (r.code === -1) await run("scancel", [id], env);
  const read = (p: string): string => {
    try {
      return Deno.readTextFileSync(p.replace("%j", id));
    } catch {
      return "";
    }
  };
  const show = await run("scontrol", ["show", "job", id], env);
  const state = show.out.match(/JobState=(\S+)/)?.[1] ?? "unknown";
  return { id, code: r.code, stdout: read(out), stderr: read(err), state };
}
