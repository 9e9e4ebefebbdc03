/**
 * `./isomc bench --peers` (bench/peers.ts), what can be tested without timing anything: its
 * options, the tools' command lines, the reading of Nidhugg's, GenMC's and isomc's reports
 * (on outputs captured from Nidhugg 0.4, GenMC 0.11.0 and isomc), the table and its ratios, and
 * whole runs against stand-in peers — scripts that print what the real ones print — which prove
 * the alternation, the count check and the exit codes. No assertion depends on a time.
 */

import assert from "node:assert/strict";
import { runPeersBench } from "./support/peers_bench.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePeerOptions, PeerUsageError } from "../bench/peers/options.ts";
import {
  fullPrograms,
  quickPrograms,
  toolCommand,
  type ToolPaths,
} from "../bench/peers/programs.ts";
import {
  disagreement,
  parseGenmc,
  parseIsomc,
  parseNidhugg,
  type ToolReport,
} from "../bench/peers/parse.ts";
import { markdownTable, median, type RunRecord, summarize } from "../bench/peers/table.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

// --- Outputs captured from the real tools (stdout; their stderr carries no count). ---

/** nidhuggc -O1 -DN=5 -- --sc --optimal lastzero.c */
const nidhuggOptimal = `Trace count: 64
No errors were detected.
Total wall-clock time: 0.17 s
`;

/** nidhuggc -O1 -DN=5 -- --sc lastzero.c (source DPOR: sleep-set blocked traces apart) */
const nidhuggSource = `Trace count: 64
Sleepset-blocked trace count: 33
No errors were detected.
Total wall-clock time: 0.20 s
`;

/** A lost update between two threads, then assert(x == 2). */
const nidhuggAssertion = `Trace count: 2

 Error detected:
  (<0>,1) racy.c:6: int main(void) { pthread_t a, b; pthread_create(&a, NULL, t, NULL); pthread_create(&b, NULL, t, NULL);
    (<0.0>,1) racy.c:5: void *t(void *a) { int v = atomic_load(&x); atomic_store(&x, v + 1); return NULL; }
      (<0.1>,1) racy.c:5: void *t(void *a) { int v = atomic_load(&x); atomic_store(&x, v + 1); return NULL; }
  (<0>,11) racy.c:7: pthread_join(a, NULL); pthread_join(b, NULL); assert(atomic_load(&x) == 2); return 0; }
           Error: Assertion violation at (<0>,14): (atomic_load(&x) == 2)
Total wall-clock time: 0.18 s
`;

/** nidhuggc on a file that does not exist (its usage text, shortened, then the error). */
const nidhuggMissing =
  `Usage: /work/peers/nidhugg/src/nidhuggc [COMPILER OPTIONS] -- [NIDHUGG/NIDHUGGC OPTIONS] FILE [-- [PROGRAM ARGUMENTS]]

NIDHUGGC OPTIONS:
  --help
      Prints this text.

Nidhuggc Error: Source code file 'nonexist.c' does not exist.
`;

/** genmc -- -DN=5 lastzero.c: the estimate (48) is not the count (64). */
const genmcOk = `GenMC v0.11.0 (LLVM 19.1.7)
Copyright (C) 2024 MPI-SWS. All rights reserved.

*** Compilation complete.
*** Transformation complete.
*** Estimation complete.
Total executions estimate: 48 (+- 39)
Time to completion estimate: 0.10s
*** Verification complete.
No errors were detected.
Number of complete executions explored: 64
Total wall-clock time: 0.11s
`;

/** genmc on a failing assertion: found during its estimation. */
const genmcAssertion = `GenMC v0.11.0 (LLVM 19.1.7)
Copyright (C) 2024 MPI-SWS. All rights reserved.

*** Compilation complete.
*** Transformation complete.
Error: Safety violation!
Event (0, 2) in graph:
<-1, 0> main:
	(0, 1): THREAD_CREATE [thread 1] pthread.h:143
	(0, 2): Rsc (x, 1) [(1, 1)] L.6
<0, 1> t:
	(1, 1): Wsc (x, 1) L.5
	(1, 2): THREAD_END

Assertion violation: atomic_load(&x) == 0
*** Estimation unsuccessful.
Total executions estimate: 2 (+- 0)
Time to completion estimate: 0.08s
`;

