/**
 * --visited in parallel on real programs (docs/parallel.md, "Visited states"): every copy of
 * the program starts as the coordinator's reference copy (lib/parallel/reference.ts), so the
 * workers' claims name the states the sequential search tells apart, and the counts are the
 * sequential ones with 1 and 2 workers, under memory and fork, with a worker killed in the
 * middle, and over TCP; a worker whose copy starts otherwise fails the check with one line.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";
import { liveProcessesOf, processes, runCli, runningProgram, startCli } from "./support/cli.ts";

const example = (name: string): Promise<string> =>
  buildProgram(join(repoRoot, "examples", `${name}.c`));

interface Counts {
  readonly states: number;
  readonly transitions: number;
  readonly executions: number;
  readonly pruned: number;
}

// Measured by the sequential search (--reduction=none --visited), every function bound at
// start (lib/process/environment.ts; docs/state.md, "Copies of one program").
const lastzero3: Counts = { states: 109, transitions: 225, executions: 4, pruned: 117 };
// lastzero(5), not (4): on a fast machine lastzero(4)'s parallel run ended before the kill
// (0.3 s after both workers' programs run), so the kill met no process (ESRCH).
const lastzero5: Counts = { states: 1571, transitions: 4726, executions: 16, pruned: 3156 };

function countsOf(stdout: string): Counts & { verdict: string; parallel?: { steals: number } } {
  const json = JSON.parse(stdout);
  const { states, transitions, executions, pruned } = json.stats;
  return {
    verdict: json.verdict,
    states,
    transitions,
    executions,
    pruned,
    parallel: json.parallel,
  };
}

const pick = (c: Counts): Counts => ({
  states: c.states,
  transitions: c.transitions,
  executions: c.executions,
  pruned: c.pruned,
});

Deno.test("lastzero(3) --visited: the sequential counts with --jobs=1 and --jobs=2, memory and fork", async () => {
  const lastzero = await example("dpor/lastzero");
  for (const restore of ["memory", "fork"]) {
    const base = ["check", "--json", "--reduction=none", "--visited", `--restore=${restore}`];
    const seq = await runCli([...base, "--", lastzero, "3"]);
    assert.equal(seq.code, 0, seq.stderr);
    assert.deepEqual(pick(countsOf(seq.stdout)), lastzero3, `sequential ${restore}`);
    for (const jobs of [1, 2]) {
      const par = await runCli([...base, `--jobs=${jobs}`, "--no-pin", "--", lastzero, "3"]);
      assert.equal(par.code, 0, par.stderr);
      const c = countsOf(par.stdout);
      assert.equal(c.verdict, "ok");
      assert.deepEqual(pick(c), lastzero3, `--jobs=${jobs} ${restore}`);
    }
  }
});

/** The workers of the coordinator `pid` (its children running `isomc worker`). */
function workersOf(pid: number): number[] {
  return processes().filter((p) => p.ppid === pid && p.argv.includes("worker")).map((p) => p.pid);
}

Deno.test("--visited with a worker killed mid-run: the search starts over, the counts stay exact", async () => {
  const lastzero = await example("dpor/lastzero");
  const run = startCli([
    "check",
    "--json",
    "--reduction=none",
    "--visited",
    "--jobs=2",
    "--no-pin",
    "--",
    lastzero,
    "5",
  ]);
  const pid = run.child.pid;
  const end = Date.now() + 60_000;
  let workers: number[] = [];
  while (workers.length < 2 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    workers = workersOf(pid);
  }
  assert.equal(workers.length, 2, "two workers");
  // Connected and at work: a worker's program runs (the reference copies are gone by then).
  while (runningProgram(lastzero).length < 2 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 300));
  Deno.kill(workers[0], "SIGKILL");
  const r = await run.result;
  assert.equal(r.code, 0, r.stderr);
  const c = countsOf(r.stdout);
  assert.equal(c.verdict, "ok");
  assert.deepEqual(pick(c), lastzero5);
  assert.equal(c.parallel?.steals, 1, "the killed worker's job was handed again");
  assert.deepEqual(liveProcessesOf(lastzero), []);
});

