/**
 * SimGrid's checker as a peer of `./isomc bench --peers` (bench/peers/simgrid.ts): its options,
 * the command lines of simgrid-mc and isomc on SimGrid's examples, the reading of simgrid-mc's
 * output (captured from SimGrid master 12a63c78cd), the table and its ratios, measure.c's
 * accounting of processes that outlive their parent, and whole runs against a stand-in SimGrid
 * build directory. No assertion depends on a time.
 */

import assert from "node:assert/strict";
import { runPeersBench } from "./support/peers_bench.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePeerOptions, PeerUsageError } from "../bench/peers/options.ts";
import { parseReport } from "../bench/peers/parse.ts";
import {
  isomcSimgridCommand,
  missingSimgridFiles,
  parseSimgrid,
  simgridCommand,
  simgridDisagreement,
  simgridPrograms,
  simgridQuickPrograms,
} from "../bench/peers/simgrid.ts";
import { type RunRecord, simgridTable, summarize } from "../bench/peers/table.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

// --- Outputs captured from simgrid-mc (stderr; it prints nothing on stdout) ---

/** simgrid-mc --cfg=model-check/reduction:odpor (sthread) mcmini-philosophers_mutex_ok 4 0 */
const simgridOk =
  `[0.000000] [xbt_cfg/INFO] Configuration change: Set 'model-check/reduction' to 'odpor'
[0.000000] [xbt_cfg/INFO] Configuration change: Set 'model-check/setenv' to 'LD_PRELOAD=/sg/lib/libsthread.so'
sthread is intercepting the execution of /sg/teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok in process 9953. If it's not what you want, export STHREAD_IGNORE_BINARY=/sg/teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok
[0.000000] [mc_dfs/INFO] Start a DFS exploration. Reduction is: odpor.
[0.000000] [mc_dfs/INFO] DFS exploration ended. 868 unique states visited; 24 explored traces (285 transition replays, 1153 states visited overall)
`;

/** The same on mcmini-philosophers_mutex_deadlock 4 0 (exit 2), shortened. */
const simgridDeadlock = `[0.000000] [mc_dfs/INFO] Start a DFS exploration. Reduction is: odpor.
[0.000000] [mc_global/INFO] **************************
[0.000000] [mc_global/INFO] *** DEADLOCK DETECTED ***
[0.000000] [mc_global/INFO] **************************
[0.000000] [ker_engine/INFO] 5 actors are still active, awaiting something. Here is their status:
[0.000000] [mc_dfs/INFO] DFS exploration ended. 220 unique states visited; 7 explored traces (102 transition replays, 269 states visited overall)
`;

/** simgrid-mc on a binary that does not exist. */
const simgridMissing =
  `[0.000000] [xbt_cfg/INFO] Configuration change: Set 'model-check/reduction' to 'odpor'
[0.000000] src/mc/remote/CheckerSide.cpp:114: [mc_checkerside/CRITICAL] The model-checked process failed to exec(/nonexistent): No such file or directory.
[0.000000] src/mc/remote/CheckerSide.cpp:121: [root/CRITICAL] Aborting now.
`;

// --- Reports ---

Deno.test("simgrid parse: the explored traces and simgrid-mc's own counters", () => {
  assert.deepEqual(parseSimgrid(simgridOk), {
    traces: 24,
    blocked: 0,
    verdict: "ok",
    message: null,
    ownSeconds: null,
    transitions: null,
    uniqueStates: 868,
    replays: 285,
    statesVisited: 1153,
  });
  // Its report is on stderr: parseReport reads both streams for SimGrid.
  assert.equal(parseReport("simgrid", "", simgridOk).traces, 24);
  const deadlock = parseSimgrid(simgridDeadlock);
  assert.equal(deadlock.verdict, "violation");
  assert.equal(deadlock.message, "deadlock");
  assert.equal(deadlock.traces, 7);
  const missing = parseSimgrid(simgridMissing);
  assert.equal(missing.verdict, "unknown");
  assert.equal(missing.traces, null);
  assert.match(missing.message!, /failed to exec\(\/nonexistent\)/);
  assert.equal(parseSimgrid("").message, "no end of exploration in simgrid-mc's output");
});