/** isomc check --json -- lastzero 3 */
const isomcOk =
  `{"verdict":"ok","violation":null,"incomplete":null,"stats":{"executions":12,"states":74,"pruned":0,"hash_collisions":0,"transitions":73,"max_depth":10,"seconds":0.023383,"replayed_transitions":29,"restarts":1,"restores":11,"restore_seconds":0.00236,"sleep_blocked":0,"wakeup_insertions":11},"trace":[]}`;

/** isomc check --json -- philosophers (the trace shortened to its first step) */
const isomcDeadlock =
  `{"verdict": "violation", "violation": {"kind": "deadlock", "message": "every unfinished actor is blocked", "actor": null}, "incomplete": null, "stats": {"executions": 4, "states": 32, "transitions": 31, "seconds": 0.020446, "sleep_blocked": 0}, "trace": [{"step": 1, "actor": 1, "choice": 0, "actor_name": "philosopher-0", "transition": "mutex_lock(mutex 1)"}]}`;

// --- Options ---

Deno.test("--peers options: the defaults are the issue's table, 3 runs, all tools", () => {
  const o = parsePeerOptions([], {}, "/repo");
  assert.deepEqual(o.programs.map((p) => p.label), [
    "lastzero(10)",
    "lastzero(15)",
    "readers(13)",
    "indexer(15)",
    "filesystem(22)",
  ]);
  assert.deepEqual(o.programs.map((p) => p.traces), [3_328, 147_456, 8_192, 4_096, 512]);
  assert.equal(o.runs, 3);
  assert.deepEqual(o.tools, ["isomc", "nidhugg", "genmc"]);
  assert.equal(o.partial, false);
  assert.equal(o.peersDir, "/repo/.bench-peers");
  assert.equal(o.nidhugg, null);
  assert.equal(o.genmc, null);
  assert.equal(o.peersSrc, null);
  assert.equal(o.resultsDir, "/repo/bench/results");
});

Deno.test("--peers options: --quick is small sizes, one run, partial results", () => {
  const o = parsePeerOptions(["--quick"], {}, "/repo");
  assert.deepEqual(o.programs.map((p) => p.key), [
    "lastzero5",
    "readers8",
    "indexer13",
    "filesystem16",
  ]);
  assert.equal(o.runs, 1);
  assert.equal(o.partial, true);
  assert.equal(parsePeerOptions(["--quick", "--runs=2"], {}, "/repo").runs, 2);
});

Deno.test("--peers options: --only and --tools select, in the table's order", () => {
  const o = parsePeerOptions(
    ["--only=indexer15,lastzero10", "--tools=genmc,isomc"],
    {},
    "/repo",
  );
  assert.deepEqual(o.programs.map((p) => p.key), ["lastzero10", "indexer15"]);
  assert.deepEqual(o.tools, ["isomc", "genmc"]);
  assert.equal(o.partial, true);
  assert.deepEqual(
    parsePeerOptions(["--quick", "--only=readers8"], {}, "/repo").programs.map((p) => p.key),
    ["readers8"],
  );
});

Deno.test("--peers options: checkouts from the environment, options first", () => {
  const env = {
    ISOMC_PEERS_DIR: "/p",
    ISOMC_NIDHUGG: "/n",
    ISOMC_GENMC: "/g",
    ISOMC_PEERS_SRC: "/s",
  };
  const o = parsePeerOptions([], env, "/repo");
  assert.deepEqual([o.peersDir, o.nidhugg, o.genmc, o.peersSrc], ["/p", "/n", "/g", "/s"]);
  const given = parsePeerOptions(
    ["--peers-dir=/q", "--nidhugg=/m", "--genmc=/h", "--peers-src=/t", "--results=/r"],
    env,
    "/repo",
  );
  assert.deepEqual(
    [given.peersDir, given.nidhugg, given.genmc, given.peersSrc, given.resultsDir],
    ["/q", "/m", "/h", "/t", "/r"],
  );
});