/** A TCP port free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** `isomc worker` for `program`, retried until the coordinator listens. */
async function worker(address: string, program: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const w = await runCli(["worker", `--connect=${address}`, "--", ...program]);
    if (!w.stderr.includes("cannot connect")) return w.code;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}

Deno.test("--coordinator --visited with workers started by hand: the sequential counts", async () => {
  const lastzero = await example("dpor/lastzero");
  const address = `127.0.0.1:${freePort()}`;
  const coordinator = startCli([
    "check",
    "--json",
    "--reduction=none",
    "--visited",
    `--coordinator=${address}`,
    "--expect-workers=2",
    "--",
    lastzero,
    "3",
  ]);
  const [c, w1, w2] = await Promise.all([
    coordinator.result,
    worker(address, [lastzero, "3"]),
    worker(address, [lastzero, "3"]),
  ]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual([w1, w2], [0, 0]);
  assert.deepEqual(pick(countsOf(c.stdout)), lastzero3);
});

Deno.test("--visited: a worker whose copy does not start as the coordinator's fails the check, one line", async () => {
  const lastzero = await example("dpor/lastzero");
  const address = `127.0.0.1:${freePort()}`;
  const coordinator = startCli([
    "check",
    "--json",
    "--reduction=none",
    "--visited",
    `--coordinator=${address}`,
    "--expect-workers=1",
    "--",
    lastzero,
    "3",
  ]);
  // Another argument: another state at start (argv is on the stack), keyed otherwise.
  const [c, w] = await Promise.all([coordinator.result, worker(address, [lastzero, "4"])]);
  assert.equal(c.code, 2, c.stderr);
  assert.notEqual(w, 0);
  const json = JSON.parse(c.stdout);
  assert.equal(json.verdict, "error");
  assert.match(json.error.message, /does not start as the coordinator's/);
});

Deno.test("--visited in parallel: what stays refused is one line and exit 2", async () => {
  const bank = await example("bank");
  const cases: [string[], RegExp][] = [
    [["check", "--reduction=odpor", "--visited", "--jobs=2", "--", bank], /--reduction=none/],
    [["check", "--reduction=sleep", "--visited", "--jobs=2", "--", bank], /--reduction=none/],
    [
      ["check", "--reduction=none", "--visited", "--exact-compare", "--jobs=2", "--", bank],
      /--exact-compare is not available/,
    ],
    [["check", "--restore=replay", "--visited", "--jobs=2", "--", bank], /--restore=memory/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("--every-end with --jobs=2: main's end runs after every execution, on every worker", async () => {
  const program = await buildProgram(join(repoRoot, "tests/programs/parallel/end_count.c"));
  const dir = Deno.makeTempDirSync({ prefix: "isomc-ends-" });
  try {
    const ends = async (args: readonly string[], name: string): Promise<number> => {
      const file = join(dir, name);
      const r = await runCli(["check", "--json", "--reduction=none", ...args, "--", program, file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).stats.executions, 6, args.join(" "));
      return Deno.readTextFileSync(file).split("\n").filter((l) => l === "end").length;
    };
    assert.equal(await ends(["--no-visited"], "seq"), 1, "sequential: the end is known after one");
    assert.equal(await ends(["--no-visited", "--every-end"], "seq-every"), 6);
    assert.equal(await ends(["--jobs=2", "--no-pin", "--every-end"], "par-every"), 6);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--jobs=2: a worker killed before it connects does not hang the check", async () => {
  const lastzero = await example("dpor/lastzero");
  const run = startCli([
    "check",
    "--json",
    "--reduction=none",
    "--jobs=2",
    "--no-pin",
    "--",
    lastzero,
    "3",
  ]);
  const pid = run.child.pid;
  const end = Date.now() + 60_000;
  let workers: number[] = [];
  // At once: a worker is a Deno process that takes a while to start and connect.
  while (workers.length < 1 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
    workers = workersOf(pid);
  }
  Deno.kill(workers[0], "SIGKILL");
  const r = await run.result;
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.verdict, "ok");
  assert.equal(json.parallel.workers, 1, "one worker did the search");
});
