/**
 * Data races among the plain accesses of pthread programs under --memory=sync (docs/pthreads.md,
 * "Data races"): they are no steps, but the runtime reports them in the window of the step they
 * ran after (native/src/runtime/window.zig) and the race watch feeds them to the detector. C files
 * of tests/programs/pthread/ built with `isomc cc` and checked through the real CLI, under every
 * reduction; exact counts where theory gives them (derived in each test), and the counts of
 * --races=ignore, which sees no window, where it does not. The same on the in-memory fake:
 * tests/sync_races_fake_test.ts.
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const programs = "tests/programs/pthread/";
const reductions = ["none", "sleep", "sdpor", "odpor"] as const;
type Reduction = typeof reductions[number];

interface Report {
  readonly verdict: string;
  readonly violation:
    | { readonly kind: string; readonly message: string; readonly actor: string }
    | null;
  readonly stats: { readonly executions: number; readonly max_depth: number };
  readonly trace_file: string | null;
}

const inTempDir = tempDirs("isomc-sync-races-");

interface Checked {
  readonly code: number;
  readonly report: Report;
  readonly program: string;
  readonly replay: () => Promise<string>;
}

/** `isomc check --json --no-visited --memory=sync` (unless `extra` says otherwise). */
async function check(
  name: string,
  reduction: Reduction,
  extra: readonly string[] = [],
  flags: readonly string[] = [],
): Promise<Checked> {
  const program = await buildProgram(`${programs}${name}.c`, flags);
  const memory = extra.some((a) => a.startsWith("--memory=")) ? [] : ["--memory=sync"];
  return await inTempDir(async (dir) => {
    const r = await runCli(
      [
        "check",
        "--json",
        `--reduction=${reduction}`,
        "--no-visited",
        ...memory,
        ...extra,
        "--",
        program,
      ],
      { cwd: dir },
    );
    const report = JSON.parse(r.stdout) as Report;
    // The replay is run while the trace file is there: read its stderr now, if asked.
    let replayed = "";
    if (report.trace_file !== null) {
      const replay = await runCli(["replay", "--quiet", report.trace_file, "--", program], {
        cwd: dir,
      });
      replayed = replay.stderr;
    }
    return { code: r.code, report, program, replay: () => Promise.resolve(replayed) };
  });
}

/** The race's message, checked as a data-race violation. */
function race(c: Checked, what: string): string {
  assert.equal(c.code, 1, `${what}: ${JSON.stringify(c.report.violation)}`);
  assert.equal(c.report.violation?.kind, "data-race", what);
  return c.report.violation!.message;
}

async function okCount(
  name: string,
  reduction: Reduction,
  extra: readonly string[] = [],
  flags: readonly string[] = [],
): Promise<number> {
  const { code, report } = await check(name, reduction, extra, flags);
  assert.equal(code, 0, `${name} ${reduction}: ${JSON.stringify(report.violation)}`);
  assert.equal(report.verdict, "ok");
  return report.stats.executions;
}

/** A race message's location, then each access's actor and source line, without step numbers. */
function sides(message: string): string[] {
  const m = message.match(
    /^data race on (\S+): (\S+)'s (?:read|write) at (\S+) \(.*?\) and (\S+)'s (?:read|write) at (\S+) \(.*?\) are not ordered by happens-before$/,
  );
  assert.ok(m !== null, message);
  return m.slice(1);
}

Deno.test("x++ in two threads under --memory=sync: the race --memory=all finds, both lines named", async () => {
  // Both threads run their x++ before their first step (their end), in the start's window: the
  // race is there in every execution, found in the first. The runtime merges each thread's
  // read into its write (the same bytes, one window).
  for (const reduction of reductions) {
    const sync = await check("plain_increment", reduction);
    assert.equal(
      race(sync, reduction),
      "data race on x: thread-1's write at plain_increment.c:15 (before step 1) and thread-2's write at plain_increment.c:15 (before step 1) are not ordered by happens-before",
    );
    assert.equal(sync.report.stats.executions, 1, reduction);
    assert.match(await sync.replay(), /replay reproduced the data-race: data race on x/, reduction);
    const all = await check("plain_increment", reduction, ["--memory=all"]);
    assert.deepEqual(sides(race(all, reduction)), sides(race(sync, reduction)), reduction);
  }
  // --races=ignore: the counts of before (the steps are the ends and the joins: 3 interleavings,
  // one trace; tests/pthread_memory_test.ts).
  assert.equal(await okCount("plain_increment", "none", ["--races=ignore"]), 3);
  assert.equal(await okCount("plain_increment", "odpor", ["--races=ignore"]), 1);
});

Deno.test("accesses ordered by a mutex, a semaphore, a join or an atomic flag: no race, counts unchanged", async () => {
  // mutex_counter: each thread L U E, main J1 J2: 15 interleavings, 2 traces
  // (tests/pthread_test.ts). race_sem: the thread P E, main W (after P) J (after E and W): P W E J
  // and P E W J, 1 trace. race_join: E J, 1 and 1. sync_flag: main L (the flag's load) J, the
  // thread S (its store) E, J last: L S E J, S L E J, S E L J; L and S conflict: 2 traces.
  const cases: [string, number, number][] = [
    ["mutex_counter", 15, 2],
    ["race_sem", 2, 1],
    ["race_join", 1, 1],
    ["sync_flag", 3, 2],
  ];
  for (const [name, none, odpor] of cases) {
    assert.equal(await okCount(name, "none"), none, name);
    assert.equal(await okCount(name, "odpor"), odpor, name);
    for (const reduction of reductions) {
      assert.equal(
        await okCount(name, reduction),
        await okCount(name, reduction, ["--races=ignore"]),
        `${name} ${reduction}`,
      );
    }
  }
  // The flag as a plain int orders nothing: main's read of it races with the thread's write.
  for (const reduction of ["none", "odpor"] as const) {
    const plain = await check("sync_flag", reduction, [], ["-DPLAIN_FLAG"]);
    assert.match(
      race(plain, reduction),
      /^data race on flag: main's read at sync_flag\.c:33 \(before step 1\) and thread-1's write at sync_flag\.c:26 \(before step 1\)/,
    );
  }
});

