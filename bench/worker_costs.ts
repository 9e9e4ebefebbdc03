/**
 * Sums a parallel run's per-job worker costs (ISOMC_WORKER_COSTS=FILE, lib/parallel/
 * job_costs.ts: one FILE.PID per worker) by kind of job: probes, subtree jobs, and how each
 * began. Usage: `deno run -A bench/worker_costs.ts FILE` (reads every FILE.*).
 */

import type { JobCostRecord } from "../lib/parallel/job_costs.ts";

const phases = [
  "queueMs",
  "startMs",
  "prefixMs",
  "treeMs",
  "firstMs",
  "searchMs",
  "packMs",
  "sendMs",
  "restoreMs",
  "cpuMs",
  "delayMs",
  "programCpuMs",
  "programDelayMs",
] as const;

export function summary(records: readonly JobCostRecord[]): string {
  const groups = new Map<string, JobCostRecord[]>();
  for (const r of records) {
    const k = `${r.probe ? "probe" : "subtree"} ${r.began}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const lines = [
    `| jobs | n | prefix (mean) | executions | ${phases.join(" | ")} | total ms |`,
    `| ---- | -: | -: | -: | ${phases.map(() => "-:").join(" | ")} | -: |`,
  ];
  for (const [k, rs] of [...groups].sort()) {
    const sum = (f: (r: JobCostRecord) => number) => rs.reduce((a, r) => a + f(r), 0);
    const total = sum((r) =>
      r.startMs + r.prefixMs + r.treeMs + r.firstMs + r.searchMs + r.packMs + r.sendMs
    );
    lines.push(
      `| ${k} | ${rs.length} | ${(sum((r) => r.prefix) / rs.length).toFixed(1)} | ${
        sum((r) => r.executions)
      } | ${phases.map((p) => sum((r) => r[p]).toFixed(0)).join(" | ")} | ${total.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const base = Deno.args[0];
  const dir = base.includes("/") ? base.slice(0, base.lastIndexOf("/")) : ".";
  const name = base.slice(base.lastIndexOf("/") + 1);
  const records: JobCostRecord[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.startsWith(name + ".")) continue;
    for (const line of Deno.readTextFileSync(`${dir}/${e.name}`).split("\n")) {
      if (line !== "") records.push(JSON.parse(line));
    }
  }
  console.log(summary(records));
}
