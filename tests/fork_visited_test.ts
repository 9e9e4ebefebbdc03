/**
 * `--visited` under `--restore=fork` (issue 13, part 3): the running copy is keyed as memory
 * snapshots key states (lib/state/state_key.ts), so both searches see the same states: the
 * same `states`, `pruned`, `executions`, transitions and verdicts on every program that the
 * state tests check with --visited under memory. Copies of checkpoints carry no trace of the
 * checkpoints behind them (the runtime forks with the system call), states the search prunes
 * are never frozen, and nothing is left behind.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check, type CheckOptions, type CheckResult } from "../lib/check.ts";
import { ForkTarget } from "../lib/state/fork_target.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import {
  becomeSubreaper,
  eventually,
  liveProcessesOf,
  runCli,
  strayChildren,
} from "./support/cli.ts";

becomeSubreaper();

async function program(path: string, flags: readonly string[] = []): Promise<string> {
  return await buildProgram(join(repoRoot, path), flags);
}

interface Counts {
  verdict: string;
  kind: string | undefined;
  states: number;
  pruned: number;
  executions: number;
  transitions: number;
}

function counts(r: CheckResult): Counts {
  return {
    verdict: r.verdict,
    kind: r.violation?.kind,
    states: r.stats.states,
    pruned: r.stats.pruned,
    executions: r.stats.executions,
    transitions: r.stats.transitions,
  };
}

/** Checks `binary` with --visited under memory and under fork; returns both counts. */
async function both(
  binary: string,
  args: readonly string[] = [],
  options: CheckOptions = {},
): Promise<{ memory: Counts; fork: Counts }> {
  const common: CheckOptions = { reduction: "none", visited: true, ...options };
  const memory = counts(await check(binary, args, { ...common, restore: "memory" }));
  const fork = counts(await check(binary, args, { ...common, restore: "fork" }));
  return { memory, fork };
}

Deno.test("fork --visited: exactly the states of the theory, as memory counts them", async () => {
  // 3 actors x 3 stores: 4^3 states; 3 actors x 2 yields: 3^3.
  for (
    const [path, states] of [
      ["tests/programs/state/stores.c", 64],
      ["tests/programs/state/stores_malloc.c", 64],
      ["tests/programs/counts/three_yields.c", 27],
    ] as const
  ) {
    const { memory, fork } = await both(await program(path));
    assert.equal(fork.verdict, "ok", path);
    assert.equal(fork.states, states, path);
    assert.ok(fork.pruned > 0, path);
    assert.deepEqual(fork, memory, path);
  }
});

const programs: readonly [string, readonly string[]][] = [
  ["tests/programs/state/cyclic.c", []],
  ["tests/programs/counts/random_yield.c", []],
  ["tests/programs/counts/store_load.c", []],
  ["tests/programs/state/distinct_ends.c", []],
  ["tests/programs/state/end_by_state.c", []],
  ["tests/programs/state/fidelity.c", []],
  ["tests/programs/state/pipe_order.c", []],
  ["tests/programs/state/late_abort.c", []],
  ["tests/programs/state/shared_map.c", ["lost", "anon"]],
  ["tests/programs/state/shared_map.c", ["adds", "memfd"]],
  ["examples/philosophers.c", []],
  ["examples/pingpong.c", []],
  ["examples/bank.c", []],
  ["examples/leader_ring.c", []],
  ["examples/random_bug.c", []],
  ["examples/segfault.c", []],
];

for (const [path, args] of programs) {
  Deno.test(`fork --visited: ${path} ${args.join(" ")} counts as memory does`, async () => {
    const { memory, fork } = await both(await program(path), args);
    assert.ok(memory.states > 0);
    assert.deepEqual(fork, memory);
  });
}

