/**
 * The classic DPOR benchmarks as programs of the fake system (fake_system.ts): the exact
 * counts tests (dpor_fake_test.ts) and the checker-loop benchmark (bench/explore_fake.ts) share
 * them.
 */

import type { FakeProgram, Instr } from "./fake_system.ts";

/** lastzero(n): a reader scans a[n] .. a[0] down to the first zero; writer j stores a[j-1]+1. */
export function lastzero(n: number): FakeProgram {
  const reader: Instr[] = [
    { op: "set", reg: "i", value: n },
    { op: "load", var: (r) => `a${r.i}`, into: "v" },
    { op: "goto", to: 5, when: (r) => r.v === 0 },
    { op: "set", reg: "i", value: (r) => r.i - 1 },
    { op: "goto", to: 1 },
  ];
  const writers = Array.from({ length: n }, (_, k) => ({
    name: `writer-${k + 1}`,
    code: [
      { op: "load", var: `a${k}`, into: "v" },
      { op: "store", var: `a${k + 1}`, value: (r: Record<string, number>) => r.v + 1 },
    ] as Instr[],
  }));
  return { actors: [{ name: "reader", code: reader }, ...writers] };
}

/** readers(n): one writer stores x, n readers load it. */
export function readers(n: number): FakeProgram {
  return {
    actors: [
      { name: "writer", code: [{ op: "store", var: "x", value: 42 }] },
      ...Array.from({ length: n }, (_, k) => ({
        name: `reader-${k + 1}`,
        code: [{ op: "load", var: "x", into: "v" }] as Instr[],
      })),
    ],
  };
}
