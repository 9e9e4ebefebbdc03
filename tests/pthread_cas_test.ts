/**
 * A compare-exchange whose comparison fails where it is taken is a read (docs/independence.md,
 * "A compare-exchange that fails"), and a pthread thread's own TLS block and errno are no
 * shared memory (docs/pthreads.md, "Thread-local storage"): C files built with `isomc cc`,
 * checked through the real CLI, with the counts derived in each test (under `none`, the
 * interleavings of the threads' steps that the joins allow).
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const programs = "tests/programs/pthread/";
const inTempDir = tempDirs("isomc-cas-");

interface Report {
  readonly verdict: string;
  readonly violation: { readonly kind: string; readonly message: string } | null;
  readonly stats: {
    readonly executions: number;
    readonly transitions: number;
    readonly spin_blocked: number;
    readonly sleep_blocked: number;
  };
}

async function check(
  name: string,
  reduction: "none" | "odpor",
  extra: readonly string[] = [],
  build: readonly string[] = [],
): Promise<{ code: number; report: Report }> {
  const program = await buildProgram(`${programs}${name}.c`, build);
  return await inTempDir(async (dir) => {
    const r = await runCli(
      ["check", "--json", `--reduction=${reduction}`, "--no-visited", ...extra, "--", program],
      { cwd: dir },
    );
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  });
}

/** The stats of a program that must be ok. */
async function ok(
  name: string,
  reduction: "none" | "odpor",
  extra: readonly string[] = [],
  build: readonly string[] = [],
): Promise<Report["stats"]> {
  const { code, report } = await check(name, reduction, extra, build);
  assert.equal(code, 0, `${name} under ${reduction}: ${JSON.stringify(report.violation)}`);
  assert.equal(report.verdict, "ok");
  return report.stats;
}

Deno.test("a compare-exchange that fails in one order and swaps in the other: 2 traces", async () => {
  // Steps: each thread's CAS and end, main's two joins (a join after the thread's end) and its
  // final load: 10 interleavings. t2 before t1 fails, after it swaps: 2 traces, and the odpor
  // execution that moves t2's failing CAS before t1's swap gets a CAS that swaps (event.ts,
  // unsettled).
  assert.equal((await ok("cas_order", "none")).executions, 10);
  const odpor = await ok("cas_order", "odpor");
  assert.equal(odpor.executions, 2);
  assert.equal(odpor.sleep_blocked, 0);
});

Deno.test("compare-exchanges that fail are reads: one trace, and no data race with a plain read", async () => {
  // Three threads (two failing CASes on x, a plain read of x), each a step and an end, main's
  // three joins: 280 interleavings, all one trace. Before, a CAS was a write whatever its
  // outcome: the plain read raced with it (a data race reported), and under --races=ignore the
  // CASes were ordered both ways with the read.
  assert.equal((await ok("cas_fail", "none")).executions, 280);
  assert.equal((await ok("cas_fail", "odpor")).executions, 1);
  // t1 expecting 0 swaps: a write, which races with t2's plain read.
  for (const reduction of ["none", "odpor"] as const) {
    const { code, report } = await check("cas_fail", reduction, [], ["-DEXPECT=0"]);
    assert.equal(code, 1, reduction);
    assert.equal(report.violation?.kind, "data-race", reduction);
  }
});

Deno.test("a compare-exchange spinlock: ok, no data race, its failing tries cut as spin loops", async () => {
  // Under odpor, which thread takes the lock first (2), and whether the other tried (and failed,
  // a read) while it was held (2): 4 executions; the executions where the other tried again
  // with the lock still held are cut at the spin loop (its iteration repeats).
  const odpor = await ok("cas_spinlock", "odpor");
  assert.deepEqual([odpor.executions, odpor.spin_blocked], [4, 2]);
  const none = await ok("cas_spinlock", "none");
  assert.deepEqual([none.executions, none.spin_blocked], [112, 12]);
});

Deno.test("__thread counters and errno under --memory=all: no steps, no data race, as on the stack", async () => {
  // Each thread increments its own __thread counter and gets EBADF in its own errno. Before,
  // the TLS block (at one address for every actor) was shared memory: each access a step, and
  // the two threads' increments a data race. Now the only steps are the threads' ends and
  // main's joins (3 interleavings, 1 trace), exactly as with the counter on the stack.
  for (const build of [[], ["-DON_STACK"]]) {
    const none = await ok("tls_counter", "none", ["--memory=all"], build);
    assert.deepEqual([none.executions, none.transitions], [3, 11], build.join(" "));
    const odpor = await ok("tls_counter", "odpor", ["--memory=all"], build);
    assert.deepEqual([odpor.executions, odpor.transitions], [1, 4], build.join(" "));
  }
});
