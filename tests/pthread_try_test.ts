/**
 * The try transitions of pthread programs (docs/pthreads.md): sem_trywait, sem_timedwait and
 * sem_getvalue; pthread_tryjoin_np and pthread_timedjoin_np; main's return, which cuts the
 * threads still running unless --join-on-exit. Programs of tests/programs/pthread/, built with
 * `isomc cc` and checked through the real CLI, with exact counts derived in each test under
 * --reduction=none (every interleaving) and odpor (one execution per Mazurkiewicz trace), in
 * --memory=sync (synchronisation steps only, as tests/pthread_test.ts).
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

const programs = "tests/programs/pthread/";

interface Report {
  readonly verdict: string;
  readonly violation: { readonly kind: string; readonly message: string } | null;
  readonly stats: { readonly executions: number };
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-pthread-try-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `isomc check --json` of a program of tests/programs/pthread/ (built with `flags`). */
async function check(
  name: string,
  reduction: "none" | "sleep" | "sdpor" | "odpor",
  options: { readonly flags?: readonly string[]; readonly extra?: readonly string[] } = {},
): Promise<{ code: number; report: Report }> {
  const program = await buildProgram(`${programs}${name}.c`, options.flags ?? []);
  return await inTempDir(async (dir) => {
    const r = await runCli(
      [
        "check",
        "--json",
        `--reduction=${reduction}`,
        "--no-visited",
        "--memory=sync",
        ...(options.extra ?? []),
        "--",
        program,
      ],
      { cwd: dir },
    );
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  });
}

async function executions(
  name: string,
  reduction: "none" | "odpor",
  extra: readonly string[] = [],
): Promise<number> {
  const { code, report } = await check(name, reduction, { extra });
  assert.equal(code, 0, `${name} under ${reduction}: ${JSON.stringify(report.violation)}`);
  assert.equal(report.verdict, "ok");
  return report.stats.executions;
}

/** Each build of `name` with -DEXPECT=v, for each v, finds its assertion failing. */
async function eachOutcomeExplored(name: string, values: readonly string[]): Promise<void> {
  for (const expect of values) {
    for (const reduction of ["none", "odpor"] as const) {
      const { code, report } = await check(name, reduction, { flags: [`-DEXPECT=${expect}`] });
      assert.equal(code, 1, `${name} EXPECT=${expect} ${reduction}`);
      assert.match(report.violation?.message ?? "", /^assert\(r == EXPECT\) failed/);
    }
  }
}

Deno.test("sem_trywait against a post: it gets the semaphore or fails with EAGAIN, 3 interleavings, 2 traces", async () => {
  // main: W (the try), J (the join), G (getvalue, after every thread ended); the thread: P
  // (post), E (end). J comes after E, and G last: the orders of W, P, E with P before E are
  // W P E, P W E, P E W: 3 under none. W and P are dependent (one semaphore), W and E are not:
  // odpor has W before P (fails) and P before W (gets it), 2.
  assert.equal(await executions("sem_try", "none"), 3);
  assert.equal(await executions("sem_try", "odpor"), 2);
  await eachOutcomeExplored("sem_try", ["0", "-1"]);
});

Deno.test("sem_timedwait: got at once, timed out, or got once posted; 10 interleavings, 3 traces", async () => {
  // main: W (a try), and if it failed R (the choice: 0 times out, 1 waits) then A (the wait,
  // after P); then J, G. The thread: P, E. W after P (it gets it): P W E, P E W, 2. W before P:
  // with R=0, R P E in any order with P before E, 3; with R=1, R A and P E with R<A, P<E, P<A:
  // the 6 orders of two pairs less R A P E, 5. 2 + 3 + 5 = 10 under none; odpor: gets it at
  // once, times out, waits (R is local and A is ordered after P by the semaphore): 3.
  assert.equal(await executions("sem_timed", "none"), 10);
  assert.equal(await executions("sem_timed", "odpor"), 3);
  await eachOutcomeExplored("sem_timed", ["0", "-1"]);
});

Deno.test("sem_getvalue: two readers commute with each other, not with the post; 45 interleavings, 4 traces", async () => {
  // main: P (post), J1, J2; thread i: Gi (getvalue), Ei. J2 is last; J1 after P, G1, E1 (the 3
  // orders of P among G1 E1); G2 E2 fall anywhere among those 4 and J1: C(6, 2) = 15, so
  // 3 * 15 = 45 under none. odpor: each read before or after the post, the reads independent
  // of each other: 2 * 2 = 4.
  assert.equal(await executions("sem_readers", "none"), 45);
  assert.equal(await executions("sem_readers", "odpor"), 4);
});

Deno.test("pthread_tryjoin_np: a probe of the thread's end, 0 once it ended, EBUSY before; 2 and 2", async () => {
  // main: T (the try: a sem_trywait of the thread's "done" semaphore), and J (a join) if it
  // was busy; the thread: E (its end, the release of "done"). T E J and E T under none; T and E
  // are dependent (one semaphore), so odpor has both: 2.
  assert.equal(await executions("tryjoin", "none"), 2);
  assert.equal(await executions("tryjoin", "odpor"), 2);
  await eachOutcomeExplored("tryjoin", ["0", "16"]);
});