Deno.test("--peers options: usage errors say what is wrong in one line", () => {
  const bad = (args: string[], env: Record<string, string> = {}): string => {
    try {
      parsePeerOptions(args, env, "/repo");
    } catch (e) {
      assert.ok(e instanceof PeerUsageError);
      assert.ok(!e.message.includes("\n"), e.message);
      return e.message;
    }
    throw new Error(`no usage error for ${args.join(" ")}`);
  };
  assert.match(bad(["--runs=0"]), /--runs must be a positive integer/);
  assert.match(bad(["--runs=two"]), /--runs must be a positive integer/);
  assert.match(bad(["--only=lastzero5"]), /unknown program lastzero5 .*lastzero10/);
  assert.match(bad(["--quick", "--only=lastzero15"]), /unknown program lastzero15 \(--quick/);
  assert.match(bad(["--only="]), /--only needs at least one program/);
  assert.match(bad(["--tools=cbmc"]), /unknown tool cbmc/);
  assert.match(bad(["--bogus"]), /bogus/);
  assert.match(bad([], { ISOMC_NIDHUGG: "" }), /ISOMC_NIDHUGG is empty/);
  assert.match(bad(["--genmc="]), /--genmc is empty/);
});

// --- Command lines ---

const paths: ToolPaths = {
  isomc: "/repo/isomc",
  nidhugg: "/peers/nidhugg",
  genmc: "/peers/genmc",
  python: "python3",
};

Deno.test("--peers commands: isomc runs its port, the peers their source with the size macro", () => {
  const indexer = fullPrograms.find((p) => p.key === "indexer15")!;
  assert.deepEqual(toolCommand("isomc", indexer, paths, "/tmp/indexer"), [
    "/repo/isomc",
    "check",
    "--json",
    "--trace-out=/dev/null",
    "--",
    "/tmp/indexer",
    "15",
  ]);
  assert.deepEqual(toolCommand("nidhugg", indexer, paths, "/tmp/indexer"), [
    "python3",
    "/peers/nidhugg/src/nidhuggc",
    "-O1",
    "-DNUM_THREADS=15",
    "--",
    "--sc",
    "--optimal",
    "/peers/nidhugg/benchmarks/SV-COMP/indexer.c",
  ]);
  const fs = fullPrograms.find((p) => p.key === "filesystem22")!;
  assert.deepEqual(toolCommand("genmc", fs, paths, "/tmp/fs"), [
    "/peers/genmc/genmc",
    "--",
    "-DN=22",
    "/peers/nidhugg/benchmarks/from_RFSC/benchmarks/noasserts/from_TRACER/filesystem.c",
  ]);
});

Deno.test("--peers --same-c: isomc runs the peers' own file, built with its size, no argument", () => {
  const indexer = fullPrograms.find((p) => p.key === "indexer15")!;
  assert.deepEqual(toolCommand("isomc", indexer, paths, "/tmp/same-c-indexer15", true).slice(-3), [
    "--join-on-exit",
    "--",
    "/tmp/same-c-indexer15",
  ]);
  const o = parsePeerOptions(["--same-c", "--quick"], {}, "/repo");
  assert.equal(o.sameC, true);
  assert.equal(parsePeerOptions([], {}, "/repo").sameC, false);
});

Deno.test("--peers programs: each port exists, and the peers' four sources take their size", async () => {
  for (const p of [...fullPrograms, ...quickPrograms]) {
    assert.ok((await Deno.stat(join(root, p.isomcSource))).isFile, p.isomcSource);
    assert.equal(p.key, `${p.label.replace(/\((\d+)\)$/, "$1")}`);
  }
  const sources = new Map([...fullPrograms, ...quickPrograms].map((p) => [p.peerSource, p]));
  assert.equal(sources.size, 4);
  assert.equal(sources.get("benchmarks/SV-COMP/indexer.c")!.sizeMacro, "NUM_THREADS");
});

// --- Reports ---

Deno.test("--peers parse: Nidhugg's trace count, blocked traces, verdict and timer", () => {
  assert.deepEqual(parseNidhugg(nidhuggOptimal), {
    traces: 64,
    blocked: 0,
    verdict: "ok",
    message: null,
    ownSeconds: 0.17,
    transitions: null,
  });
  const source = parseNidhugg(nidhuggSource);
  assert.equal(source.traces, 64);
  assert.equal(source.blocked, 33);
  const error = parseNidhugg(nidhuggAssertion);
  assert.equal(error.verdict, "violation");
  assert.equal(error.traces, 2);
  assert.equal(error.message, "Error: Assertion violation at (<0>,14): (atomic_load(&x) == 2)");
  const missing = parseNidhugg(nidhuggMissing);
  assert.equal(missing.verdict, "unknown");
  assert.equal(missing.traces, null);
  assert.equal(missing.message, "Nidhuggc Error: Source code file 'nonexist.c' does not exist.");
});

Deno.test("--peers parse: GenMC's complete executions, not its estimate", () => {
  assert.deepEqual(parseGenmc(genmcOk), {
    traces: 64,
    blocked: 0,
    verdict: "ok",
    message: null,
    ownSeconds: 0.11,
    transitions: null,
  });
  const error = parseGenmc(genmcAssertion);
  assert.equal(error.verdict, "violation");
  assert.equal(error.traces, null);
  assert.equal(error.message, "Error: Safety violation!");
  assert.equal(
    parseGenmc(genmcOk.replace(
      "explored: 64",
      "explored: 64\nNumber of blocked executions seen: 7",
    )).blocked,
    7,
  );
  assert.equal(parseGenmc("").verdict, "unknown");
});

Deno.test("--peers parse: isomc's --json report", () => {
  assert.deepEqual(parseIsomc(isomcOk), {
    traces: 12,
    blocked: 0,
    verdict: "ok",
    message: null,
    ownSeconds: 0.023383,
    transitions: 73,
  });
  const deadlock = parseIsomc(isomcDeadlock);
  assert.equal(deadlock.verdict, "violation");
  assert.equal(deadlock.message, "deadlock: every unfinished actor is blocked");
  assert.equal(parseIsomc("isomc: cannot run ./x").verdict, "unknown");
  assert.equal(
    parseIsomc(`{"verdict":"incomplete","incomplete":"max-executions","stats":{}}`).message,
    "verdict incomplete (max-executions)",
  );
});

Deno.test("--peers parse: a run counts only with no error, status 0 and the expected count", () => {
  const ok = parseNidhugg(nidhuggOptimal);
  assert.equal(disagreement(ok, 64, 0), null);
  assert.equal(disagreement(ok, 65, 0), "64 traces, expected 65");
  assert.equal(disagreement(ok, 64, 1), "exit status 1");
  assert.equal(
    disagreement(parseNidhugg(nidhuggAssertion), 2, 42),
    "Error: Assertion violation at (<0>,14): (atomic_load(&x) == 2)",
  );
  assert.equal(disagreement(parseGenmc(""), 64, 0), "no verdict in GenMC's output");
});

// --- Table ---

function record(
  program: string,
  tool: RunRecord["tool"],
  round: number,
  wall: number,
  report: ToolReport,
  problem: string | null = null,
): RunRecord {
  return {
    program,
    tool,
    round,
    wall_s: wall,
    user_s: wall,
    sys_s: 0,
    max_rss_kib: 1024 * round,
    exit: 0,
    report,
    problem,
    load1: 0.5,
  };
}

Deno.test("--peers table: medians of the runs that count, and the ratios of the issue", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
  const programs = quickPrograms.slice(0, 1);
  const isomc = parseIsomc(isomcOk);
  const nid = parseNidhugg(nidhuggOptimal);
  const gen = parseGenmc(genmcOk);
  const runs = [
    record("lastzero5", "isomc", 1, 0.9, isomc),
    record("lastzero5", "nidhugg", 1, 0.4, nid),
    record("lastzero5", "genmc", 1, 0.1, gen),
    record("lastzero5", "isomc", 2, 0.6, isomc),
    record("lastzero5", "nidhugg", 2, 0.3, nid),
    record("lastzero5", "genmc", 2, 5.0, gen, "63 traces, expected 64"),
    record("lastzero5", "isomc", 3, 0.5, isomc),
    record("lastzero5", "nidhugg", 3, 0.2, nid),
    record("lastzero5", "genmc", 3, 0.3, gen),
  ];
  const [row] = summarize(programs, ["isomc", "nidhugg", "genmc"], runs);
  assert.equal(row.cells.isomc!.median_s, 0.6);
  assert.equal(row.cells.nidhugg!.median_s, 0.3);
  // The run that reported another count is left out of the median, and said.
  assert.equal(row.cells.genmc!.median_s, 0.2);
  assert.deepEqual(row.cells.genmc!.problems, ["run 2: 63 traces, expected 64"]);
  assert.equal(row.cells.genmc!.max_rss_kib, 3 * 1024);
  assert.equal(row.isomcOverNidhugg, 2);
  assert.ok(Math.abs(row.isomcOverGenmc! - 3) < 1e-9);
  const md = markdownTable([row]);
  assert.match(md, /\| lastzero\(5\) \| 64 \| 0\.60 s \| 0\.30 s \| 0\.20 s \| 2\.0× \| 3\.0× \|/);
  assert.match(md, /- lastzero\(5\) genmc run 2: 63 traces, expected 64/);
  // CPU time (user + system) beside wall time: here the stand-ins' CPU is their wall time.
  assert.equal(row.cells.isomc!.cpu_s, 0.6);
  assert.equal(row.cpuOverNidhugg, 2);
  assert.match(
    md,
    /\| lastzero\(5\) \| 0\.60 s \| 0\.30 s \| 0\.20 s \| 2\.0× \| 3\.0× \| 0\.02 \| 3, 3, 3 \|/,
  );
});

