/**
 * The options of `./isomc bench --peers`, from the command line and the environment: which
 * programs, how many alternating runs, where Nidhugg and GenMC are (or are to be built) and
 * where a SimGrid build is (never built here).
 * Pure: a usage error is a PeerUsageError with one line to print (exit 2).
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import {
  dporTools,
  fullPrograms,
  type PeerProgram,
  quickPrograms,
  type ToolName,
  toolNames,
} from "./programs.ts";
import { type SimgridProgram, simgridPrograms, simgridQuickPrograms } from "./simgrid.ts";

export class PeerUsageError extends Error {
  override name = "PeerUsageError";
}

export interface PeerOptions {
  /** The DPOR table's programs (isomc, Nidhugg, GenMC). */
  readonly programs: readonly PeerProgram[];
  /** The SimGrid table's programs (isomc and SimGrid), run when SimGrid is among the tools. */
  readonly simgridPrograms: readonly SimgridProgram[];
  readonly runs: number;
  readonly tools: readonly ToolName[];
  /** --quick or --only: the results go beside the full ones, not over them. */
  readonly partial: boolean;
  /**
   * --same-c: isomc checks the peers' own C files (built by `isomc cc`, the size a -D macro)
   * instead of its ports of them; the results are same-c-peers.{json,md}.
   */
  readonly sameC: boolean;
  /** Where DIR/nidhugg and DIR/genmc are found, or built when missing. */
  readonly peersDir: string;
  /** A built Nidhugg checkout given explicitly (never built into), or null. */
  readonly nidhugg: string | null;
  readonly genmc: string | null;
  /** A SimGrid build directory (bin/simgrid-mc, lib/libsthread.so, the examples), or null. */
  readonly simgrid: string | null;
  /** The folder of the source snapshots (nidhugg-*.tar.gz, genmc-*.tar.gz), or null: search. */
  readonly peersSrc: string | null;
  /** Where peers.json and peers.md go (default bench/results/). */
  readonly resultsDir: string;
  readonly help: boolean;
}

export const peerUsage =
  `usage: ./isomc bench --peers [--quick] [--same-c] [--runs=N] [--only=PROGRAM,...]
       [--tools=isomc,nidhugg,genmc,simgrid] [--peers-dir=DIR] [--nidhugg=DIR]
       [--genmc=DIR] [--simgrid=DIR] [--peers-src=DIR] [--results=DIR]

Times isomc, Nidhugg (optimal DPOR) and GenMC alternately on the same DPOR benchmarks,
and isomc and SimGrid's checker on SimGrid's examples when a SimGrid build is given;
checks that they report the same trace counts, and writes bench/results/peers.{json,md}
(--quick and --only: partial-peers.{json,md}).

  --quick           small sizes, one run each
  --same-c          isomc on the peers' own C files (unmodified pthread programs, every
                    shared access a step) instead of its ports; results: same-c-peers.*
  --runs=N          alternating runs per tool and program (default 3, the median is kept)
  --only=P,...      some programs: ${keys(fullPrograms, simgridPrograms)}
                    (with --quick: ${keys(quickPrograms, simgridQuickPrograms)})
  --tools=T,...     some tools (default isomc,nidhugg,genmc, and simgrid with --simgrid);
                    with simgrid and neither nidhugg nor genmc, only SimGrid's table
  --peers-dir=DIR   where DIR/nidhugg and DIR/genmc are, built there from the source
                    snapshots when missing (default .bench-peers/; env ISOMC_PEERS_DIR)
  --nidhugg=DIR     a built Nidhugg checkout (env ISOMC_NIDHUGG)
  --genmc=DIR       a built GenMC checkout (env ISOMC_GENMC)
  --simgrid=DIR     a SimGrid build directory with model checking: bin/simgrid-mc,
                    lib/libsthread.so and the examples it runs (env ISOMC_SIMGRID);
                    without it SimGrid's rows are left out
  --peers-src=DIR   the source snapshots nidhugg-*.tar.gz and genmc-*.tar.gz
                    (env ISOMC_PEERS_SRC; default ../shared/peers beside the main checkout)
  --results=DIR     where the results go (default bench/results/)`;

function keys(a: readonly { key: string }[], b: readonly { key: string }[]): string {
  return [...a, ...b].map((p) => p.key).join(", ");
}

