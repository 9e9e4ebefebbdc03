/**
 * `isomc check --preload` (issue 11, item 8; docs/pthreads.md, "Binaries built elsewhere"):
 * plain pthread programs of tests/programs/preload/, compiled by the system's C compiler
 * (tests/support/foreign_cc.ts: no isomc header, no isomc link), checked with the runtime
 * preloaded. Their counts are those of the same file built by `isomc cc` and checked with
 * --memory=sync (the same model: synchronisation steps only), under every reduction and
 * restore; odpor's are exact by theory. The user-facing behaviour goes through the real CLI:
 * the deadlock and its replay, the report's note, the one-line refusals, the unsupported
 * function, and no process left when the checker is killed.
 */

import assert from "node:assert/strict";
import { check, type CheckOptions, type Reduction, type Restore } from "../lib/check.ts";
import { interceptedFunctions, preloadProblem } from "../lib/build/preload_check.ts";
import { symbolNames, unsupportedPthreadFunctions } from "../lib/build/pthread_check.ts";
import { preloadLibrary } from "../lib/native/library.ts";
import { preloadNote } from "../lib/report/notes.ts";
import { parseElf } from "../lib/report/elf.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { foreignBuild } from "./support/foreign_cc.ts";
import {
  assertNothingLeft,
  assertOneLine,
  becomeSubreaper,
  eventually,
  liveProcessesOf,
  reapStrays,
  runCli,
  runningProgram,
  startCli,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const programs = `${repoRoot}tests/programs/preload/`;

becomeSubreaper();

function foreign(name: string, flags: readonly string[] = []): string {
  return foreignBuild(`${programs}${name}.c`, flags);
}

const inTempDir = tempDirs("isomc-preload-");

interface Counted {
  readonly verdict: string;
  readonly kind: string | null;
  readonly executions: number;
}

async function counted(
  program: string,
  args: readonly string[],
  options: CheckOptions,
): Promise<Counted> {
  const r = await check(program, args, { timeoutMs: 30_000, ...options });
  return {
    verdict: r.verdict,
    kind: r.violation?.kind ?? null,
    executions: r.stats.executions,
  };
}

const reductions: readonly Reduction[] = ["none", "sleep", "sdpor", "odpor"];
const restores: readonly Restore[] = ["replay", "fork", "memory"];

/**
 * The foreign build under --preload and the `isomc cc` build under --memory=sync give the same
 * verdict and count under every reduction (none without visited states, so none is pruned),
 * and the foreign build the same under every restore. Returns the counts by reduction.
 */
async function sameAsIsomcCc(
  name: string,
  args: readonly string[] = [],
  /** The restores under which the unreduced search is compared (all: it may be long). */
  noneRestores: readonly Restore[] = restores,
): Promise<Record<string, Counted>> {
  const elsewhere = foreign(name);
  const linked = await buildProgram(`${programs}${name}.c`);
  const out: Record<string, Counted> = {};
  for (const reduction of reductions) {
    const expected = await counted(linked, args, { reduction, memory: "sync", visited: false });
    for (const restore of reduction === "none" ? noneRestores : restores) {
      const got = await counted(elsewhere, args, {
        reduction,
        restore,
        preload: true,
        visited: false,
      });
      assert.deepEqual(got, expected, `${name} ${args.join(" ")} ${reduction} ${restore}`);
    }
    out[reduction] = expected;
  }
  return out;
}

// ---- Counts: the same as isomc cc's, exact under odpor ------------------------------------

Deno.test("a counter under a mutex, 2 and 3 threads: isomc cc's counts; odpor N! (the orders of the critical sections)", async () => {
  const two = await sameAsIsomcCc("counter", ["2"]);
  const three = await sameAsIsomcCc("counter", ["3"]);
  for (const c of [...Object.values(two), ...Object.values(three)]) assert.equal(c.verdict, "ok");
  // Each thread's critical section is a lock and an unlock of the one mutex: the traces are
  // the orders of the sections, 2! and 3!.
  assert.equal(two.odpor.executions, 2);
  assert.equal(three.odpor.executions, 6);
  // Two iterations each in two threads: 4!/(2!·2!) = 6 orders.
  const elsewhere = foreign("counter");
  const twice = await counted(elsewhere, ["2", "2"], { reduction: "odpor", preload: true });
  assert.deepEqual(twice, { verdict: "ok", kind: null, executions: 6 });
});

Deno.test("semaphores, a condition variable and join (handoff.c): ok, with isomc cc's counts", async () => {
  // 1,730 interleavings unreduced: compared once, by the default restore.
  const c = await sameAsIsomcCc("handoff", [], ["memory"]);
  for (const r of Object.values(c)) assert.equal(r.verdict, "ok");
  assert.ok(c.none.executions > c.odpor.executions, JSON.stringify(c));
});

Deno.test("a missed condition signal (missed_signal.c): a deadlock, with isomc cc's counts", async () => {
  const c = await sameAsIsomcCc("missed_signal");
  for (const r of Object.values(c)) {
    assert.deepEqual([r.verdict, r.kind], ["violation", "deadlock"]);
  }
});

/**
 * The plain pthread programs of tests/programs/pthread/ whose model is synchronisation only
 * (tests/pthread_test.ts derives their counts under --memory=sync): barriers, rwlocks, timed
 * waits, keys, TLS and errno per thread, exit() cutting threads, atexit handlers.
 */
const pthreadPrograms = [
  "atexit_lock",
  "barrier",
  "cond_predicate",
  "condtimed",
  "errno_per_thread",
  "exit_after_join",
  "exit_cut",
  "keys",
  "mutex_counter",
  "rwlock",
  "semaphore_pc",
  "spin_counter",
  "threads_api",
  "timedlock",
  "tls_per_thread",
];

Deno.test("tests/programs/pthread/, built by the system's compiler: isomc cc's verdicts and counts under odpor", async () => {
  for (const name of pthreadPrograms) {
    const source = `${repoRoot}tests/programs/pthread/${name}.c`;
    // Without looking for races: the plain accesses isomc cc's build shows under sync are not
    // seen with --preload (rwlock.c's readers race on a counter: tests/pthread_test.ts).
    const expected = await counted(await buildProgram(source), [], {
      memory: "sync",
      races: "ignore",
    });
    const got = await counted(foreignBuild(source), [], { preload: true });
    assert.deepEqual(got, expected, name);
  }
});

// ---- Through the CLI ---------------------------------------------------------------------

Deno.test("a deadlock by lock order: found through the CLI, the note said once, its trace replayed", async () => {
  const program = foreign("lock_order");
  await inTempDir(async (dir) => {
    const text = await runCli(["check", "--preload", "--", program], { cwd: dir });
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^isomc: violation found: deadlock/);
    assert.match(text.stdout, /main waits at mutex_lock\(mutex b\[0\]\) \(lock_order\.c:23\)/);
    assert.match(text.stdout, /thread-1 waits at mutex_lock\(mutex a\[0\]\) \(lock_order\.c:13\)/);
    assert.equal(text.stdout.split(preloadNote).length - 1, 1, "the note, once");
    // The debug hints preload the runtime into the program alone, not into gdb or valgrind.
    assert.match(text.stdout, /gdb -ex 'set exec-wrapper env LD_PRELOAD=\S+libisomc_preload\.so'/);
    assertNothingLeft(program);

    const json = await runCli(
      ["check", "--preload", "--json", "--trace-out=t.json", "--", program],
      {
        cwd: dir,
      },
    );
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.violation.kind, "deadlock");
    assert.deepEqual(report.preload, {
      library: preloadLibrary(),
      seen: "synchronisation",
      note: preloadNote,
    });
    assert.equal(json.stdout.split(preloadNote).length - 1, 1, "the note, once");
    const trace = JSON.parse(await Deno.readTextFile(`${dir}/t.json`));
    assert.equal(trace.preload, true);
    assert.equal(trace.memory, "sync");
    assert.equal(trace.steps.length, 2);

    const replayed = await runCli(["replay", "--quiet", "t.json", "--", program], { cwd: dir });
    assert.equal(replayed.code, 1, replayed.stderr);
    assert.match(replayed.stderr, /isomc: replay reproduced the deadlock/);
    assertNothingLeft(program);

    const shown = await runCli(["show", "t.json"], { cwd: dir });
    assert.match(shown.stdout, /set exec-wrapper env LD_PRELOAD=/);
  });
});