Deno.test("--peers table: a tool left out or failing everywhere has no ratio", () => {
  const isomc = parseIsomc(isomcOk);
  const runs = [
    record("lastzero5", "isomc", 1, 0.5, isomc),
    record("lastzero5", "genmc", 1, 0.1, parseGenmc(""), "no verdict in GenMC's output"),
  ];
  const [row] = summarize(quickPrograms.slice(0, 1), ["isomc", "genmc"], runs);
  assert.equal(row.isomcOverGenmc, null);
  assert.equal(row.isomcOverNidhugg, null);
  assert.match(markdownTable([row]), /\| 0\.50 s \| - \| failed \| - \| - \|/);
});

// --- Whole runs, through bench/run.ts, with stand-in peers ---

interface Stand {
  dir: string;
  log: string;
}

/**
 * Stand-in checkouts: a "nidhuggc" (run by python3, as the real one) and a "genmc" that log
 * their calls and print the real tools' reports with `traces` as the count.
 */
async function standIns(traces: { nidhugg: number; genmc: number }): Promise<Stand> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-peers-test-" });
  const log = join(dir, "calls.log");
  await Deno.mkdir(join(dir, "nidhugg", "src"), { recursive: true });
  await Deno.mkdir(join(dir, "nidhugg", "benchmarks"), { recursive: true });
  await Deno.mkdir(join(dir, "genmc"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "nidhugg", "src", "nidhuggc"),
    `import sys
if "--version" in sys.argv:
    print("Nidhugg stand-in")
    sys.exit(0)
open(${JSON.stringify(log)}, "a").write("nidhugg " + " ".join(sys.argv[1:]) + "\\n")
print(${JSON.stringify(nidhuggOptimal.replace("64", String(traces.nidhugg)))}, end="")
`,
  );
  await Deno.writeTextFile(join(dir, "nidhugg", "src", "nidhugg"), "#!/bin/sh\n", { mode: 0o755 });
  await Deno.writeTextFile(
    join(dir, "genmc", "genmc"),
    `#!/bin/sh
if [ "$1" = --version ]; then echo "GenMC v0.0.0 stand-in"; exit 0; fi
echo "genmc $*" >> '${log}'
cat <<'EOF'
${genmcOk.replace("explored: 64", `explored: ${traces.genmc}`)}EOF
`,
    { mode: 0o755 },
  );
  return { dir, log };
}

