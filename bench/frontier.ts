/**
 * What an ODPOR search holds while it runs (issue 10: memory must not grow with the number of
 * executions), on the fake system: searches lastzero(N) (tests/support/fake_system.ts) with
 * the frontier sampled along the way (tests/support/frontier.ts: pending sequences, their
 * length, tree nodes, event objects and distinct contents, per stack depth, live heap):
 *
 *   deno run -A --v8-flags=--expose-gc bench/frontier.ts [N=13] [SAMPLES=20] [--every=K]
 *       [--snapshot=K] [--json]
 *
 * --every=K samples every K backs (instead of SAMPLES over the search, which costs a first
 * search to count its executions); --json prints the stats and the samples as one object.
 * --snapshot=K writes a heap snapshot at the K-th sample and prints what its objects are
 * (self sizes by constructor), to tell the trees' nodes from the events and what they hold.
 */

import { type FrontierSample, watchFrontier } from "../tests/support/frontier.ts";

/** What a heap snapshot's objects are: self sizes and counts by type and name, largest first. */
export function snapshotSummary(path: string, top = 14): string[] {
  const snap = JSON.parse(Deno.readTextFileSync(path));
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [ti, ni, si] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const by = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let k = 0; k < snap.nodes.length; k += width) {
    const type = types[snap.nodes[k + ti]];
    const name = type === "object" || type === "closure" ? snap.strings[snap.nodes[k + ni]] : "";
    const key = `${type}${name === "" ? "" : ` ${name}`}`;
    const size = snap.nodes[k + si] as number;
    total += size;
    const e = by.get(key) ?? { size: 0, count: 0 };
    e.size += size;
    e.count++;
    by.set(key, e);
  }
  const rows = [...by].sort((a, b) => b[1].size - a[1].size).slice(0, top);
  return [
    `heap snapshot: ${(total / 2 ** 20).toFixed(1)} MiB in ${snap.nodes.length / width} objects`,
    ...rows.map(([k, e]) =>
      `  ${(e.size / 2 ** 20).toFixed(2).padStart(7)} MiB ${String(e.count).padStart(8)}  ${k}`
    ),
  ];
}

/** One line of figures per sample. */
export function sampleLine(s: FrontierSample): string {
  const mib = s.live === null ? "-" : (s.live / 2 ** 20).toFixed(1);
  return [
    `exec ${s.executions}`,
    `depth ${s.depth}`,
    `seqs ${s.sequences}`,
    `len ${s.length}`,
    `nodes ${s.nodes}`,
    `objects ${s.objects}`,
    `contents ${s.contents}`,
    `onStack ${s.onStack}`,
    `reach ${s.reach}`,
    `live ${mib} MiB`,
  ].join(", ");
}

if (import.meta.main) {
  const { exploreDpor } = await import("../lib/explore/dpor/explorer.ts");
  const { FakeTarget } = await import("../tests/support/fake_system.ts");
  const { lastzero } = await import("../tests/support/fake_programs.ts");
  const plain = Deno.args.filter((a) => !a.startsWith("--"));
  const flag = (name: string): string | undefined =>
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const n = Number(plain[0] ?? 13);
  const count = Number(plain[1] ?? 20);
  const snapshotAt = Number(flag("snapshot") ?? 0);
  // Without --every, a first search counts the executions, so that the samples spread over
  // the second.
  const every = Number(
    flag("every") ??
      Math.max(
        1,
        Math.floor(
          (await exploreDpor(new FakeTarget(lastzero(n)), "odpor")).stats.executions / count,
        ),
      ),
  );
  const snapshots: string[] = [];
  const watch = watchFrontier(every, snapshotAt, snapshots);
  const r = await exploreDpor(new FakeTarget(lastzero(n)), "odpor");
  watch.stop();
  const s = r.stats;
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify({ stats: s, every, samples: watch.samples }));
    Deno.exit(0);
  }
  console.log(
    `lastzero(${n}) on the fake system: ${s.executions} executions, ${s.transitions} transitions, ` +
      `max depth ${s.maxDepth}, ${s.wakeupInsertions} insertions; a sample every ${every} backs`,
  );
  for (const x of watch.samples) console.log(sampleLine(x));
  const peak: number[] = [];
  for (const x of watch.samples) x.perDepth.forEach((v, d) => peak[d] = Math.max(peak[d] ?? 0, v));
  console.log(`peak pending nodes per stack depth: ${peak.join(" ")}`);
  for (const path of snapshots) {
    for (const line of snapshotSummary(path)) console.log(line);
    Deno.removeSync(path);
  }
}