Deno.test("C++ (std::thread, std::mutex) built by clang++ or g++: the same deadlock, under odpor and none", async () => {
  const program = foreignBuild(`${programs}lock_order_cxx.cc`);
  for (const reduction of ["odpor", "none"] as const) {
    const r = await check(program, [], { reduction, preload: true, visited: false });
    assert.equal(r.violation?.kind, "deadlock", reduction);
    assert.equal(r.violation?.trace.length, 2, reduction);
  }
});

Deno.test("a process the program starts (system()) runs without the runtime: ok, 2 executions", async () => {
  const program = foreign("child_process");
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--preload", "--json", "--", program], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.verdict, "ok");
    // The two orders of the critical sections.
    assert.equal(report.stats.executions, 2);
    assertNothingLeft(program);
  });
});

Deno.test("without the note: a check that is not --preload says nothing of it", async () => {
  const program = await buildProgram(`${programs}lock_order.c`);
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--memory=sync", "--json", "--", program], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).preload, undefined);
    assert.ok(!r.stdout.includes(preloadNote));
  });
});

Deno.test("a call of an unsupported function (pthread_kill, thrd_create) stops the check in one line naming it, exit 2", async () => {
  const program = foreign("unsupported");
  await inTempDir(async (dir) => {
    for (const restore of restores) {
      const r = await runCli(["check", "--preload", `--restore=${restore}`, "--", program], {
        cwd: dir,
      });
      assertOneLine(r, 2, /the program called pthread_kill, which isomc does not support yet/);
      assertNothingLeft(program);
    }
    // C11 threads: no pthread function imported, the first call named all the same.
    const c11 = foreign("c11_threads");
    assertOneLine(
      await runCli(["check", "--preload", "--", c11], { cwd: dir }),
      2,
      /the program called thrd_create, which isomc does not support yet/,
    );
    assertNothingLeft(c11);
  });
});