Deno.test("simgrid parse: the deadlock row counts a deadlock with each tool's exit status", () => {
  const row = simgridPrograms.find((p) => p.key === "deadlock5")!;
  const isomc = parseReport(
    "isomc",
    `{"verdict":"violation","violation":{"kind":"deadlock","message":"every unfinished actor is blocked"},"stats":{"executions":3}}`,
  );
  assert.equal(simgridDisagreement(row, isomc, "isomc", 1), null);
  assert.equal(simgridDisagreement(row, isomc, "isomc", 0), "exit status 0, expected 1");
  assert.equal(simgridDisagreement(row, parseSimgrid(simgridDeadlock), "simgrid", 2), null);
  assert.equal(
    simgridDisagreement(row, parseSimgrid(simgridOk), "simgrid", 0),
    "expected a deadlock, got verdict ok",
  );
  // An ok row is the expected count, as for the other peers.
  const phil = simgridPrograms.find((p) => p.key === "philosophers4")!;
  assert.equal(simgridDisagreement(phil, parseSimgrid(simgridOk), "simgrid", 0), null);
  assert.equal(
    simgridDisagreement(phil, parseSimgrid(simgridDeadlock), "simgrid", 2),
    "deadlock",
  );
});

// --- Programs and command lines ---

Deno.test("simgrid programs: the issue's rows, with the trace counts both checkers report", () => {
  assert.deepEqual(
    simgridPrograms.map((p) => [p.key, p.label, p.traces]),
    [
      ["mutex3x2", "centralized mutex 3×2", 2_898],
      ["philosophers4", "philosophers(4)", 24],
      ["philosophers6", "philosophers(6)", 720],
      ["deadlock5", "philosophers, deadlocking (5)", 0],
    ],
  );
  assert.deepEqual(simgridPrograms.map((p) => p.violation), [null, null, null, "deadlock"]);
  assert.deepEqual(simgridQuickPrograms.map((p) => [p.key, p.traces]), [
    ["mutex2x2", 28],
    ["philosophers4", 24],
  ]);
});

Deno.test("simgrid commands: odpor on both sides; the philosophers' very binary in both", () => {
  const [mutex, phil] = simgridPrograms;
  assert.deepEqual(simgridCommand(phil, "/sg"), [
    "/sg/bin/simgrid-mc",
    "--cfg=model-check/reduction:odpor",
    "--cfg=model-check/setenv:LD_PRELOAD=/sg/lib/libsthread.so",
    "/sg/teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok",
    "4",
    "0",
  ]);
  assert.deepEqual(isomcSimgridCommand(phil, "/repo/isomc", "/sg", null), [
    "/repo/isomc",
    "check",
    "--json",
    "--trace-out=/dev/null",
    "--preload",
    "--",
    "/sg/teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok",
    "4",
    "0",
  ]);
  assert.deepEqual(simgridCommand(mutex, "/sg"), [
    "/sg/bin/simgrid-mc",
    "--cfg=model-check/reduction:odpor",
    "/sg/examples/cpp/mc-centralized-mutex/s4u-mc-centralized-mutex",
    "3",
    "2",
  ]);
  assert.deepEqual(isomcSimgridCommand(mutex, "/repo/isomc", "/sg", "/tmp/port"), [
    "/repo/isomc",
    "check",
    "--json",
    "--trace-out=/dev/null",
    "--",
    "/tmp/port",
    "3",
    "2",
  ]);
  assert.throws(() => isomcSimgridCommand(mutex, "/repo/isomc", "/sg", null), /no isomc port/);
});

