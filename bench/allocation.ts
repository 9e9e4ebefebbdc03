/**
 * What the checker allocates per transition: `isomc check --json --trace-out=/dev/null --
 * PROGRAM N` run in this process (lib/cli/main.ts of each tree given), V8's count of bytes
 * allocated (node:v8 getHeapStatistics().total_allocated_bytes) before and after, divided by
 * the run's transitions. With --sample, V8's sampling heap profiler (node:inspector) names the
 * functions that allocated most (self size, sampled every 4 KiB; builtins named with their
 * caller). bench/README.md, "Speed, part 7".
 *
 *   deno run -A bench/allocation.ts [--sample] PROGRAM N [ROOT...]   (default: this checkout)
 */

import v8 from "node:v8";
import { Session } from "node:inspector";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface SampleNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly SampleNode[];
}

const sample = Deno.args[0] === "--sample";
const [program, n, ...given] = sample ? Deno.args.slice(1) : Deno.args;
if (program === undefined || n === undefined) {
  console.error("usage: bench/allocation.ts [--sample] PROGRAM N [ROOT...]");
  Deno.exit(2);
}
const roots = given.length > 0 ? given : [new URL("..", import.meta.url).pathname];

function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (e: Error | null, r?: unknown) => e ? reject(e) : resolve(r))
  );
}

function name(f: CallFrame): string {
  return `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${
    f.lineNumber + 1
  }`;
}

/** Self sizes by function (a builtin's under its caller's name). */
function bySource(node: SampleNode, caller: string, into: Map<string, number>): number {
  const own = name(node.callFrame);
  const key = node.callFrame.url === "" && caller !== "" ? `${own} <- ${caller}` : own;
  if (node.selfSize > 0) into.set(key, (into.get(key) ?? 0) + node.selfSize);
  let total = node.selfSize;
  for (const c of node.children) total += bySource(c, own, into);
  return total;
}

/** V8's bytes allocated so far (a field of V8's statistics that node:v8's types lack). */
function allocatedSoFar(): number {
  const n = (v8.getHeapStatistics() as { total_allocated_bytes?: number }).total_allocated_bytes;
  if (n === undefined) throw new Error("this Deno's V8 does not count allocated bytes");
  return n;
}

for (const root of roots) {
  const { main } = await import(`${root}/lib/cli/main.ts`);
  const session = new Session();
  if (sample) {
    session.connect();
    await post(session, "HeapProfiler.enable");
    await post(session, "HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  let json = "";
  const log = console.log;
  console.log = (s: string) => json += s;
  const before = allocatedSoFar();
  try {
    await main(["check", "--json", "--trace-out=/dev/null", "--", program, n]);
  } finally {
    console.log = log;
  }
  const allocated = allocatedSoFar() - before;
  const transitions = JSON.parse(json).stats.transitions as number;
  console.log(
    `${root}: ${program} ${n}: ${transitions} transitions, ${
      (allocated / 2 ** 20).toFixed(1)
    } MiB ` +
      `allocated, ${(allocated / transitions).toFixed(0)} B a transition`,
  );
  if (!sample) continue;
  const { profile } = await post(session, "HeapProfiler.stopSampling") as {
    profile: { head: SampleNode };
  };
  session.disconnect();
  const sources = new Map<string, number>();
  const total = bySource(profile.head, "", sources);
  for (const [where, bytes] of [...sources].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(
      `  ${(bytes / 2 ** 20).toFixed(1).padStart(7)} MiB ${
        (100 * bytes / total).toFixed(1).padStart(5)
      } %  ${where}`,
    );
  }
}
