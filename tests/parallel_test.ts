/**
 * Parallel checks on real programs (lib/parallel/): worker processes, each with its own copy
 * of the program, give the sequential search's verdict, counterexample and counts for every
 * reduction and restore; a worker killed mid-run loses nothing; a coordinator killed takes its
 * workers and their programs with it; the cluster path (TCP, workers started by hand) agrees.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check, type CheckOptions, type CheckResult } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import {
  becomeSubreaper,
  liveProcessesOf,
  processes,
  reapStrays,
  runCli,
  runningProgram,
  startCli,
} from "./support/cli.ts";

const example = (name: string): Promise<string> =>
  buildProgram(join(repoRoot, "examples", `${name}.c`));

const stepsOf = (r: CheckResult): string =>
  JSON.stringify(r.violation?.trace.map((s) => s.step) ?? null);

async function compare(
  program: string,
  args: readonly string[],
  options: CheckOptions,
  what: string,
): Promise<CheckResult> {
  const seq = await check(program, args, { ...options, visited: false });
  const par = await check(program, args, { ...options, jobs: 2 });
  assert.equal(par.verdict, seq.verdict, what);
  assert.equal(par.violation?.kind, seq.violation?.kind, what);
  // Every reduction: the sequential search's tree, in its order (sdpor and odpor: the
  // coordinator keeps the nodes above the cut, docs/parallel.md).
  assert.equal(par.stats.executions, seq.stats.executions, `${what}: executions`);
  assert.equal(par.stats.transitions, seq.stats.transitions, `${what}: transitions`);
  assert.equal(par.stats.states, seq.stats.states, `${what}: states`);
  assert.equal(par.stats.sleepBlocked, seq.stats.sleepBlocked, `${what}: sleep-blocked`);
  assert.equal(par.stats.wakeupInsertions, seq.stats.wakeupInsertions, `${what}: insertions`);
  assert.equal(stepsOf(par), stepsOf(seq), `${what}: counterexample`);
  assert.equal(par.parallel?.workers, 2, what);
  return par;
}

Deno.test("--jobs=2 on examples: the sequential verdict, counts and counterexample, every reduction", async () => {
  const cases: [string, string[]][] = [
    [await example("pingpong"), []],
    [await example("bank"), []],
    [await example("philosophers"), []],
    [await example("random_bug"), []],
  ];
  for (const [program, args] of cases) {
    for (const reduction of ["none", "sleep", "sdpor", "odpor"] as const) {
      await compare(program, args, { reduction, pinCpu: false }, `${program} ${reduction}`);
    }
  }
});

Deno.test("--jobs=2 with every restore: lastzero(5) and the bank's assertion", async () => {
  const lastzero = await example("dpor/lastzero");
  const bank = await example("bank");
  for (const restore of ["memory", "fork", "replay"] as const) {
    // lastzero(5): 64 executions with odpor, one per trace (examples/dpor/lastzero.c).
    const r = await compare(
      lastzero,
      ["5"],
      { reduction: "odpor", restore, pinCpu: false },
      restore,
    );
    assert.equal(r.stats.executions, 64);
    await compare(bank, [], { reduction: "none", restore, pinCpu: false }, `bank ${restore}`);
  }
});

Deno.test("--jobs=2 under sdpor and odpor: lastzero(3) and (5), the sequential counts exactly", async () => {
  // Each worker's races that reverse above its job's root are applied by the coordinator. Over
  // the wire an unbounded room (Infinity) became null, and lastzero(3) under odpor had 78
  // states and a sleep-blocked execution instead of the sequential 74 and none.
  const lastzero = await example("dpor/lastzero");
  const want = {
    "3": { sdpor: [12, 78, 1, 26], odpor: [12, 74, 0, 11] },
    "5": { sdpor: [64, 678, 33, 242], odpor: [64, 496, 0, 63] },
  };
  for (const [n, counts] of Object.entries(want)) {
    for (const reduction of ["sdpor", "odpor"] as const) {
      const r = await compare(lastzero, [n], { reduction, pinCpu: false }, `${n} ${reduction}`);
      const s = r.stats;
      assert.deepEqual(
        [s.executions, s.states, s.sleepBlocked, s.wakeupInsertions],
        counts[reduction],
        `lastzero(${n}) ${reduction}`,
      );
    }
  }
});

/** The workers of the coordinator `pid` (its children running `isomc worker`). */
function workersOf(pid: number): number[] {
  return processes().filter((p) => p.ppid === pid && p.argv.includes("worker")).map((p) => p.pid);
}

