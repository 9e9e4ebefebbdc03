/**
 * The heap guard of the searches (result.ts's Heartbeat): whether the checker's own heap is so
 * near V8's limit that a search must stop now, out of memory, with its report, rather than be
 * aborted by V8 without one (exit 133) when its old generation reaches --max-old-space-size.
 *
 * The old generation's use counts garbage not yet collected, and V8 lets it grow close to the
 * limit before a full collection: the parallel property test's heap reached 3.5 GiB of a 4 GiB
 * limit with 85 MiB live, and the guard stopped searches that had memory to spare (the test's
 * flake under load). So a heap that looks nearly full is collected once, then judged again.
 *
 * V8's figures come from node:v8 and its collector through node:vm, imported only once a
 * heartbeat (every 100 ms) finds the heap past `smallHeap` (Deno.memoryUsage, no node: module,
 * says so): importing them cost 14 ms of CPU on every check at start-up (bench/README.md,
 * "What a small check costs"), and a heap that small is far from any limit.
 */

const mib = 2 ** 20;

/** Below this use of the whole heap the guard needs no closer look. */
export const smallHeap = 64 * mib;

/** Is the heap so small that it cannot be near its limit? Cheap, and no node: module. */
export function heapSmall(): boolean {
  return Deno.memoryUsage().heapUsed < smallHeap;
}

interface V8Modules {
  readonly v8: typeof import("node:v8");
  readonly vm: typeof import("node:vm");
}

let modules: V8Modules | null = null;

/** What the guard reads and does; the defaults are V8's, tests give their own. */
export interface HeapProbe {
  /** Bytes the old generation uses, garbage included. */
  readonly used: () => number;
  /** The old generation's limit in bytes. */
  readonly limit: () => number;
  /**
   * A full collection, or null where the runtime gives none (Deno 2.6 of the single binary).
   * Asked for only when the heap looks full: getting V8's collector makes a V8 context, which
   * most checks never need.
   */
  readonly collector: () => (() => void) | null;
}

/**
 * Whether a heap using `used` of `limit` has too little room left: a share of the limit, and
 * at least room for a young generation's worth of objects promoted at once (one semi-space,
 * 32 MiB) plus the report. Pure.
 */
export function tooFull(used: number, limit: number): boolean {
  return limit - used < Math.max(0.15 * limit, 64 * mib);
}

/** Is the heap nearly full, after a collection when it first looked so? */
export function heapNearlyFull(probe: HeapProbe): boolean {
  if (!tooFull(probe.used(), probe.limit())) return false;
  const collect = probe.collector();
  if (collect === null) return true;
  collect();
  return tooFull(probe.used(), probe.limit());
}

let probe: HeapProbe | null = null;
let collect: { readonly gc: (() => void) | null } | undefined;

/** V8's own figures and collector, node:v8 and node:vm imported on the first call. */
export async function loadV8Probe(): Promise<HeapProbe> {
  modules ??= { v8: await import("node:v8"), vm: await import("node:vm") };
  return v8Probe()!;
}

/** V8's own figures and collector (made once), or null before loadV8Probe. */
export function v8Probe(): HeapProbe | null {
  if (modules === null) return null;
  const { v8, vm } = modules;
  probe ??= {
    used: () => oldGenerationUsed(v8),
    // heap_size_limit is the old generation's limit plus the young generation's, three
    // semi-spaces of 32 MiB (measured with Deno 2.9: old + 96 MiB whatever the old size).
    limit: () => v8.getHeapStatistics().heap_size_limit - 96 * mib,
    collector: () => (collect ??= { gc: collector(v8, vm) }).gc,
  };
  return probe;
}

/**
 * V8's `gc`, exposed to a new context after the fact (the flag only adds the function to
 * contexts made later; nothing else changes). Null where the runtime refuses (Deno 2.6).
 */
function collector(v8: V8Modules["v8"], vm: V8Modules["vm"]): (() => void) | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : null");
    return typeof gc === "function" ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

/**
 * The bytes the old generation uses. Deno 2.6, the single binary's runtime (./isomc dist), has
 * no per-space statistics (node:v8 throws "Not implemented"): there, the whole heap's use,
 * which is more, so the search can only stop earlier, never be aborted by V8.
 */
function oldGenerationUsed(v8: V8Modules["v8"]): number {
  let spaces: ReturnType<V8Modules["v8"]["getHeapSpaceStatistics"]>;
  try {
    spaces = v8.getHeapSpaceStatistics();
  } catch {
    return v8.getHeapStatistics().used_heap_size;
  }
  const young = new Set(["new_space", "new_large_object_space", "read_only_space"]);
  let used = 0;
  for (const s of spaces) if (!young.has(s.space_name)) used += s.space_used_size;
  return used;
}
