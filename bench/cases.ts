/**
 * The benchmark cases: pinned programs and inputs, grouped so that the cases of a group are
 * compared with each other (same program, different strategies) in one run.
 */

export interface BenchCase {
  readonly name: string;
  readonly group: string;
  readonly description: string;
  /** C source, relative to the repository root. */
  readonly source: string;
  readonly args: readonly string[];
  /** Options of `isomc check`. */
  readonly options: readonly string[];
  readonly runs: number;
  readonly warmup?: number;
}

const restores = ["replay", "memory", "fork"] as const;

function strategies(
  base: Omit<BenchCase, "name" | "options"> & { name: string; options: readonly string[] },
): BenchCase[] {
  return restores.map((r) => ({
    ...base,
    name: `${base.name}-${r}`,
    options: [...base.options, `--restore=${r}`],
  }));
}

export const cases: readonly BenchCase[] = [
  // Issue 3: restore strategies, compared on the same executions.
  ...strategies({
    name: "deep200",
    group: "restore: depth 200",
    description: "2 actors x 100 stores, 200 executions of depth 200 (every restore goes deep)",
    source: "bench/programs/deep.c",
    args: ["100"],
    options: ["--reduction=none", "--no-visited", "--max-executions=200"],
    runs: 3,
  }),
  ...strategies({
    name: "heap8m",
    group: "restore: 8 MiB heap",
    description: "3 actors over 8 MiB of live heap, first 2000 executions",
    source: "bench/programs/heap.c",
    args: ["8"],
    options: ["--reduction=none", "--no-visited", "--max-executions=2000"],
    runs: 3,
  }),
  {
    name: "stores-visited",
    group: "visited",
    description: "3 actors x 3 stores with malloc/free: 64 distinct states",
    source: "tests/programs/state/stores_malloc.c",
    args: [],
    options: ["--reduction=none", "--restore=memory", "--visited"],
    runs: 5,
  },
  // Issue 4: the classic DPOR benchmarks, with the fastest restore.
  ...["odpor", "sdpor"].map((reduction): BenchCase => ({
    name: `lastzero10-${reduction}`,
    group: "dpor: lastzero(10)",
    description: "lastzero(10); Nidhugg optimal: 3,328 traces in 0.58 s",
    source: "examples/dpor/lastzero.c",
    args: ["10"],
    options: [`--reduction=${reduction}`, "--restore=memory"],
    runs: 3,
  })),
  // The same search under the other restores: which one is fastest for ODPOR.
  ...(["replay", "fork"] as const).map((restore): BenchCase => ({
    name: `lastzero10-odpor-${restore}`,
    group: "dpor: lastzero(10)",
    description: `lastzero(10) with --restore=${restore}`,
    source: "examples/dpor/lastzero.c",
    args: ["10"],
    options: ["--reduction=odpor", `--restore=${restore}`],
    runs: 3,
  })),
  {
    name: "lastzero15-odpor",
    group: "dpor: lastzero(15)",
    description: "lastzero(15); Nidhugg optimal: 147,456 traces in 56 s",
    source: "examples/dpor/lastzero.c",
    args: ["15"],
    options: ["--reduction=odpor", "--restore=memory"],
    runs: 1,
    warmup: 0,
  },
  ...["odpor", "sdpor"].map((reduction): BenchCase => ({
    name: `indexer15-${reduction}`,
    group: "dpor: indexer(15)",
    description: "indexer(15); Nidhugg optimal: 4,096 traces in 12.5 s",
    source: "examples/dpor/indexer.c",
    args: ["15"],
    options: [`--reduction=${reduction}`, "--restore=memory"],
    runs: 1,
    warmup: 0,
  })),
  {
    name: "readers13-odpor",
    group: "dpor: readers(13)",
    description: "readers(13): 8,192 traces",
    source: "examples/dpor/readers.c",
    args: ["13"],
    options: ["--reduction=odpor", "--restore=memory"],
    runs: 1,
    warmup: 0,
  },
];