async function until<T>(get: () => T | null, limitMs: number, what: string): Promise<T> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    const v = get();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// lastzero(4) under --reduction=none, measured sequentially (--no-visited): every interleaving.
const lastzero4 = { executions: 44300, states: 166063, transitions: 166062 };

Deno.test("a worker killed mid-run: its job goes to the other, the counts stay exact", async () => {
  const lastzero = await example("dpor/lastzero");
  const run = startCli([
    "check",
    "--json",
    "--reduction=none",
    "--jobs=2",
    "--no-pin",
    "--",
    lastzero,
    "4",
  ]);
  const pid = run.child.pid;
  const workers = await until(
    () => {
      const w = workersOf(pid);
      return w.length === 2 ? w : null;
    },
    30_000,
    "two workers",
  );
  await new Promise((r) => setTimeout(r, 1500));
  Deno.kill(workers[0], "SIGKILL");
  const r = await run.result;
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.verdict, "ok");
  assert.equal(json.stats.executions, lastzero4.executions);
  assert.equal(json.stats.states, lastzero4.states);
  assert.equal(json.stats.transitions, lastzero4.transitions);
  assert.equal(json.parallel.workers, 2);
  assert.equal(json.parallel.steals, 1, "the killed worker's job was handed again");
  assert.ok(json.parallel.jobs > json.parallel.steals);
  assert.deepEqual(liveProcessesOf(lastzero), []);
});

Deno.test("a coordinator killed takes its workers and their programs with it", async () => {
  becomeSubreaper();
  const lastzero = await example("dpor/lastzero");
  const run = startCli(["check", "--reduction=none", "--jobs=2", "--", lastzero, "4"]);
  const pid = run.child.pid;
  await until(() => (workersOf(pid).length === 2 ? true : null), 30_000, "two workers");
  // Both workers have their program running.
  await until(() => (runningProgram(lastzero).length >= 2 ? true : null), 30_000, "programs");
  Deno.kill(pid, "SIGKILL");
  await run.result;
  await until(
    () => (liveProcessesOf(lastzero).length === 0 ? true : null),
    10_000,
    "no worker or program left",
  );
  const left = await reapStrays();
  assert.ok(left.every((s) => s.status !== "running"), JSON.stringify(left));
});

Deno.test("--coordinator and workers started by hand over TCP: the counts of --jobs", async () => {
  const lastzero = await example("dpor/lastzero");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const address = `127.0.0.1:${port}`;
  const coordinator = startCli([
    "check",
    "--json",
    "--reduction=sleep",
    `--coordinator=${address}`,
    "--expect-workers=2",
    "--",
    lastzero,
    "5",
  ]);
  // The workers retry until the coordinator listens.
  const worker = async (): Promise<number> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const w = await runCli(["worker", `--connect=${address}`, "--", lastzero, "5"]);
      if (!w.stderr.includes("cannot connect")) return w.code;
      await new Promise((r) => setTimeout(r, 100));
    }
    return -1;
  };
  const [c, w1, w2] = await Promise.all([coordinator.result, worker(), worker()]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual([w1, w2], [0, 0]);
  const json = JSON.parse(c.stdout);
  const seq = await check(lastzero, ["5"], { reduction: "sleep" });
  assert.equal(json.stats.executions, seq.stats.executions);
  assert.equal(json.stats.transitions, seq.stats.transitions);
  assert.equal(json.parallel.workers, 2);
});

Deno.test("parallel options: bad ones are one line and exit 2", async () => {
  const bank = await example("bank");
  const cases: [string[], RegExp][] = [
    [["check", "--jobs=0", "--", bank], /--jobs/],
    [["check", "--jobs=2", "--exact-compare", "--", bank], /--exact-compare .*keeps the hashes/],
    [["check", "--jobs=2", "--coordinator=localhost:7", "--", bank], /not both/],
    [["check", "--coordinator=nowhere", "--", bank], /HOST:PORT/],
    [["check", "--expect-workers=2", "--", bank], /--coordinator/],
    [["worker", "--", bank], /--connect/],
    [["worker", "--connect=127.0.0.1:1", "--", bank], /cannot connect/],
    [["check", "--jobs=2", "--", "/nonexistent/app"], /nonexistent/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
