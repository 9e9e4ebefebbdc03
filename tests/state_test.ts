/**
 * Stateful exploration on real programs: restores from memory snapshots and from forked
 * checkpoints give the same verdicts and counts as re-execution; equal states hash equal
 * (exact counts with --visited); programs with cycles become checkable; file offsets and
 * mappings survive restores; what cannot be restored is refused clearly.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check, type Restore } from "../lib/check.ts";
import { MemoryTarget } from "../lib/state/memory_target.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { InputError } from "../lib/errors.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { becomeSubreaper, reap, runCli, strayChildren } from "./support/cli.ts";

const strategies: readonly Restore[] = ["replay", "memory", "fork"];

async function program(path: string): Promise<string> {
  return await buildProgram(join(repoRoot, path));
}

Deno.test("3 actors x 3 stores to their own variable: exactly 4^3 = 64 states", async () => {
  const r = await check(await program("tests/programs/state/stores.c"), [], {
    reduction: "none",
    restore: "memory",
  });
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.states, 64);
  assert.equal(r.state?.tracker, "uffd-wp");
});

Deno.test("the same with malloc and free before each store: still exactly 64 states", async () => {
  const r = await check(await program("tests/programs/state/stores_malloc.c"), [], {
    reduction: "none",
    restore: "memory",
  });
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.states, 64);
});

Deno.test("--exact-compare confirms every pruning by comparing the states: the same counts", async () => {
  for (
    const [path, states] of [["stores.c", 64], ["stores_malloc.c", 64], ["cyclic.c", 0]] as const
  ) {
    const binary = await program(`tests/programs/state/${path}`);
    const hashed = await check(binary, [], { reduction: "none", restore: "memory" });
    const exact = await check(binary, [], {
      reduction: "none",
      restore: "memory",
      exactCompare: true,
    });
    assert.equal(exact.verdict, "ok", path);
    if (states > 0) assert.equal(exact.stats.states, states, path);
    assert.equal(exact.stats.states, hashed.stats.states, path);
    assert.equal(exact.stats.pruned, hashed.stats.pruned, path);
    assert.equal(exact.stats.hashCollisions, 0, path);
  }
  await assert.rejects(
    () =>
      check(join(repoRoot, "missing"), [], {
        reduction: "none",
        restore: "memory",
        visited: false,
        exactCompare: true,
      }),
    (e: unknown) => e instanceof InputError && /--exact-compare .* needs --visited/.test(e.message),
  );
});

Deno.test("3 actors x 2 yields with --visited: 3^3 = 27 states, every revisit pruned", async () => {
  const r = await check(await program("tests/programs/counts/three_yields.c"), [], {
    reduction: "none",
    restore: "memory",
  });
  assert.equal(r.stats.states, 27);
  // Every arrival at a state beyond the first is a revisit: 271 tree nodes in all.
  assert.ok(r.stats.pruned > 0);
});

Deno.test("two interleavings reaching the same state have equal state hashes", async () => {
  const path = await program("tests/programs/state/stores_malloc.c");
  const target = new MemoryTarget(resolveProgram(path, []), { timeoutMs: 10_000 });
  target.keyEveryState = true;
  try {
    await target.start();
    await target.execute({ actor: 1, choice: 0 });
    await target.execute({ actor: 2, choice: 0 });
    const ab = target.stateHash();
    await target.restore([]);
    await target.execute({ actor: 2, choice: 0 });
    const b = target.stateHash();
    await target.execute({ actor: 1, choice: 0 });
    const ba = target.stateHash();
    assert.notEqual(ab, null);
    assert.equal(ab, ba);
    assert.notEqual(ab, b);
  } finally {
    await target.close();
  }
});

for (
  const example of [
    "philosophers",
    "pingpong",
    "bank",
    "leader_ring",
    "random_bug",
    "segfault",
  ]
) {
  Deno.test(`examples/${example}.c: same verdict and executions under every restore`, async () => {
    const binary = await program(`examples/${example}.c`);
    const results = [];
    for (const restore of strategies) {
      const r = await check(binary, [], {
        reduction: "none",
        restore,
        visited: restore === "memory" ? false : undefined,
      });
      results.push({
        restore,
        verdict: r.verdict,
        kind: r.violation?.kind,
        executions: r.stats.executions,
      });
    }
    for (const r of results.slice(1)) {
      assert.deepEqual(
        { ...r, restore: "" },
        { ...results[0], restore: "" },
        `${r.restore} vs replay`,
      );
    }
  });
}

Deno.test("restore fidelity: realloc, malloc/free, 1 MiB mmap/munmap and stdio", async () => {
  const binary = await program("tests/programs/state/fidelity.c");
  for (const restore of strategies) {
    const r = await check(binary, [], {
      reduction: "none",
      restore,
      visited: restore === "memory" ? false : undefined,
    });
    assert.equal(r.verdict, "ok", `${restore}: ${r.violation?.message}`);
    assert.equal(r.stats.executions, 60, restore);
  }
});

Deno.test("restore fidelity: file offsets are put back by the agent", async () => {
  const binary = await program("tests/programs/state/file_offsets.c");
  const dir = await Deno.makeTempDir({ prefix: "isomc-fd-" });
  try {
    for (const restore of strategies) {
      const r = await check(binary, [dir], {
        reduction: "none",
        restore,
        visited: restore === "memory" ? false : undefined,
      });
      assert.equal(r.verdict, "ok", `${restore}: ${r.violation?.message}`);
      assert.equal(r.stats.executions, 20, restore);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a program that never ends is checked completely with --visited", async () => {
  const binary = await program("tests/programs/state/cyclic.c");
  const r = await check(binary, [], { reduction: "none", restore: "memory" });
  assert.equal(r.verdict, "ok");
  assert.ok(r.stats.pruned > 0);
  const again = await check(binary, [], { reduction: "none", restore: "memory" });
  assert.equal(again.stats.states, r.stats.states, "the state count is deterministic");
  const cut = await check(binary, [], { reduction: "none", restore: "replay", maxDepth: 6 });
  assert.equal(cut.verdict, "incomplete");
  assert.equal(cut.incomplete, "max-depth");
});

Deno.test("a descriptor that cannot be restored is refused with a clear error", async () => {
  const binary = await program("tests/programs/state/unrestorable_fds.c");
  const cases: [string, RegExp][] = [
    [
      "socket",
      /fd \d+ \(socket:\[\d+\]\), which --restore=memory cannot restore.*--restore=replay$/,
    ],
    ["half", /fd \d+ \(pipe:\[\d+\]\) without the pipe's other end.*--restore=replay$/],
    [
      "closed",
      /closed, replaced or changed pipe fd \d+ .*cannot be reopened; use --restore=replay$/,
    ],
  ];
  for (const [what, message] of cases) {
    await assert.rejects(
      () => check(binary, [what], { reduction: "none", restore: "memory", visited: false }),
      (e: unknown) => e instanceof InputError && message.test(e.message),
      what,
    );
    const r = await check(binary, [what], { reduction: "none", restore: "replay" });
    assert.equal(r.verdict, "ok", what);
  }
});

Deno.test("a file deleted by its path is refused by name, exit 2; fork and replay check it", async () => {
  const binary = await program("tests/programs/state/deleted_file.c");
  const dir = await Deno.makeTempDir({ prefix: "isomc-deleted-" });
  try {
    const cases: [string, RegExp][] = [
      [
        "closed",
        /^the program deleted \/.*\/deleted\.txt \(fd \d+\) after a state the search goes back to, where it was open: --restore=memory cannot reopen a deleted file; use --restore=fork or --restore=replay$/,
      ],
      [
        "open",
        /^the program holds fd \d+ on \/.*\/deleted\.txt, which it deleted by its path .*; use --restore=fork or --restore=replay$/,
      ],
    ];
    for (const [how, message] of cases) {
      await assert.rejects(
        () => check(binary, [dir, how], { reduction: "none", restore: "memory", visited: false }),
        (e: unknown) => e instanceof InputError && message.test(e.message),
        how,
      );
      for (const restore of ["fork", "replay"] as const) {
        const r = await check(binary, [dir, how], { reduction: "none", restore });
        assert.equal(r.verdict, "ok", `${how} ${restore}`);
        assert.equal(r.stats.executions, 6, `${how} ${restore}`);
      }
    }
    const cli = await runCli(["check", "--reduction=none", "--", binary, dir, "closed"]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /^isomc: the program deleted .*deleted\.txt .*--restore=replay\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pipes between actors: their content is put back under every restore", async () => {
  const buggy = await program("tests/programs/state/pipe_actors.c");
  const fine = await buildProgram(join(repoRoot, "tests/programs/state/pipe_actors.c"), [
    "-DNO_BUG",
  ]);
  for (const restore of strategies) {
    // Without its content put back, a pipe keeps bytes of earlier executions: "lost or
    // repeated bytes" would fail, or the counts would differ.
    const bug = await check(buggy, [], { reduction: "none", restore, visited: false });
    assert.equal(bug.violation?.message.startsWith("the reader got both bytes"), true, restore);
    assert.equal(bug.stats.executions, 5, restore);
    const ok = await check(fine, [], { reduction: "none", restore, visited: false });
    assert.equal(ok.verdict, "ok", restore);
    assert.equal(ok.stats.executions, 6, restore);
  }
  // Equal memory with another pipe content is another state: --visited must not prune it.
  const order = await program("tests/programs/state/pipe_order.c");
  for (const visited of [true, false]) {
    const r = await check(order, [], { reduction: "none", restore: "memory", visited });
    assert.equal(
      r.violation?.message.startsWith("b was written first"),
      true,
      `visited ${visited}`,
    );
  }
  for (const restore of ["replay", "fork"] as const) {
    const r = await check(order, [], { reduction: "none", restore });
    assert.equal(r.violation?.message.startsWith("b was written first"), true, restore);
  }
});

Deno.test("--visited is refused where it would be wrong", async () => {
  const binary = await program("tests/programs/counts/three_yields.c");
  await assert.rejects(() => check(binary, [], { restore: "replay", visited: true }), InputError);
  await assert.rejects(
    () => check(binary, [], { restore: "memory", reduction: "odpor", visited: true }),
    InputError,
  );
});

Deno.test("a crash in main after isomc_run, in a later execution, under every restore", async () => {
  const binary = await program("tests/programs/state/late_abort.c");
  for (const restore of strategies) {
    const r = await check(binary, [], { reduction: "none", restore, visited: false });
    assert.equal(r.verdict, "violation", restore);
    assert.equal(r.violation?.kind, "crash", restore);
    assert.match(r.violation?.message ?? "", /SIGABRT/, restore);
    assert.equal(r.stats.executions, 2, restore);
  }
});

Deno.test("the rest of main runs once per distinct final state, and every end is still seen", async () => {
  const yields = await program("tests/programs/counts/three_yields.c");
  const once = await check(yields, [], { reduction: "none", restore: "memory", visited: false });
  assert.equal(once.verdict, "ok");
  assert.equal(once.stats.executions, 90);
  // Every execution ends in the same state: main's end runs once.
  assert.equal(once.state?.endsRun, 1);
  assert.equal(once.state?.endsReused, 89);
  const every = await check(yields, [], {
    reduction: "none",
    restore: "memory",
    visited: false,
    everyEnd: true,
  });
  assert.equal(every.state?.endsRun, 90);
  assert.equal(every.state?.endsReused, 0);

  // readers(4): the readers load 0 or 42 and return; the loaded values die with them, so all
  // 16 executions end in one state (the runtime does not keep the loads' results).
  const readers = await check(await program("examples/dpor/readers.c"), ["4"], {
    restore: "memory",
  });
  assert.equal(readers.stats.executions, 16);
  assert.equal(readers.state?.endsRun, 1);
  assert.equal(readers.state?.endsReused, 15);

  const r = await check(await program("tests/programs/state/end_by_state.c"), [], {
    reduction: "none",
    restore: "memory",
    visited: false,
  });
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "crash");
  assert.match(r.violation?.message ?? "", /SIGABRT/);
  // x = 3, x = 2, then x = 1 (the crash); every other execution reused a known end.
  assert.equal(r.state?.endsRun, 3);
  assert.equal(r.state?.endsReused, r.stats.executions - 3);
  // The crash ended the program and freed its snapshots; the store says what it held at most.
  assert.equal(r.state?.storePages, 0);
  assert.ok(r.state!.storePeakPages > 0);
  assert.ok(r.stats.executions > 3);
  // 300 distinct final states: each looked up, none reused, each run.
  const distinct = await check(await program("tests/programs/state/distinct_ends.c"), [], {
    reduction: "none",
    restore: "memory",
  });
  assert.equal(distinct.stats.executions, 300);
  assert.deepEqual(
    [distinct.state?.endsRun, distinct.state?.endsReused, distinct.state?.endsLookedUp],
    [300, 0, 300],
  );

  const replayed = await check(await program("tests/programs/state/end_by_state.c"), [], {
    reduction: "none",
    restore: "replay",
  });
  assert.equal(replayed.stats.executions, r.stats.executions, "the same execution finds it");
});

Deno.test("snapshot spacing: fewer snapshots, the steps in between replayed, the same search", async () => {
  const stores = await program("tests/programs/state/stores.c");
  const runs = await Promise.all([1, 4].map(async (snapshotSpacing) =>
    await check(stores, [], {
      reduction: "none",
      restore: "memory",
      visited: false,
      snapshotSpacing,
    })
  ));
  const [every, spaced] = runs;
  // 9 stores of 3 actors in any order: 9! / (3! 3! 3!) executions.
  for (const r of runs) {
    assert.equal(r.verdict, "ok");
    assert.equal(r.stats.executions, 1680);
    assert.equal(r.stats.transitions, every.stats.transitions);
  }
  assert.equal(every.stats.replayedTransitions, 0);
  assert.ok(spaced.stats.replayedTransitions > 0);
  // Snapshots of points (a final state's lookup takes none: it brings the engine's view up to
  // date and hashes it, lib/state/live_memory.ts).
  const atPoints = (r: typeof every): number => r.state!.snapshots;
  assert.ok(atPoints(spaced) * 4 < atPoints(every), JSON.stringify([every.state, spaced.state]));
  // The same crash, in the same execution, whatever the spacing.
  const ends = await program("tests/programs/state/end_by_state.c");
  const found = await Promise.all(
    [1, 3, 8].map(async (snapshotSpacing) =>
      (await check(ends, [], {
        reduction: "none",
        restore: "memory",
        visited: false,
        snapshotSpacing,
      }))
        .stats.executions
    ),
  );
  assert.deepEqual(found, [found[0], found[0], found[0]]);
});

Deno.test("--max-checkpoints bounds the frozen processes of --restore=fork: the same search", async () => {
  const stores = await program("tests/programs/state/stores.c");
  const runs = await Promise.all(
    [64, 2, 1].map(async (maxCheckpoints) =>
      await check(stores, [], { reduction: "none", restore: "fork", maxCheckpoints })
    ),
  );
  const [wide, two, one] = runs;
  for (const r of runs) {
    assert.equal(r.verdict, "ok");
    assert.equal(r.stats.executions, 1680);
    assert.equal(r.stats.transitions, wide.stats.transitions);
  }
  // Fewer checkpoints: the states below the deepest one are reached by replaying more steps.
  assert.ok(two.stats.replayedTransitions > wide.stats.replayedTransitions);
  assert.ok(one.stats.replayedTransitions > two.stats.replayedTransitions);
});

Deno.test("a violation in main's end leaves no zombie behind, whenever the checker stops", async () => {
  // bank's assertion is in main after isomc_run: the forked copy that runs it finds it, and the
  // checker stops at once. The copy used to report it itself, so the checker could kill the
  // program before it reaped the copy, whose zombie went to the nearest subreaper (this test
  // process): a few times in a hundred. The program now passes the copy's frames on once it has
  // reaped it.
  becomeSubreaper();
  const binary = await program("examples/bank.c");
  // What earlier tests of this process left is theirs, not this test's.
  const before = new Set(strayChildren().map((p) => p.pid));
  const left: string[] = [];
  for (let i = 0; i < 60; i++) {
    const r = await check(binary, [], { reduction: "odpor", restore: "memory" });
    assert.equal(r.violation?.kind, "assertion");
    for (const p of strayChildren()) {
      if (before.has(p.pid)) continue;
      left.push(`${p.pid} ${p.comm} ${p.state}`);
      reap(p.pid);
    }
  }
  assert.deepEqual(left, [], "zombies of the program's copies were left to this process");
});