const bench = runPeersBench;

Deno.test("--peers run: the tools alternate, and agreeing counts give exit 0 and the table", async () => {
  const s = await standIns({ nidhugg: 64, genmc: 64 });
  try {
    const r = await bench([
      "--quick",
      "--only=lastzero5",
      "--runs=2",
      "--tools=nidhugg,genmc",
      `--peers-dir=${s.dir}`,
      `--results=${s.dir}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const calls = (await Deno.readTextFile(s.log)).trim().split("\n");
    // One warm-up each, then Nidhugg and GenMC in turn.
    assert.deepEqual(calls.map((c) => c.split(" ")[0]), [
      "nidhugg",
      "genmc",
      "nidhugg",
      "genmc",
      "nidhugg",
      "genmc",
    ]);
    assert.equal(
      calls[2],
      `nidhugg -O1 -DN=5 -- --sc --optimal ${s.dir}/nidhugg/benchmarks/from_CONCUERROR/lastzero.c`,
    );
    const results = JSON.parse(await Deno.readTextFile(join(s.dir, "partial-peers.json")));
    assert.equal(results.runs.length, 4);
    assert.equal(results.runs_per_tool, 2);
    assert.deepEqual(results.versions, {
      isomc: results.versions.isomc,
      nidhugg: "Nidhugg stand-in",
      genmc: "GenMC v0.0.0 stand-in",
    });
    for (const run of results.runs) {
      assert.equal(run.problem, null);
      assert.equal(run.exit, 0);
      assert.equal(run.report.traces, 64);
      assert.ok(run.max_rss_kib > 0);
    }
    const md = await Deno.readTextFile(join(s.dir, "partial-peers.md"));
    assert.match(md, /^Machine: /);
    assert.match(md, /\| lastzero\(5\) \| 64 \| - \| [\d.]+ s \| [\d.]+ s \| - \| - \|/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("--peers run: a peer that reports another count makes the run fail (exit 1)", async () => {
  const s = await standIns({ nidhugg: 64, genmc: 63 });
  try {
    const r = await bench([
      "--quick",
      "--only=lastzero5",
      "--tools=nidhugg,genmc",
      `--nidhugg=${s.dir}/nidhugg`,
      `--genmc=${s.dir}/genmc`,
      `--results=${s.dir}`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /GenMC run 1: .* does not count: 63 traces, expected 64/);
    assert.match(r.stderr, /some runs failed or reported another trace count/);
    assert.match(
      await Deno.readTextFile(join(s.dir, "partial-peers.md")),
      /- lastzero\(5\) genmc run 1: 63 traces, expected 64/,
    );
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("--peers run: isomc's own run is timed, counted and its memory recorded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-peers-test-" });
  try {
    const r = await bench([
      "--quick",
      "--only=lastzero5",
      "--tools=isomc",
      `--results=${dir}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(await Deno.readTextFile(join(dir, "partial-peers.json")));
    assert.equal(results.runs.length, 1);
    const [run] = results.runs;
    assert.equal(run.tool, "isomc");
    assert.equal(run.report.traces, 64);
    assert.equal(run.report.verdict, "ok");
    assert.equal(run.report.transitions, 495);
    assert.ok(run.max_rss_kib > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--peers run: bad usage is exit 2, a missing checkout exit 3, each in one line", async () => {
  const usage = await bench(["--runs=0"]);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr.trim().split("\n").length, 1);
  assert.match(usage.stderr, /--runs must be a positive integer/);
  const dir = await Deno.makeTempDir({ prefix: "isomc-peers-test-" });
  try {
    const missing = await bench(["--quick", `--nidhugg=${dir}/nowhere`, `--results=${dir}`]);
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    assert.match(missing.stderr, /nowhere is not a built Nidhugg checkout/);
    // Nothing was written: no run happened.
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const help = await bench(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: \.\/isomc bench --peers/);
});
