/**
 * The programs of the side-by-side table (`./isomc bench --peers`) and the command each tool
 * runs on them. isomc runs its ports in examples/dpor/ (size as argv[1]); Nidhugg and GenMC run
 * their own sources in the Nidhugg checkout's benchmarks/ (size as a -D macro). The expected
 * trace counts are those all three report; a run that reports another is flagged, not timed.
 */

export interface PeerProgram {
  /** Key in results and for --only, e.g. "lastzero10". */
  readonly key: string;
  /** As the table shows it, e.g. "lastzero(10)". */
  readonly label: string;
  /** isomc's port, relative to the repository root. */
  readonly isomcSource: string;
  /** The peers' source, relative to the Nidhugg checkout. */
  readonly peerSource: string;
  /** The macro the peers' source takes its size from. */
  readonly sizeMacro: string;
  readonly size: number;
  /** Executions (Mazurkiewicz traces) every tool must explore. */
  readonly traces: number;
}

interface Family {
  readonly name: string;
  readonly isomcSource: string;
  readonly peerSource: string;
  readonly sizeMacro: string;
}

const lastzero: Family = {
  name: "lastzero",
  isomcSource: "examples/dpor/lastzero.c",
  peerSource: "benchmarks/from_CONCUERROR/lastzero.c",
  sizeMacro: "N",
};
const readers: Family = {
  name: "readers",
  isomcSource: "examples/dpor/readers.c",
  peerSource: "benchmarks/from_RCMC/readers.c",
  sizeMacro: "N",
};
const indexer: Family = {
  name: "indexer",
  isomcSource: "examples/dpor/indexer.c",
  peerSource: "benchmarks/SV-COMP/indexer.c",
  sizeMacro: "NUM_THREADS",
};
const filesystem: Family = {
  name: "filesystem",
  isomcSource: "examples/dpor/filesystem.c",
  peerSource: "benchmarks/from_RFSC/benchmarks/noasserts/from_TRACER/filesystem.c",
  sizeMacro: "N",
};

function sized(family: Family, size: number, traces: number): PeerProgram {
  return {
    key: `${family.name}${size}`,
    label: `${family.name}(${size})`,
    isomcSource: family.isomcSource,
    peerSource: family.peerSource,
    sizeMacro: family.sizeMacro,
    size,
    traces,
  };
}

/** The table of issue 10, at its sizes. */
export const fullPrograms: readonly PeerProgram[] = [
  sized(lastzero, 10, 3_328),
  sized(lastzero, 15, 147_456),
  sized(readers, 13, 8_192),
  sized(indexer, 15, 4_096),
  sized(filesystem, 22, 512),
];

/** --quick: the same programs at sizes that take a fraction of a second in every tool. */
export const quickPrograms: readonly PeerProgram[] = [
  sized(lastzero, 5, 64),
  sized(readers, 8, 256),
  sized(indexer, 13, 64),
  sized(filesystem, 16, 8),
];

export type ToolName = "isomc" | "nidhugg" | "genmc" | "simgrid";
export const toolNames: readonly ToolName[] = ["isomc", "nidhugg", "genmc", "simgrid"];
/** The tools of the DPOR table; SimGrid has its own programs (bench/peers/simgrid.ts). */
export const dporTools: readonly ToolName[] = ["isomc", "nidhugg", "genmc"];

/** Where the tools are: the repository, the two peers' built checkouts, SimGrid's build. */
export interface ToolPaths {
  /** The `./isomc` script of this repository. */
  readonly isomc: string;
  /** A built Nidhugg checkout (src/nidhuggc, benchmarks/). */
  readonly nidhugg: string;
  /** A built GenMC checkout (the genmc binary at its top). */
  readonly genmc: string;
  /** Interpreter for nidhuggc: called directly, a shim in its shebang can cost seconds. */
  readonly python: string;
  /** A SimGrid build directory (bin/simgrid-mc), when SimGrid's rows are run. */
  readonly simgrid?: string;
}

/**
 * The command line of one tool on one program. `isomcBinary` is the port built with
 * `isomc cc -O2`. Nidhugg with optimal DPOR under sequential consistency (-O1 is its own
 * recommended compilation); GenMC with its defaults, which detect that the program needs only SC.
 */
export function toolCommand(
  tool: ToolName,
  program: PeerProgram,
  paths: ToolPaths,
  isomcBinary: string,
  sameC = false,
): string[] {
  const define = `-D${program.sizeMacro}=${program.size}`;
  const source = `${paths.nidhugg}/${program.peerSource}`;
  switch (tool) {
    case "isomc":
      return [
        paths.isomc,
        "check",
        "--json",
        "--trace-out=/dev/null",
        // The peers' files follow GenMC's convention: lastzero's main returns without joining
        // its threads, which run to their end (docs/pthreads.md, "main's return").
        ...(sameC ? ["--join-on-exit"] : []),
        "--",
        isomcBinary,
        // The peers' own file has its size built in (sameC); a port takes it as an argument.
        ...(sameC ? [] : [String(program.size)]),
      ];
    case "nidhugg":
      return [
        paths.python,
        `${paths.nidhugg}/src/nidhuggc`,
        "-O1",
        define,
        "--",
        "--sc",
        "--optimal",
        source,
      ];
    case "genmc":
      return [`${paths.genmc}/genmc`, "--", define, source];
    case "simgrid":
      throw new Error("SimGrid runs its own programs (bench/peers/simgrid.ts), not these");
  }
}