Deno.test("simgrid programs: the port exists and the build directory is checked file by file", async () => {
  assert.ok((await Deno.stat(join(root, "bench/programs/centralized_mutex.c"))).isFile);
  const dir = await Deno.makeTempDir({ prefix: "isomc-simgrid-test-" });
  try {
    assert.deepEqual(await missingSimgridFiles(dir, simgridPrograms), [
      "bin/simgrid-mc",
      "lib/libsthread.so",
      "examples/cpp/mc-centralized-mutex/s4u-mc-centralized-mutex",
      "teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok",
      "teshsuite/mc/mcmini/mcmini-philosophers_mutex_deadlock",
    ]);
    await Deno.mkdir(join(dir, "bin"));
    // Not executable: still missing.
    await Deno.writeTextFile(join(dir, "bin", "simgrid-mc"), "", { mode: 0o644 });
    assert.deepEqual(
      await missingSimgridFiles(dir, simgridPrograms.slice(0, 1)),
      ["bin/simgrid-mc", "examples/cpp/mc-centralized-mutex/s4u-mc-centralized-mutex"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// --- Options ---

Deno.test("simgrid options: --simgrid or ISOMC_SIMGRID adds SimGrid and its table", () => {
  const none = parsePeerOptions([], {}, "/repo");
  assert.equal(none.simgrid, null);
  assert.deepEqual(none.simgridPrograms, []);
  const o = parsePeerOptions([], { ISOMC_SIMGRID: "/sg" }, "/repo");
  assert.equal(o.simgrid, "/sg");
  assert.deepEqual(o.tools, ["isomc", "nidhugg", "genmc", "simgrid"]);
  assert.deepEqual(o.simgridPrograms.map((p) => p.key), [
    "mutex3x2",
    "philosophers4",
    "philosophers6",
    "deadlock5",
  ]);
  assert.equal(o.programs.length, 5);
  assert.equal(parsePeerOptions(["--simgrid=/x"], { ISOMC_SIMGRID: "/sg" }, "/repo").simgrid, "/x");
  // SimGrid without Nidhugg and GenMC: SimGrid's table alone.
  const alone = parsePeerOptions(["--simgrid=/sg", "--tools=isomc,simgrid"], {}, "/repo");
  assert.deepEqual(alone.programs, []);
  assert.equal(alone.simgridPrograms.length, 4);
  const only = parsePeerOptions(["--simgrid=/sg", "--quick", "--only=philosophers4"], {}, "/repo");
  assert.deepEqual(only.programs, []);
  assert.deepEqual(only.simgridPrograms.map((p) => p.key), ["philosophers4"]);
  assert.equal(only.partial, true);
});

Deno.test("simgrid options: SimGrid's programs or tool without its build are usage errors", () => {
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
  assert.match(bad(["--tools=isomc,simgrid"]), /SimGrid needs its build directory: --simgrid=DIR/);
  assert.match(
    bad(["--only=philosophers4,philosophers6"]),
    /nothing to run: philosophers4, philosophers6 are SimGrid's and need --simgrid=DIR/,
  );
  assert.match(bad(["--simgrid="]), /--simgrid is empty/);
  assert.match(bad(["--only=philosophers5"]), /unknown program philosophers5 .*mutex3x2/);
});

// --- Table ---

function record(
  program: string,
  tool: RunRecord["tool"],
  round: number,
  wall: number,
  cpu: number,
  report: RunRecord["report"],
): RunRecord {
  return {
    program,
    tool,
    round,
    wall_s: wall,
    user_s: cpu,
    sys_s: 0,
    max_rss_kib: 2048,
    exit: 0,
    report,
    problem: null,
    load1: 1,
  };
}

Deno.test("simgrid table: wall and CPU ratios isomc / SimGrid and both checkers' counters", () => {
  const isomc = parseReport(
    "isomc",
    `{"verdict":"ok","violation":null,"stats":{"executions":24,"transitions":579,"seconds":0.05}}`,
  );
  const sg = parseSimgrid(simgridOk);
  const runs = [
    record("philosophers4", "isomc", 1, 0.3, 0.4, isomc),
    record("philosophers4", "simgrid", 1, 0.1, 0.1, sg),
    record("philosophers4", "isomc", 2, 0.5, 0.2, isomc),
    record("philosophers4", "simgrid", 2, 0.2, 0.1, sg),
  ];
  const rows = summarize(simgridQuickPrograms.slice(1), ["isomc", "simgrid"], runs);
  assert.ok(Math.abs(rows[0].isomcOverSimgrid! - 0.4 / 0.15) < 1e-9);
  assert.ok(Math.abs(rows[0].cpuOverSimgrid! - 3) < 1e-9);
  const md = simgridTable(rows, runs);
  assert.match(
    md,
    /\| philosophers\(4\) \| 24 \| 0\.40 s \| 0\.15 s \| 2\.7× \| 0\.30 s \| 0\.10 s \| 3\.0× \| 2, 2 \|/,
  );
  assert.match(md, /\| philosophers\(4\) \| 579 \| 1,153 \| 285 \| 0\.05 \|/);
});

// --- measure.c: the processes nobody in the tree waits for ---

Deno.test("measure: an orphan of the command is reaped and counted, its end awaited", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-measure-test-" });
  try {
    const bin = join(dir, "measure");
    const cc = await new Deno.Command("cc", {
      args: ["-O2", "-o", bin, join(root, "bench", "peers", "measure.c")],
    }).output();
    assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
    const done = join(dir, "orphan-done");
    // The command's child outlives it, sleeps, then leaves a file: measure must wait for it.
    const r = await new Deno.Command(bin, {
      args: [join(dir, "m.json"), "--", "sh", "-c", `(sleep 0.2; touch '${done}') & exit 3`],
    }).output();
    assert.equal(r.code, 0);
    const m = JSON.parse(await Deno.readTextFile(join(dir, "m.json")));
    assert.equal(m.exit, 3);
    assert.equal(m.orphans, 1);
    assert.equal(m.orphans_killed, false);
    assert.ok((await Deno.stat(done)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// --- Whole runs, through bench/run.ts, with a stand-in SimGrid build directory ---

/**
 * A stand-in build: a simgrid-mc that logs its arguments and prints what the real one prints,
 * with `traces` as its count, and empty stand-ins of the binaries it is given.
 */
async function standIn(traces: number): Promise<{ dir: string; log: string }> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-simgrid-test-" });
  const log = join(dir, "calls.log");
  for (const sub of ["bin", "lib", "examples/cpp/mc-centralized-mutex", "teshsuite/mc/mcmini"]) {
    await Deno.mkdir(join(dir, sub), { recursive: true });
  }
  await Deno.writeTextFile(
    join(dir, "bin", "simgrid-mc"),
    `#!/bin/sh
echo "simgrid-mc $*" >> '${log}'
cat >&2 <<'EOF'
${simgridOk.replace("24 explored traces", `${traces} explored traces`)}EOF
`,
    { mode: 0o755 },
  );
  await Deno.writeTextFile(join(dir, "lib", "libsthread.so"), "");
  await Deno.mkdir(join(dir, "include", "simgrid"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "include", "simgrid", "version.h"),
    `#define SIMGRID_VERSION_STRING "SimGrid version 0.0 stand-in"\n`,
  );
  for (
    const b of [
      "examples/cpp/mc-centralized-mutex/s4u-mc-centralized-mutex",
      "teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok",
    ]
  ) {
    await Deno.writeTextFile(join(dir, b), "#!/bin/sh\n", { mode: 0o755 });
  }
  return { dir, log };
}

const bench = runPeersBench;

Deno.test("simgrid run: SimGrid's table alone, runs alternate, counts agree: exit 0", async () => {
  const s = await standIn(24);
  try {
    const r = await bench([
      "--quick",
      "--only=philosophers4",
      "--runs=2",
      "--tools=simgrid",
      `--simgrid=${s.dir}`,
      `--results=${s.dir}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const calls = (await Deno.readTextFile(s.log)).trim().split("\n");
    // One warm-up, then two recorded runs.
    assert.equal(calls.length, 3);
    assert.equal(
      calls[1],
      `simgrid-mc --cfg=model-check/reduction:odpor --cfg=model-check/setenv:LD_PRELOAD=${s.dir}/lib/libsthread.so ${s.dir}/teshsuite/mc/mcmini/mcmini-philosophers_mutex_ok 4 0`,
    );
    // SimGrid's table alone is written beside the DPOR table's files, not over them.
    const results = JSON.parse(
      await Deno.readTextFile(join(s.dir, "partial-simgrid-peers.json")),
    );
    assert.deepEqual(results.rows, []);
    assert.equal(results.simgrid_rows.length, 1);
    assert.equal(results.runs.length, 2);
    assert.match(results.versions.simgrid, /^SimGrid version 0\.0 stand-in \(/);
    for (const run of results.runs) {
      assert.equal(run.problem, null);
      assert.equal(run.report.traces, 24);
      assert.equal(run.report.statesVisited, 1153);
    }
    const md = await Deno.readTextFile(join(s.dir, "partial-simgrid-peers.md"));
    assert.match(md, /Against SimGrid's checker:/);
    assert.match(md, /\| philosophers\(4\) \| 24 \| - \| [\d.]+ s \| - \|/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("simgrid run: isomc's port agrees with SimGrid's count on the mutex; another count is exit 1", async () => {
  const s = await standIn(28);
  try {
    const ok = await bench([
      "--quick",
      "--only=mutex2x2",
      "--tools=isomc,simgrid",
      `--simgrid=${s.dir}`,
      `--results=${s.dir}`,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const results = JSON.parse(
      await Deno.readTextFile(join(s.dir, "partial-simgrid-peers.json")),
    );
    const isomc = results.runs.find((r: RunRecord) => r.tool === "isomc");
    assert.equal(isomc.report.traces, 28);
    assert.equal(isomc.report.verdict, "ok");
    assert.equal(isomc.problem, null);
    // philosophers(4) must have 24 traces: the stand-in says 28.
    const wrong = await bench([
      "--quick",
      "--only=philosophers4",
      "--tools=simgrid",
      `--simgrid=${s.dir}`,
      `--results=${s.dir}`,
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /SimGrid run 1: .* does not count: 28 traces, expected 24/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("simgrid run: without a build SimGrid's rows are left out in one line; a bad build is exit 3", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-simgrid-test-" });
  try {
    const left = await bench(["--quick", "--only=lastzero5", "--tools=isomc", `--results=${dir}`]);
    assert.equal(left.code, 0, left.stderr);
    assert.equal(
      left.stdout.split("\n").filter((l) => l.includes("SimGrid")).join("\n"),
      "SimGrid rows left out: no SimGrid build given (--simgrid=DIR or ISOMC_SIMGRID)",
    );
    await Deno.remove(join(dir, "partial-peers.json"));
    const bad = await bench(["--quick", "--tools=simgrid", `--simgrid=${dir}`, `--results=${dir}`]);
    assert.equal(bad.code, 3);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    assert.match(bad.stderr, /is not a SimGrid build directory .*bin\/simgrid-mc, /);
    assert.ok(!(await Deno.stat(join(dir, "partial-simgrid-peers.json")).catch(() => null)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