Deno.test("binaries --preload cannot check: static, without pthreads, built by isomc cc, with their own pthreads; one line, exit 2", async () => {
  const cases: [string, RegExp][] = [
    [
      foreign("lock_order", ["-static"]),
      /is statically linked: --preload needs a dynamically linked program/,
    ],
    [foreign("sequential"), /calls no pthread or semaphore function/],
    [
      await buildProgram(`${programs}lock_order.c`),
      /was built by `isomc cc` .*check it without --preload/,
    ],
    [foreign("own_lock"), /defines pthread_mutex_lock itself .*cannot intercept/],
    // gcc's thread sanitizer (libtsan, which gcc's Debian package brings): its own interceptors.
    [
      foreignBuild(`${programs}lock_order.c`, ["-fsanitize=thread"], "gcc"),
      /is built with the thread sanitizer \(-fsanitize=thread\)/,
    ],
  ];
  await inTempDir(async (dir) => {
    for (const [program, line] of cases) {
      assertOneLine(await runCli(["check", "--preload", "--", program], { cwd: dir }), 2, line);
      assertNothingLeft(program);
    }
    const program = foreign("lock_order");
    assertOneLine(
      await runCli(["check", "--preload", "--memory=all", "--", program], { cwd: dir }),
      2,
      /--memory=all needs the memory instrumentation of `isomc cc`: with --preload only synchronisation is seen/,
    );
  });
});

Deno.test("--jobs=2: the workers preload the runtime too, with the sequential counts", async () => {
  const program = foreign("counter");
  await inTempDir(async (dir) => {
    for (const [reduction, expected] of [["odpor", 6], ["none", 675]] as const) {
      const sequential = await runCli(
        [
          "check",
          "--preload",
          "--json",
          "--no-visited",
          `--reduction=${reduction}`,
          "--",
          program,
          "3",
        ],
        { cwd: dir },
      );
      const parallel = await runCli(
        [
          "check",
          "--preload",
          "--json",
          "--jobs=2",
          `--reduction=${reduction}`,
          "--",
          program,
          "3",
        ],
        { cwd: dir },
      );
      for (const r of [sequential, parallel]) {
        assert.equal(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(report.verdict, "ok");
        assert.equal(report.stats.executions, expected, reduction);
        assert.equal(report.preload.seen, "synchronisation");
      }
    }
    assertNothingLeft(program);
  });
});

Deno.test("SIGKILL to the checker of a long --preload search: no process of the program survives", async () => {
  const program = foreign("counter");
  await inTempDir(async (dir) => {
    // 3 threads of 12 critical sections: 36!/(12!)^3 orders, a search that never ends.
    const run = startCli(["check", "--preload", "--", program, "3", "12"], { cwd: dir });
    assert.ok(await eventually(() => runningProgram(program).length > 0), "never started");
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill("SIGKILL");
    const r = await run.result;
    assert.equal(r.signal, "SIGKILL");
    assert.ok(
      await eventually(() => liveProcessesOf(program).length === 0),
      "the program outlived the checker",
    );
    for (const { pid, status } of await reapStrays()) {
      assert.notEqual(status, "running", `stray child ${pid}`);
    }
    assertNothingLeft(program);
  });
});

// ---- The library and the refusals, on their own -------------------------------------------

Deno.test("libisomc_preload.so defines __libc_start_main, every intercepted function and every unsupported one", () => {
  const elf = parseElf(Deno.readFileSync(preloadLibrary()));
  assert.ok(elf !== null);
  const [defined] = symbolNames(elf);
  for (
    const name of ["__libc_start_main", ...interceptedFunctions, ...unsupportedPthreadFunctions]
  ) {
    assert.ok(defined.has(name), `${name} is not defined by the preloaded runtime`);
  }
  // It is no program's own runtime: no constructor that would run main a second time.
  assert.ok(!defined.has("isomc_pthread_constructor"));
});

Deno.test("the preloaded runtime stops at exactly the functions isomc cc refuses (one list, two sides)", () => {
  const zig = Deno.readTextFileSync(`${repoRoot}native/src/runtime/preload.zig`);
  const list = zig.match(/const unsupported = \[_\]\[:0\]const u8\{([^}]*)\};/)?.[1];
  assert.ok(list !== undefined, "preload.zig's unsupported list");
  const names = [...list.matchAll(/"([a-z_0-9]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...names].sort(), [...unsupportedPthreadFunctions].sort());
});

Deno.test("preloadProblem: what is not an ELF program is refused, a foreign pthread program is not", () => {
  assert.match(
    preloadProblem("x", new TextEncoder().encode("#!/bin/sh\n")) ?? "",
    /not an ELF64 program/,
  );
  assert.equal(preloadProblem("lock_order", Deno.readFileSync(foreign("lock_order"))), null);
});
