/**
 * Reading the two profilers the breakdown uses: a V8 CPU profile from `deno run --cpu-prof`
 * (self time per function, grouped by what the checker's modules do) and the text of
 * `perf report --sort comm,dso` (CPU samples per process and shared object). Pure functions.
 */

/** The parts of a .cpuprofile this reads (V8's Profile: nodes, samples, timeDeltas in µs). */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * What the checker's modules do, by path under the repository (first match wins). Time in a
 * native call is sampled in the JavaScript function that made it (FFI fast calls), so the
 * channel's wait for the program shows as lib/native/channel.ts.
 */
export const areas: readonly (readonly [string, RegExp])[] = [
  [
    "DPOR analysis (happens-before, races, wakeup trees, sleep sets)",
    /lib\/explore\/dpor\/(happens_before|races|wakeup_tree|sleep|event|shadow)\.ts|lib\/model\/independence\.ts/,
  ],
  ["search loop (explorer, DFS, statistics)", /lib\/explore\/|lib\/model\//],
  ["channel: send, wait for the program, receive (native)", /lib\/native\/channel\.ts/],
  ["snapshot engine calls (native)", /lib\/state\/native\.ts/],
  ["stateful target (paths, fd tables, known ends)", /lib\/state\//],
  ["program run and protocol (encode, decode, outcomes)", /lib\/process\//],
  ["other native wrappers (spawn, fds)", /lib\/native\//],
  ["reports, CLI, build", /lib\/(report|cli|build)\/|lib\/[a-z_]+\.ts|cli\.ts|mod\.ts/],
  ["garbage collector", /^\(garbage collector\)$/],
  ["idle", /^\(idle\)$/],
];

export interface ProfileSummary {
  readonly totalUs: number;
  /** Self time per area (areas' names, and "Deno and V8, other" for the rest). */
  readonly areas: Record<string, number>;
  /** The functions with the most self time: [area-relative path:function, µs]. */
  readonly top: readonly (readonly [string, number])[];
}

export function summarizeProfile(
  profile: CpuProfile,
  root: string,
  topN = 15,
): ProfileSummary {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const result: Record<string, number> = {};
  for (const [name] of areas) result[name] = 0;
  const other = "Deno and V8, other";
  result[other] = 0;
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  const prefix = `file://${root.endsWith("/") ? root : `${root}/`}`;
  for (const [id, us] of byNode) {
    const frame = frames.get(id);
    if (frame === undefined) continue;
    totalUs += us;
    const where = frame.url.startsWith(prefix) ? frame.url.slice(prefix.length) : frame.url;
    const key = where === "" ? frame.functionName : where;
    const area = areas.find(([, re]) => re.test(key))?.[0] ?? other;
    result[area] += us;
    const fn = `${key}${where === "" ? "" : `:${frame.functionName || "(anonymous)"}`}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, topN);
  return { totalUs, areas: result, top };
}

export interface PerfShare {
  readonly comm: string;
  readonly dso: string;
  readonly percent: number;
}

/** The rows of `perf report --stdio --sort comm,dso` ("  39.18%  deno  [kernel.kallsyms]"). */
export function parsePerfReport(text: string): PerfShare[] {
  const rows: PerfShare[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^\s*([\d.]+)%\s+(.+?)\s{2,}(\S.*?)\s*$/);
    if (m === null || line.trimStart().startsWith("#")) continue;
    rows.push({ percent: Number(m[1]), comm: m[2].trim(), dso: m[3] });
  }
  return rows;
}

/**
 * Perf's shares grouped for the breakdown: the checker's main thread (command "deno") by
 * object — its JavaScript (JIT), V8 and Deno (the deno binary), the native library, libc,
 * the kernel — the program's user and kernel time (its forked copies that run the end of
 * main have its name), V8's helper threads, and the rest.
 */
export function groupPerf(rows: readonly PerfShare[], program: string): Record<string, number> {
  const g: Record<string, number> = {
    "checker: JavaScript (JIT)": 0,
    "checker: V8 and Deno runtime": 0,
    "checker: libisomc_checker.so": 0,
    "checker: libc": 0,
    "checker: kernel": 0,
    "program: user (runtime; forked ends too)": 0,
    "program: kernel (forked ends too)": 0,
    "V8 helper threads (GC, compiler)": 0,
    "other processes (./isomc wrapper, ...)": 0,
  };
  // perf truncates command names to 15 characters.
  const programComm = program.slice(0, 15);
  for (const r of rows) {
    const kernel = r.dso === "[kernel.kallsyms]";
    if (r.comm === "deno") {
      if (kernel) g["checker: kernel"] += r.percent;
      else if (r.dso.startsWith("[JIT]")) g["checker: JavaScript (JIT)"] += r.percent;
      else if (r.dso === "deno") g["checker: V8 and Deno runtime"] += r.percent;
      else if (r.dso === "libisomc_checker.so") g["checker: libisomc_checker.so"] += r.percent;
      else if (r.dso.startsWith("libc")) g["checker: libc"] += r.percent;
      else g["checker: V8 and Deno runtime"] += r.percent;
    } else if (r.comm === programComm) {
      g[
        kernel ? "program: kernel (forked ends too)" : "program: user (runtime; forked ends too)"
      ] += r.percent;
    } else if (r.comm.startsWith("V8 ") || r.comm.startsWith("tokio")) {
      g["V8 helper threads (GC, compiler)"] += r.percent;
    } else {
      g["other processes (./isomc wrapper, ...)"] += r.percent;
    }
  }
  return g;
}
