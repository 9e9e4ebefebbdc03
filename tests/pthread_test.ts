/**
 * Unmodified pthread programs (issue 11, part 1; docs/pthreads.md): C files that never call the
 * isomc API, built with `isomc cc` and checked through the real CLI. main and each thread are
 * actors; mutexes, condition variables, semaphores, barriers, joins and yields are visible
 * transitions. Counts are exact where theory fixes them (derivations in each case), under
 * --reduction=none (every interleaving; --no-visited so that none is pruned) and odpor (one
 * execution per Mazurkiewicz trace).
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

const programs = "tests/programs/pthread/";

interface Report {
  readonly verdict: string;
  readonly violation: {
    readonly kind: string;
    readonly message: string;
    readonly blocked?: readonly { readonly actor_name: string; readonly transition: string }[];
  } | null;
  readonly stats: { readonly executions: number; readonly max_depth: number };
  readonly trace_file: string | null;
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-pthread-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `isomc check --json` of a program of tests/programs/pthread/, with its exit code. */
async function check(
  name: string,
  reduction: "none" | "odpor",
  dir: string,
  extra: readonly string[] = [],
): Promise<{ code: number; report: Report; program: string }> {
  const program = await buildProgram(`${programs}${name}.c`);
  const r = await runCli(
    // Part 1's model, which the counts below are derived in: synchronisation steps only
    // (tests/pthread_memory_test.ts has the counts with every shared access a step).
    [
      "check",
      "--json",
      `--reduction=${reduction}`,
      "--no-visited",
      "--memory=sync",
      ...extra,
      "--",
      program,
    ],
    { cwd: dir },
  );
  return { code: r.code, report: JSON.parse(r.stdout) as Report, program };
}

async function executions(
  name: string,
  reduction: "none" | "odpor",
  extra: readonly string[] = [],
): Promise<number> {
  return await inTempDir(async (dir) => {
    const { code, report } = await check(name, reduction, dir, extra);
    assert.equal(code, 0, `${name} under ${reduction}: ${JSON.stringify(report.violation)}`);
    assert.equal(report.verdict, "ok");
    return report.stats.executions;
  });
}

Deno.test("two threads increment a counter under a mutex: ok, 15 interleavings, 2 traces", async () => {
  // Steps: each thread L U E (lock, unlock, end: the release its join acquires), main J1 J2
  // (J1 after E1, J2 after E2 and J1). The critical sections cannot overlap: with t1's first,
  // L1 U1 come first and E1 interleaves with L2 U2 E2, then the joins fit in; counting every
  // such sequence (a memoised walk over the five program counters) gives 15 in all. Under
  // odpor the only races are on the mutex: 2 traces, one per lock order.
  assert.equal(await executions("mutex_counter", "none"), 15);
  assert.equal(await executions("mutex_counter", "odpor"), 2);
});

Deno.test("the counter's counts are the same whichever way states are restored", async () => {
  for (const restore of ["--restore=fork", "--restore=replay"]) {
    assert.equal(await executions("mutex_counter", "none", [restore]), 15);
    assert.equal(await executions("mutex_counter", "odpor", [restore]), 2);
  }
});

Deno.test("errno is per thread: a yield between setting and reading it keeps each thread's own", async () => {
  // main: yield, J1, J2; each thread: yield, end. Interleavings with J_i after E_i: 45 (the
  // same walk). Every step is independent of the others but each join of its end: 1 trace.
  // With one errno shared by the actors, the interleavings that run the other thread between
  // a thread's errno = v and its check would fail its assert.
  assert.equal(await executions("errno_per_thread", "none"), 45);
  assert.equal(await executions("errno_per_thread", "odpor"), 1);
});

Deno.test("a barrier of three: ok, one trace per order of the arrivals (3! = 6)", async () => {
  assert.equal(await executions("barrier", "odpor"), 6);
  await executions("barrier", "none");
});

Deno.test("a producer and a consumer through semaphores: ok, one trace (every step is ordered)", async () => {
  // Each sem_wait is enabled by the sem_post before it, alternating between the two
  // threads: the only freedom left is where the joins and the ends fall, all independent.
  assert.equal(await executions("semaphore_pc", "odpor"), 1);
  await executions("semaphore_pc", "none");
});

Deno.test("a condition variable with a predicate loop: ok", async () => {
  await executions("cond_predicate", "odpor");
  await executions("cond_predicate", "none");
});

Deno.test("self, equal, once, exit, detach, recursive and errorcheck mutexes, trylock, usleep: ok", async () => {
  await executions("threads_api", "odpor");
});

Deno.test("a deadlock by lock order is found, each thread waiting for the other's mutex, and replays", async () => {
  await inTempDir(async (dir) => {
    for (const reduction of ["none", "odpor"] as const) {
      const { code, report, program } = await check("lock_order", reduction, dir);
      assert.equal(code, 1);
      assert.equal(report.violation?.kind, "deadlock");
      const blocked = (report.violation?.blocked ?? []).map((b) =>
        `${b.actor_name}: ${b.transition}`
      );
      assert.deepEqual(blocked.slice(1), [
        "thread-1: mutex_lock(mutex b[0])",
        "thread-2: mutex_lock(mutex a[0])",
      ]);
      assert.match(blocked[0], /^main: sem_acquire/);
      const replay = await runCli(["replay", "--quiet", report.trace_file!, "--", program], {
        cwd: dir,
      });
      assert.equal(replay.code, 1, replay.stderr);
      assert.match(replay.stderr, /replay reproduced the deadlock/);
    }
  });
});

Deno.test("a condition signal sent before the wait is lost: the deadlock is found", async () => {
  await inTempDir(async (dir) => {
    for (const reduction of ["none", "odpor"] as const) {
      const { code, report } = await check("missed_signal", reduction, dir);
      assert.equal(code, 1);
      assert.equal(report.violation?.kind, "deadlock");
      assert.ok(
        report.violation?.blocked?.some((b) =>
          b.actor_name === "thread-1" && b.transition === "cond_wait returns(cond c[0], mutex m[0])"
        ),
        JSON.stringify(report.violation),
      );
    }
  });
});

Deno.test("a pthread function isomc does not model: isomc cc names it in one line, exit 2, no binary", async () => {
  await inTempDir(async (dir) => {
    const source = `${Deno.cwd()}/${programs}unsupported.c`;
    const r = await runCli(["cc", "-o", "app", source], { cwd: dir });
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^isomc: cc: app uses pthread_rwlock_rdlock \(and pthread_rwlock_unlock\), which isomc does not support yet/,
    );
    await assert.rejects(Deno.stat(`${dir}/app`), Deno.errors.NotFound);
  });
});

Deno.test("exit(0) after joining every thread is the normal end; exit while a thread runs cuts it", async () => {
  assert.equal(await executions("exit_after_join", "odpor"), 1);
  await inTempDir(async (dir) => {
    for (const reduction of ["none", "odpor"] as const) {
      const { code, report } = await check("exit_cut", reduction, dir);
      assert.equal(code, 1);
      assert.equal(report.violation?.kind, "exit");
      assert.equal(
        report.violation?.message,
        "actor main called exit(0), leaving thread-1 unfinished",
      );
    }
  });
});

Deno.test("an exit handler locking the threads' mutex runs after they ended, without waiting forever", async () => {
  // Before: the C library's lock read the runtime's record in the mutex as held (a timeout).
  assert.equal(await executions("atexit_lock", "odpor"), 2);
});
