/** A description of the machine a benchmark ran on, written beside its results. */

export interface Machine {
  cpu: string;
  cores: number;
  memory_gib: number;
  kernel: string;
  deno: string;
  zig: string;
}

async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(r.stdout).trim();
  } catch {
    return "unknown";
  }
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown";
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const kib = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? 0);
  return {
    cpu: model,
    cores: navigator.hardwareConcurrency,
    memory_gib: Math.round(kib / 1024 / 1024),
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    zig: await commandOutput(Deno.env.get("ISOMC_ZIG") ?? "zig", ["version"]),
  };
}