function positiveInt(text: string, what: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new PeerUsageError(`${what} must be a positive integer`);
  return Number(text);
}

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export function parsePeerOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  root: string,
): PeerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        quick: { type: "boolean" },
        "same-c": { type: "boolean" },
        runs: { type: "string" },
        only: { type: "string" },
        tools: { type: "string" },
        "peers-dir": { type: "string" },
        nidhugg: { type: "string" },
        genmc: { type: "string" },
        simgrid: { type: "string" },
        "peers-src": { type: "string" },
        results: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new PeerUsageError((e as Error).message.split("\n")[0]);
  }
  type DirOption = "peers-dir" | "nidhugg" | "genmc" | "simgrid" | "peers-src" | "results";
  const dir = (option: DirOption, variable: string | null): string | null => {
    const flag = values[option];
    const v = flag ?? (variable === null ? undefined : env[variable]);
    if (v === undefined) return null;
    if (v === "") {
      throw new PeerUsageError(`${flag === undefined ? variable : `--${option}`} is empty`);
    }
    return resolve(v);
  };
  const quick = values.quick === true;
  const set = quick ? quickPrograms : fullPrograms;
  const sgSet = quick ? simgridQuickPrograms : simgridPrograms;
  let programs = set;
  let sgPrograms = sgSet;
  if (values.only !== undefined) {
    const wanted = list(values.only);
    if (wanted.length === 0) throw new PeerUsageError("--only needs at least one program");
    const unknown = wanted.filter((k) => ![...set, ...sgSet].some((p) => p.key === k));
    if (unknown.length > 0) {
      throw new PeerUsageError(
        `--only: unknown program ${unknown.join(", ")} (${quick ? "--quick " : ""}programs: ${
          keys(set, sgSet)
        })`,
      );
    }
    programs = set.filter((p) => wanted.includes(p.key));
    sgPrograms = sgSet.filter((p) => wanted.includes(p.key));
  }
  const simgrid = dir("simgrid", "ISOMC_SIMGRID");
  // SimGrid joins the default tools only when the user points at a build of it.
  let tools: readonly ToolName[] = simgrid === null ? dporTools : toolNames;
  if (values.tools !== undefined) {
    const names = list(values.tools);
    const unknown = names.filter((n) => !(toolNames as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) {
      throw new PeerUsageError(
        `--tools: ${
          unknown.length > 0 ? `unknown tool ${unknown.join(", ")}` : "none given"
        } (tools: ${toolNames.join(", ")})`,
      );
    }
    tools = toolNames.filter((t) => names.includes(t));
  }
  // With SimGrid and no DPOR peer, the run is SimGrid's table alone (isomc's DPOR rows would
  // compare with nothing).
  const dporRun = tools.includes("nidhugg") || tools.includes("genmc") ||
    !tools.includes("simgrid");
  if (tools.includes("simgrid") && simgrid === null) {
    throw new PeerUsageError("SimGrid needs its build directory: --simgrid=DIR or ISOMC_SIMGRID");
  }
  if (!tools.includes("simgrid") && (dporRun ? programs : []).length === 0) {
    throw new PeerUsageError(
      `nothing to run: ${sgPrograms.map((p) => p.key).join(", ")} ${
        sgPrograms.length === 1 ? "is" : "are"
      } SimGrid's and need --simgrid=DIR or ISOMC_SIMGRID`,
    );
  }
  return {
    programs: dporRun ? programs : [],
    simgridPrograms: tools.includes("simgrid") ? sgPrograms : [],
    runs: values.runs !== undefined ? positiveInt(values.runs, "--runs") : quick ? 1 : 3,
    tools,
    partial: quick || values.only !== undefined,
    sameC: values["same-c"] === true,
    peersDir: dir("peers-dir", "ISOMC_PEERS_DIR") ?? join(root, ".bench-peers"),
    nidhugg: dir("nidhugg", "ISOMC_NIDHUGG"),
    genmc: dir("genmc", "ISOMC_GENMC"),
    simgrid,
    peersSrc: dir("peers-src", "ISOMC_PEERS_SRC"),
    resultsDir: dir("results", null) ?? join(root, "bench", "results"),
    help: values.help === true,
  };
}