Deno.test("pthread_timedjoin_np: joined at once, timed out, or joined at the end; 5 and 3", async () => {
  // main: T (a try); if it failed, R (0 times out, then J, a join; 1 waits: A, after E). The
  // thread: E. E T (1); T R E J, T E R J (2); T R E A, T E R A (2): 5 under none. odpor: joined
  // at once, timed out, waited: 3.
  assert.equal(await executions("timedjoin", "none"), 5);
  assert.equal(await executions("timedjoin", "odpor"), 3);
  await eachOutcomeExplored("timedjoin", ["0", "110"]);
});

/** `check` of a program whose main's return cuts thread-1: the exit violation, as exit()'s. */
async function cutAtReturn(
  name: string,
  reduction: "none" | "sleep" | "sdpor" | "odpor",
  who = "main",
): Promise<number> {
  const { code, report } = await check(name, reduction);
  assert.equal(code, 1, `${name} ${reduction}`);
  assert.equal(report.violation?.kind, "exit");
  assert.equal(
    report.violation?.message,
    `actor ${who} called exit(0), leaving thread-1 unfinished`,
    `${name} ${reduction}`,
  );
  return report.stats.executions;
}

Deno.test("main's return is exit(0): a thread still running is cut, reported as exit's cut; --join-on-exit runs it", async () => {
  // main's only step is the probe of thread-1's end at its return; it comes first and finds
  // the thread running.
  assert.equal(await cutAtReturn("main_return_cut", "none"), 1);
  assert.equal(await cutAtReturn("main_return_cut", "odpor"), 1);
  for (const reduction of ["none", "odpor"] as const) {
    assert.equal(await executions("main_return_cut", reduction, ["--join-on-exit"]), 1);
  }
});

Deno.test("the probe at main's return is dependent with the thread's end: the cut order is found", async () => {
  // main: W (waits for thread-2's post P), J2 (joins thread-2, after its end E2), then G1, the
  // probe of thread-1's end E1 (thread-2 was joined by main: no probe). The first execution
  // runs E1 first (actor order) and ends well; odpor reverses the race of G1 with E1 and cuts
  // thread-1 in the second. The depth-first search of none takes the orders E1 P W E2 J2 G1,
  // E1 P E2 W J2 G1, P W E1 E2 J2 G1, then P W E2 J2 G1, the cut: 4. With --join-on-exit no
  // probe: P before W and E2, both before J2, E1 anywhere: 2 * 5 = 10 under none, 1 trace.
  assert.equal(await cutAtReturn("main_return_race", "none"), 4);
  assert.equal(await cutAtReturn("main_return_race", "odpor"), 2);
  assert.equal(await executions("main_return_race", "none", ["--join-on-exit"]), 10);
  assert.equal(await executions("main_return_race", "odpor", ["--join-on-exit"]), 1);
});

Deno.test("exit() probes the threads it did not join, as main's return does: the cut order is found", async () => {
  // exit_race.c is main_return_race.c with exit(0) for the return: the same steps (main W J2 G1,
  // G1 now exit()'s probe), the same counts, 4 under none and 2 under odpor. Before, exit() read
  // whether thread-1 had ended without a step, which no reduction reverses: odpor's one trace
  // ended well, ok.
  assert.equal(await cutAtReturn("exit_race", "none"), 4);
  assert.equal(await cutAtReturn("exit_race", "odpor"), 2);
  // exit_thread_race.c: main ends (pthread_exit) before the first point; thread-1 P E1,
  // thread-2 W (after P) then G1, its exit()'s probe of thread-1's end. The depth-first search
  // of none takes P E1 W G1 (the normal end), P W E1 G1 (the same), then P W G1, the cut: 3.
  // G1 and E1 race (one semaphore): odpor explores both orders, 2.
  assert.equal(await cutAtReturn("exit_thread_race", "none", "thread-2"), 3);
  assert.equal(await cutAtReturn("exit_thread_race", "odpor", "thread-2"), 2);
  for (const reduction of ["sleep", "sdpor"] as const) {
    await cutAtReturn("exit_race", reduction);
    await cutAtReturn("exit_thread_race", reduction, "thread-2");
  }
});

Deno.test("--svcomp runs the threads to their end at main's return, as --join-on-exit", async () => {
  // A quiet cut at the probe would end the only execution before the thread's end ever ran.
  for (const reduction of ["none", "odpor"] as const) {
    assert.equal(
      await executions("main_return_race", reduction, ["--svcomp"]),
      {
        none: 10,
        odpor: 1,
      }[reduction],
    );
  }
});

Deno.test("a trace found with --join-on-exit records it, and isomc replay runs the program so", async () => {
  // Without the record, the replay's main would take its probe at the end: an exit, not the
  // deadlock (the thread waiting for ever once main has returned).
  const program = await buildProgram(`${programs}after_return.c`);
  await inTempDir(async (dir) => {
    const trace = `${dir}/t.json`;
    const r = await runCli(
      ["check", "--json", "--join-on-exit", `--trace-out=${trace}`, "--", program],
      { cwd: dir },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Report).violation?.kind, "deadlock");
    const recorded = JSON.parse(await Deno.readTextFile(trace)) as Record<string, unknown>;
    assert.equal(recorded.join_on_exit, true);
    const replay = await runCli(["replay", trace, "--", program], { cwd: dir });
    assert.equal(replay.code, 1, replay.stderr);
    assert.match(replay.stderr, /replay reproduced the deadlock/);
  });
});
