/**
 * The shape of one parallel sdpor/odpor run's job tree, from its job log (ISOMC_PARALLEL_LOG,
 * lib/parallel/job_log.ts): the jobs whose answers were used, the subtree jobs by size, the
 * probes per depth, and what a perfect 2-worker schedule of the tree gives (scaling.ts's
 * replay: a job is available once its parent's outcome is in; under odpor a job's inputs can
 * be final later, when the jobs before it under its parent are in, which the replay does not
 * model: bench/parallel_timeline.ts gives both critical paths). Also a what-if: the same tree
 * with probe chains (one job answering for a node and the leftmost path of probes below it),
 * each chain costing its top probe plus one step per node below (the slope of the probes' cost
 * over their depth). Usage: `deno run -A bench/parallel_shape.ts LOG.json...`
 */

import type { JobLog, JobRecord } from "../lib/parallel/job_log.ts";
import { compareIds, type Network, replay, type ReplayJob } from "../lib/parallel/scaling.ts";

export interface Shape {
  readonly jobs: number;
  readonly used: number;
  readonly probes: number;
  readonly probeSeconds: number;
  /** Subtree jobs used, by their executions: [at most, jobs, seconds]. */
  readonly sizes: readonly (readonly [number, number, number])[];
  readonly probesPerDepth: ReadonlyMap<number, number>;
  readonly usedWork: number;
  /** The used jobs' tree replayed with 1 and 2 workers (no latency). */
  readonly one: number;
  readonly two: number;
  /** With probe chains: the jobs, the work, and 1 and 2 workers. */
  readonly chains: { jobs: number; work: number; one: number; two: number };
}

const cost = (j: JobRecord): number => Math.max(0, j.received - j.sent);
const local: Network = { latency: 0, bandwidth: Infinity };
const bins = [2, 16, 128, 1024, Infinity];

function replayJob(j: JobRecord): ReplayJob {
  return {
    id: j.id,
    cost: cost(j),
    jobBytes: j.jobBytes,
    outcomeBytes: j.outcomeBytes,
    hand: j.handSeconds,
    take: j.takeSeconds,
  };
}

/** The least-squares slope of the probes' cost over their depth (0 with fewer than 2). */
export function stepCost(probes: readonly JobRecord[]): number {
  if (probes.length < 2) return 0;
  const mx = probes.reduce((s, j) => s + j.id.length, 0) / probes.length;
  const my = probes.reduce((s, j) => s + cost(j), 0) / probes.length;
  let num = 0;
  let den = 0;
  for (const j of probes) {
    num += (j.id.length - mx) * (cost(j) - my);
    den += (j.id.length - mx) ** 2;
  }
  return den === 0 ? 0 : Math.max(0, num / den);
}

/**
 * The used jobs with each probe whose parent is a used probe and which is its parent's first
 * branch (index 0) merged into its parent's chain: one job per chain, at its top; the jobs
 * below a merged probe wait for the chain's top (pure).
 */
export function chained(used: readonly JobRecord[]): ReplayJob[] {
  const probes = new Map(used.filter((j) => j.kind === "node").map((j) => [j.id.join("."), j]));
  const top = new Map<string, string>();
  const topOf = (id: readonly number[]): string => {
    const k = id.join(".");
    const t = top.get(k);
    if (t !== undefined) return t;
    let r = k;
    if (id.length > 0 && id.at(-1) === 0 && probes.has(id.slice(0, -1).join("."))) {
      r = topOf(id.slice(0, -1));
    }
    top.set(k, r);
    return r;
  };
  const step = stepCost([...probes.values()]);
  const chains = new Map<string, { nodes: number; take: number }>();
  for (const j of probes.values()) {
    const c = chains.get(topOf(j.id)) ?? { nodes: 0, take: 0 };
    c.nodes++;
    c.take += j.takeSeconds;
    chains.set(topOf(j.id), c);
  }
  const out: ReplayJob[] = [];
  for (const j of used) {
    const k = j.id.join(".");
    // A probe merged into the chain above it is no job of its own.
    if (j.kind === "node" && topOf(j.id) !== k) continue;
    const parent = j.id.slice(0, -1);
    // The jobs below a chain's node wait for the chain's job, at its top.
    const p = j.id.length > 0 && probes.has(parent.join(".")) ? topOf(parent) : parent.join(".");
    const shaped = { ...replayJob(j), parent: p === "" ? [] : p.split(".").map(Number) };
    const c = chains.get(k);
    out.push(
      j.kind === "node" && c !== undefined
        ? { ...shaped, cost: shaped.cost + (c.nodes - 1) * step, take: c.take }
        : shaped,
    );
  }
  return out;
}

/** The shape of `log` (pure). */
export function shapeOf(log: JobLog): Shape {
  const used = log.jobs.filter((j) => j.used !== false).sort((a, b) => compareIds(a.id, b.id));
  const probes = used.filter((j) => j.kind === "node");
  const subtrees = used.filter((j) => j.kind === "explored");
  const sizes = bins.map((b, i): [number, number, number] => {
    const inBin = subtrees.filter((j) =>
      j.executions <= b && (i === 0 || j.executions > bins[i - 1])
    );
    return [b, inBin.length, inBin.reduce((s, j) => s + cost(j), 0)];
  });
  const probesPerDepth = new Map<number, number>();
  for (const j of probes) {
    probesPerDepth.set(j.id.length, (probesPerDepth.get(j.id.length) ?? 0) + 1);
  }
  const tree = used.map(replayJob);
  const chain = chained(used);
  return {
    jobs: log.jobs.length,
    used: used.length,
    probes: probes.length,
    probeSeconds: probes.reduce((s, j) => s + cost(j), 0),
    sizes,
    probesPerDepth,
    usedWork: tree.reduce((s, j) => s + j.cost, 0),
    one: replay(tree, 1, local).makespan,
    two: replay(tree, 2, local).makespan,
    chains: {
      jobs: chain.length,
      work: chain.reduce((s, j) => s + j.cost, 0),
      one: replay(chain, 1, local).makespan,
      two: replay(chain, 2, local).makespan,
    },
  };
}

if (import.meta.main) {
  const f = (x: number): string => x.toFixed(2);
  for (const path of Deno.args) {
    const s = shapeOf(JSON.parse(await Deno.readTextFile(path)) as JobLog);
    console.log(
      `${path}: jobs ${s.jobs} (used ${s.used}: ${s.probes} probes, ${
        f(s.probeSeconds)
      } s), used work ${f(s.usedWork)} s; replay 1 / 2 workers ${f(s.one)} / ${f(s.two)} s (${
        f(s.one / s.two)
      }x)`,
    );
    const bin = (b: number): string => (b === Infinity ? "more" : `<= ${b}`);
    console.log(
      `  subtree jobs by executions: ${
        s.sizes.map(([b, n, c]) => `${bin(b)}: ${n} (${f(c)} s)`).join(", ")
      }`,
    );
    const depths = [...s.probesPerDepth].sort((a, b) => a[0] - b[0]);
    console.log(`  probes per depth: ${depths.map(([d, n]) => `${d}:${n}`).join(" ")}`);
    const c = s.chains;
    console.log(
      `  with probe chains: ${c.jobs} jobs, work ${f(c.work)} s; replay 1 / 2 workers ${
        f(c.one)
      } / ${f(c.two)} s (${f(c.one / c.two)}x; against the recorded tree's 1 worker: ${
        f(s.one / c.two)
      }x)`,
    );
  }
}