Deno.test("fork --visited: stdio buffers, a pipe read by main's end, file offsets and late opens count as under memory", async () => {
  // Counted under memory (these figures) and under fork alike. fidelity.c prints through
  // stdio (its buffers are state: a checkpoint no longer flushes them); pipe_order.c's end
  // reads the pipe (a known end reused leaves it full, under both). fidelity.c was 73/40/6
  // before the runtime's own memory was made canonical (canon); with it, 70/43/3 under memory
  // and fork alike (what this test is about: the two agree).
  const expected: [string, readonly string[], Partial<Counts>][] = [
    ["tests/programs/state/fidelity.c", [], { states: 70, pruned: 43, executions: 3 }],
    ["tests/programs/state/pipe_order.c", [], { states: 12, pruned: 1, executions: 3 }],
  ];
  for (const [path, args, want] of expected) {
    const { memory, fork } = await both(await program(path), args);
    for (const r of [memory, fork]) {
      assert.deepEqual(
        { states: r.states, pruned: r.pruned, executions: r.executions },
        want,
        path,
      );
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "isomc-fork-visited-" });
  try {
    const { memory, fork } = await both(await program("tests/programs/state/file_offsets.c"), [
      dir,
    ]);
    assert.equal(fork.verdict, "ok");
    assert.deepEqual(fork, memory);
    // Files opened after the search branched get the numbers they get under memory.
    const late = await both(await program("tests/programs/state/open_late.c"), [dir]);
    assert.deepEqual(late.fork, late.memory);
    assert.deepEqual([late.fork.verdict, late.fork.states, late.fork.pruned], ["ok", 12, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fork --visited --every-end and --exact-compare: memory's counts, no collision", async () => {
  for (const path of ["tests/programs/state/pipe_order.c", "tests/programs/state/stores.c"]) {
    const binary = await program(path);
    const every = await both(binary, [], { everyEnd: true });
    assert.deepEqual(every.fork, every.memory, `${path} --every-end`);
    const exact = await check(binary, [], {
      reduction: "none",
      restore: "fork",
      visited: true,
      exactCompare: true,
    });
    const hashed = await both(binary);
    assert.deepEqual(counts(exact), hashed.fork, `${path} --exact-compare`);
    assert.equal(exact.stats.hashCollisions, 0);
  }
  // Every end is run: pipe_order's end empties the pipe, so its two final states are one.
  const every = await both(await program("tests/programs/state/pipe_order.c"), [], {
    everyEnd: true,
  });
  assert.deepEqual([every.fork.states, every.fork.pruned, every.fork.executions], [11, 2, 2]);
});

Deno.test("fork: two interleavings reaching the same state have equal keys, across copies", async () => {
  const path = await program("tests/programs/state/stores_malloc.c");
  const target = new ForkTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  target.keyEveryState = true;
  try {
    await target.start();
    await target.execute({ actor: 1, choice: 0 });
    await target.execute({ actor: 2, choice: 0 });
    await target.execute({ actor: 1, choice: 0 });
    const aba = target.stateHash();
    await target.restore([]);
    // Another copy of the first checkpoint, and more checkpoints behind this state.
    await target.execute({ actor: 2, choice: 0 });
    const b = target.stateHash();
    await target.execute({ actor: 1, choice: 0 });
    await target.execute({ actor: 1, choice: 0 });
    const baa = target.stateHash();
    assert.notEqual(aba, null);
    assert.equal(aba, baa);
    assert.notEqual(aba, b);
  } finally {
    await target.close();
  }
});

Deno.test("fork --visited: a state the search prunes is never frozen", async () => {
  const path = await program("tests/programs/counts/three_yields.c");
  const target = new ForkTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  target.keyEveryState = true;
  try {
    const r = await exploreDfs(target, { visited: true });
    assert.equal(r.stats.states, 27);
    assert.ok(r.stats.pruned > 0);
    // A fork freezes a new state (at most one per state explored) or makes a copy for a
    // restore: frozen pruned states would add one fork each.
    assert.ok(
      target.forks <= r.stats.states + target.counters.restores,
      JSON.stringify({ forks: target.forks, stats: r.stats, counters: target.counters }),
    );
  } finally {
    await target.close();
  }
});

Deno.test("fork --visited through the CLI: the counts, exit 0 or 1, and no process left behind", async () => {
  // Binaries of their own, so that no other test's processes match.
  const cyclic = await program("tests/programs/state/cyclic.c", ["-DISOMC_FORK_VISITED_TEST"]);
  const crash = await program("tests/programs/state/end_by_state.c", [
    "-DISOMC_FORK_VISITED_TEST",
  ]);
  const dir = await Deno.makeTempDir({ prefix: "isomc-fork-visited-" });
  try {
    for (const [binary, code, verdict] of [[cyclic, 0, "ok"], [crash, 1, "violation"]] as const) {
      const args = ["check", "--json", "--reduction=none", "--visited", "--", binary];
      const memory = await runCli(["check", "--json", "--restore=memory", ...args.slice(2)], {
        cwd: dir,
      });
      const fork = await runCli(["check", "--json", "--restore=fork", ...args.slice(2)], {
        cwd: dir,
      });
      assert.equal(fork.code, code, fork.stderr);
      const m = JSON.parse(memory.stdout);
      const f = JSON.parse(fork.stdout);
      assert.equal(f.verdict, verdict);
      for (const key of ["states", "pruned", "executions", "transitions"]) {
        assert.equal(f.stats[key], m.stats[key], key);
      }
      assert.ok(f.stats.pruned > 0);
      assert.ok(
        await eventually(() => liveProcessesOf(binary).length === 0, 5_000),
        JSON.stringify(liveProcessesOf(binary)),
      );
      assert.deepEqual(strayChildren(), [], "the checker left children behind");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fork --visited --dot: the state graph memory draws, byte for byte", async () => {
  const binary = await program("tests/programs/state/stores.c");
  const dir = await Deno.makeTempDir({ prefix: "isomc-fork-dot-" });
  try {
    for (const restore of ["memory", "fork"]) {
      const r = await runCli([
        "check",
        `--restore=${restore}`,
        "--reduction=none",
        "--visited",
        `--dot=${restore}.dot`,
        "--",
        binary,
      ], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
    }
    const fork = await Deno.readTextFile(join(dir, "fork.dot"));
    assert.equal(fork, await Deno.readTextFile(join(dir, "memory.dot")));
    // stores.c: 64 states, 144 steps (tests/dot_test.ts).
    assert.equal(fork.match(/->/g)?.length, 144);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fork without --visited keys no states: a repeating program runs to the runaway bound, no fallback", async () => {
  // Under memory the default search meets cyclic.c's repeating execution and starts over as
  // --reduction=none --visited (docs/independence.md); fork keys states only for --visited.
  const binary = await program("tests/programs/state/cyclic.c");
  const memory = await check(binary, [], { restore: "memory" });
  assert.equal(memory.verdict, "ok");
  assert.equal(memory.fallback, "stateful");
  const fork = await check(binary, [], { restore: "fork" });
  assert.equal(fork.verdict, "incomplete");
  assert.equal(fork.incomplete, "runaway");
  assert.equal(fork.fallback ?? null, null);
  assert.equal(fork.endless?.kind, "too-deep");
});
