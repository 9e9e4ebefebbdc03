/**
 * The heap guard (lib/explore/heap_guard.ts): a heap that looks nearly full because of garbage
 * is collected before a search is stopped out of memory; one still full after is reported.
 */

import assert from "node:assert/strict";
import {
  heapNearlyFull,
  type HeapProbe,
  heapSmall,
  loadV8Probe,
  smallHeap,
  tooFull,
  v8Probe,
} from "../lib/explore/heap_guard.ts";

const mib = 2 ** 20;
const limit = 4000 * mib;

/** A heap of `before` bytes used that holds `live` once collected; counts the collections. */
function heap(
  before: number,
  live: number,
  collects = true,
): { probe: HeapProbe; collections: () => number } {
  let used = before;
  let collections = 0;
  const probe: HeapProbe = {
    used: () => used,
    limit: () => limit,
    collector: () =>
      collects
        ? () => {
          collections++;
          used = live;
        }
        : null,
  };
  return { probe, collections: () => collections };
}

Deno.test("room left: 15% of the limit, at least 64 MiB", () => {
  assert.equal(tooFull(0.84 * limit, limit), false);
  assert.equal(tooFull(0.86 * limit, limit), true);
  assert.equal(tooFull(100 * mib, 150 * mib), true);
});

Deno.test("a heap full of garbage is collected, and the search goes on", () => {
  const h = heap(3500 * mib, 85 * mib);
  assert.equal(heapNearlyFull(h.probe), false);
  assert.equal(h.collections(), 1);
});

Deno.test("a heap still full after a collection stops the search", () => {
  const h = heap(3500 * mib, 3450 * mib);
  assert.equal(heapNearlyFull(h.probe), true);
  assert.equal(h.collections(), 1);
});

Deno.test("a heap with room is not collected", () => {
  const h = heap(1000 * mib, 85 * mib);
  assert.equal(heapNearlyFull(h.probe), false);
  assert.equal(h.collections(), 0);
});

Deno.test("without a collector (Deno 2.6) a heap that looks full stops the search", () => {
  const h = heap(3500 * mib, 85 * mib, false);
  assert.equal(heapNearlyFull(h.probe), true);
});

Deno.test("this runtime gives the guard V8's collector, and a heap with room is not stopped", async () => {
  const probe = await loadV8Probe();
  assert.equal(v8Probe(), probe);
  const collect = probe.collector();
  assert.ok(collect !== null, "Deno 2.9 gives the collector (node:vm after --expose-gc)");
  collect();
  assert.ok(probe.used() > 0 && probe.used() < probe.limit());
  assert.equal(heapNearlyFull(probe), false);
});

Deno.test("heapSmall is Deno's own heap use against the bound, false once the heap is past it", () => {
  // heapSmall is Deno's figure against the bound; past it, V8's figures are loaded at a beat.
  assert.equal(heapSmall(), Deno.memoryUsage().heapUsed < smallHeap);
  const big: number[][] = [];
  while (Deno.memoryUsage().heapUsed < smallHeap) big.push(new Array(1 << 16).fill(1.5));
  assert.equal(heapSmall(), false);
  big.length = 0;
});