Deno.test("a race across a step boundary: the two accesses in the windows of two steps", async () => {
  // main's yield Y0 comes first (actor order), its read of x after it; then the thread's yield
  // Y1 and its write: found in the first execution, at step 2.
  for (const reduction of reductions) {
    const c = await check("sync_boundary", reduction);
    assert.equal(
      race(c, reduction),
      "data race on x: main's read at sync_boundary.c:23 (after step 1) and thread-1's write at sync_boundary.c:15 (after step 2) are not ordered by happens-before",
    );
    assert.equal(c.report.stats.executions, 1, reduction);
    assert.match(await c.replay(), /replay reproduced the data-race/, reduction);
  }
});

Deno.test("a race one lock order shows: found once the search reverses the lock order", async () => {
  // thread-1: L1 U1 E1 (its write after L1), thread-2: L2 U2 E2 (its read after U2), main J1 J2.
  // Every execution with L1 first orders the write before the read; the depth-first search of
  // none takes all of them first: 10 (counted over the program counters, as mutex_counter's 15
  // = 10 + 5), then L2 U2 L1, where the write races with the read: 11. odpor: the two lock
  // orders, 2.
  const counts: Partial<Record<Reduction, number>> = { none: 11, odpor: 2 };
  for (const reduction of reductions) {
    const c = await check("sync_late", reduction);
    assert.equal(
      race(c, reduction),
      "data race on x: thread-2's read at sync_late.c:24 (after step 2) and thread-1's write at sync_late.c:16 (after step 3) are not ordered by happens-before",
    );
    if (counts[reduction] !== undefined) {
      assert.equal(c.report.stats.executions, counts[reduction], reduction);
    }
    assert.match(await c.replay(), /replay reproduced the data-race/, reduction);
  }
  for (const restore of ["--restore=fork", "--restore=replay"]) {
    const c = await check("sync_late", "odpor", [restore]);
    assert.equal(c.report.stats.executions, 2, restore);
    race(c, restore);
  }
});

Deno.test("an access repeated in a loop is one event: the race is found, and under a lock no step is added", async () => {
  for (const reduction of reductions) {
    const c = await check("sync_loop", reduction);
    assert.match(
      race(c, reduction),
      /^data race on counter: thread-1's write at sync_loop\.c:23 \(before step 1\) and thread-2's write at sync_loop\.c:23 \(before step 1\)/,
    );
  }
  // One critical section around the loop: mutex_counter's counts, 15 and 2.
  assert.equal(await okCount("sync_loop", "none", [], ["-DLOCKED"]), 15);
  assert.equal(await okCount("sync_loop", "odpor", [], ["-DLOCKED"]), 2);
});

Deno.test("a window holds 1024 events: the access that does not fit is a step", async () => {
  // The thread's N writes are its whole run between its yield Y and its end E; main J. N = 1
  // and N = 1024: the steps are Y E J (depth 3). N = 1025: the 1025th write is a step (depth
  // 4); N = 3000: the 1025th and the 2050th (each window after a forced step holds the next
  // 1024 writes): 5.
  const depths: [number, number][] = [[1, 3], [1024, 3], [1025, 4], [3000, 5]];
  for (const [n, depth] of depths) {
    const { code, report } = await check("sync_array", "none", [], [`-DN=${n}`]);
    assert.equal(code, 0, `N=${n}: ${JSON.stringify(report.violation)}`);
    assert.equal(report.stats.executions, 1, `N=${n}`);
    assert.equal(report.stats.max_depth, depth, `N=${n}`);
  }
});

Deno.test("a pthread_create that does not fit in a full window yields first", async () => {
  // After a first thread's end and join (steps 1 and 2: before any thread exists main's
  // accesses are not logged), main's 1024 writes fill the join's window; its pthread_create
  // then takes a yield (step 3), and the creation and main's write of x after it go in that
  // step's window, with the thread's write.
  for (const reduction of ["none", "odpor"] as const) {
    const c = await check("sync_full_create", reduction);
    assert.equal(
      race(c, reduction),
      "data race on x: main's write at sync_full_create.c:29 (after step 3) and thread-2's write at sync_full_create.c:16 (after step 3) are not ordered by happens-before",
    );
    assert.equal(c.report.stats.executions, 1, reduction);
  }
});

Deno.test("--jobs=2 finds the same races, and runs its workers' programs under --memory=sync", async () => {
  for (const reduction of ["none", "odpor"] as const) {
    const late = await check("sync_late", reduction, ["--jobs=2"]);
    assert.match(race(late, reduction), /^data race on x: thread-2's read at sync_late\.c:24/);
    race(await check("plain_increment", reduction, ["--jobs=2"]), reduction);
  }
  // Before, a worker's program ran under the default --memory=all: 28 interleavings.
  assert.equal(await okCount("mutex_counter", "none", ["--jobs=2"]), 15);
  assert.equal(await okCount("mutex_counter", "odpor", ["--jobs=2"]), 2);
});
