/**
 * The runtime's semantics (docs/semantics.md) on real programs: for each primitive, a program
 * under tests/programs/runtime/ whose exhaustive exploration (reduction "none") gives a verdict
 * and a number of executions derived by hand in that program's header comment; each misuse
 * rule and its message; the standalone mode (default schedule, ISOMC_* variables, --isomc-*
 * options, how a violation ends the process); stack overflows; valgrind and gdb.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { check, type CheckResult } from "../lib/check.ts";
import { Kind } from "../lib/model/transition.ts";
import { buildTrace, writeTrace } from "../lib/report/trace.ts";
import { buildProgram } from "./support/build.ts";

const programsDir = fileURLToPath(new URL("./programs/runtime/", import.meta.url));

function program(name: string): Promise<string> {
  return buildProgram(join(programsDir, `${name}.c`));
}

/** The caller's environment without anything that would change the runtime's mode. */
function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("ISOMC_") && name !== "ISOMC_ZIG" && name !== "ISOMC_ROOT") {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

async function explore(name: string, args: readonly string[] = []): Promise<CheckResult> {
  return await check(await program(name), args, {
    reduction: "none",
    visited: false,
    env: cleanEnv(),
  });
}

function actorOf(r: CheckResult): string | null {
  const id = r.violation?.actor ?? null;
  // Actor 0 is main (issue 8, item 23: an assertion or misuse in main is main's, not nobody's).
  return id === null ? null : id === 0 ? "main" : r.names.actors.get(id) ?? `actor ${id}`;
}

interface Expected {
  readonly name: string;
  readonly args?: readonly string[];
  readonly executions: number;
  /** Longest execution, in transitions. */
  readonly maxDepth?: number;
}

/** Programs that explore without violation; each count is derived in the program's header. */
const okPrograms: readonly (Expected & { readonly what: string })[] = [
  { what: "mutex: (yield, lock, yield, unlock) x 2", name: "mutex", executions: 10, maxDepth: 8 },
  { what: "mutex trylock against lock/unlock", name: "trylock", executions: 3 },
  {
    what: "semaphore at 0: 3 acquires vs 3 releases (Catalan 3)",
    name: "semaphore",
    executions: 5,
  },
  {
    what: "condition with a predicate: the lost signal is harmless",
    name: "cond_lost_signal",
    args: ["flag"],
    executions: 2,
  },
  {
    what: "cond_signal wakes waiters in FIFO order",
    name: "cond_wake",
    args: ["signal"],
    executions: 54,
  },
  {
    what: "cond_broadcast wakes every waiter",
    name: "cond_wake",
    args: ["broadcast"],
    executions: 36,
  },
  {
    what: "barrier of 3: 3! arrivals then 3! leaves, one serial actor",
    name: "barrier",
    executions: 36,
    maxDepth: 6,
  },
  { what: "barrier of 2 used twice", name: "barrier", args: ["twice"], executions: 24 },
  { what: "send/recv: 2 posts then 2 waits", name: "sendrecv", executions: 4, maxDepth: 4 },
  { what: "FIFO matching of queued sends", name: "fifo", args: ["sends"], executions: 37 },
  { what: "FIFO matching of queued receives", name: "fifo", args: ["recvs"], executions: 37 },
  { what: "waitany explores each matched comm", name: "waitany", executions: 15, maxDepth: 6 },
  { what: "test returns 1 exactly when matched", name: "test", executions: 6 },
  { what: "fetch_add by 3 actors", name: "atomics", args: ["fetch_add"], executions: 6 },
  { what: "CAS-loop increments by 2 actors", name: "atomics", args: ["cas"], executions: 6 },
  { what: "random(-1, 1) then random(3, 4)", name: "random", executions: 6, maxDepth: 2 },
  { what: "random(7, 7) has one value", name: "random", args: ["single"], executions: 1 },
  {
    what: "creation, objects, asserts and returns are not transitions",
    name: "lifecycle",
    executions: 8,
    maxDepth: 4,
  },
];

for (const p of okPrograms) {
  Deno.test(`${p.what}: ok in ${p.executions} executions`, async () => {
    const r = await explore(p.name, p.args);
    assert.equal(r.violation, null, r.violation?.message);
    assert.equal(r.verdict, "ok");
    assert.equal(r.stats.executions, p.executions);
    if (p.maxDepth !== undefined) assert.equal(r.stats.maxDepth, p.maxDepth);
  });
}

// ---- Violations the semantics make reachable --------------------------------------------

Deno.test("semaphore acquires beyond the releases: deadlock in the first execution", async () => {
  const r = await explore("semaphore", ["short"]);
  assert.equal(r.verdict, "violation");
  assert.equal(r.stats.executions, 1);
  assert.equal(r.violation?.kind, "deadlock");
  assert.equal(
    r.violation?.message,
    "every unfinished actor is blocked: c waits at sem_acquire(sem 1) (the semaphore is at 0)",
  );
  assert.equal(r.violation?.trace.length, 4);
});

Deno.test("a signal with nobody waiting is lost: deadlock in the 2nd execution", async () => {
  const r = await explore("cond_lost_signal");
  assert.equal(r.verdict, "violation");
  assert.equal(r.stats.executions, 2);
  assert.equal(r.violation?.kind, "deadlock");
  assert.deepEqual(
    r.violation?.trace.map((s) => [r.names.actors.get(s.step.actor), s.transition.kind]),
    [["w", Kind.mutexLock], ["s", Kind.condSignal], ["w", Kind.condWait]],
  );
  assert.match(
    r.violation?.message ?? "",
    /^every unfinished actor is blocked: w waits at cond_wait returns\(cond 2, mutex 1\)/,
  );
});

Deno.test("a lost update with load/store: found by main's check after isomc_run, 2nd execution", async () => {
  const r = await explore("atomics", ["racy"]);
  assert.equal(r.verdict, "violation");
  assert.equal(r.stats.executions, 2);
  assert.equal(r.violation?.kind, "assertion");
  assert.equal(actorOf(r), "main");
  assert.match(
    r.violation?.message ?? "",
    /^an increment was lost \(isomc_assert_msg\(x == n\) at .*atomics\.c:\d+\)$/,
  );
  assert.deepEqual(
    r.violation?.trace.map((s) => [r.names.actors.get(s.step.actor), s.transition.kind]),
    [["a", Kind.load], ["b", Kind.load], ["a", Kind.store], ["b", Kind.store]],
  );
});

Deno.test("random explores values in increasing order: the last pair fails in the 6th execution", async () => {
  const r = await explore("random", ["bug"]);
  assert.equal(r.verdict, "violation");
  assert.equal(r.stats.executions, 6);
  assert.deepEqual(r.violation?.trace.map((s) => s.step.choice), [2, 1]);
  assert.match(r.violation?.message ?? "", /^x == 1 and y == 4 \(isomc_assert_msg/);
  assert.equal(actorOf(r), "d");
});

// ---- Misuse: each rule, its message, found in the first execution -----------------------

const misuses: readonly { mode: string; message: string | RegExp; actor: string | null }[] = [
  {
    mode: "relock",
    message: "isomc_mutex_lock: the actor already holds this mutex (it would wait for itself)",
    actor: "first",
  },
  { mode: "unlock_free", message: "isomc_mutex_unlock: the mutex is not locked", actor: "first" },
  {
    mode: "unlock_other",
    message: "isomc_mutex_unlock: the mutex is held by first, not by this actor",
    actor: "second",
  },
  { mode: "random_range", message: "isomc_random(3, 1): min is greater than max", actor: "first" },
  {
    mode: "random_huge",
    message: "isomc_random(-2147483648, 2147483647): more than 2^31 values to explore",
    actor: "first",
  },
  {
    mode: "wait_released",
    message: "isomc_wait: the communication was already completed and released",
    actor: "first",
  },
  {
    mode: "test_released",
    message: "isomc_test: the communication was already completed and released",
    actor: "first",
  },
  {
    mode: "wait_foreign",
    message: "isomc_wait: the communication belongs to second",
    actor: "third",
  },
  {
    mode: "waitany_duplicate",
    message: "isomc_waitany: entries 0 and 1 are the same communication",
    actor: "first",
  },
  { mode: "waitany_negative", message: "isomc_waitany: negative count -1", actor: "first" },
  {
    mode: "cond_unlocked",
    message: "isomc_cond_wait: the actor does not hold the mutex",
    actor: "first",
  },
  { mode: "null_mutex", message: "isomc_mutex_lock: the mutex is NULL", actor: "first" },
  {
    mode: "bad_mailbox",
    message: /^isomc_isend: 0x[0-9a-f]+ is not a mailbox \(isomc_mailbox returns them\)$/,
    actor: "first",
  },
  {
    mode: "unaligned",
    message: /^isomc_load: the address 0x[0-9a-f]+ is not 8-byte aligned$/,
    actor: "first",
  },
  {
    mode: "sem_negative",
    message: "isomc_sem_create(-1): negative initial value",
    actor: "first",
  },
  {
    mode: "barrier_zero",
    message: "isomc_barrier_create(0): a barrier needs at least one actor",
    actor: "first",
  },
  { mode: "outside_actor", message: "isomc_yield called outside an actor", actor: "main" },
  {
    mode: "lock_outside_actor",
    message: "isomc_mutex_lock called outside an actor",
    actor: "main",
  },
  {
    mode: "barrier_outside_actor",
    message: "isomc_barrier_wait called outside an actor",
    actor: "main",
  },
  {
    mode: "no_run",
    message:
      "the program exited without running 2 actors: isomc_run was not called after creating them",
    actor: "main",
  },
];

for (const m of misuses) {
  Deno.test(`misuse ${m.mode}: violation "${m.message}"`, async () => {
    const r = await explore("misuse", [m.mode]);
    assert.equal(r.verdict, "violation");
    assert.equal(r.stats.executions, 1);
    assert.equal(r.violation?.kind, "assertion");
    const message = r.violation?.message ?? "";
    assert.ok(message.startsWith("API misuse: "), message);
    const rest = message.slice("API misuse: ".length);
    if (typeof m.message === "string") assert.equal(rest, m.message);
    else assert.match(rest, m.message);
    assert.equal(actorOf(r), m.actor);
  });
}

Deno.test("misuse: a message larger than the receive buffer, reported when matched", async () => {
  const r = await explore("sendrecv", ["big"]);
  assert.equal(r.verdict, "violation");
  assert.equal(r.stats.executions, 1);
  assert.equal(
    r.violation?.message,
    "API misuse: message of 32 bytes sent by s on mailbox 'mb' does not fit the 16-byte buffer of r",
  );
  // s posts first (DFS order), so r's irecv is the transition that matches them.
  assert.equal(actorOf(r), "r");
  assert.deepEqual(r.violation?.trace.map((s) => s.transition.kind), [Kind.isend, Kind.irecv]);
});

Deno.test("a program that hangs after its DONE is a timeout, not an internal error", async () => {
  const r = await check(await program("exit_hang"), [], {
    reduction: "none",
    visited: false,
    env: cleanEnv(),
    timeoutMs: 300,
  });
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "timeout");
  assert.equal(
    r.violation?.message,
    "every actor finished but the program did not exit within 0.3 s",
  );
});

// ---- Stack overflows ----------------------------------------------------------------------

Deno.test("endless recursion in an actor is a crash (SIGSEGV on the guard region)", async () => {
  const r = await explore("overflow", ["deep"]);
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "crash");
  assert.match(r.violation?.message ?? "", /SIGSEGV/);
  assert.equal(actorOf(r), "deep");
});

Deno.test("an overflow by 16 KiB frames cannot jump the guard into the next stack", async () => {
  const bin = await program("overflow");
  const r = await check(bin, ["wide", "--isomc-stack-size=266240"], {
    reduction: "none",
    visited: false,
    env: cleanEnv(),
  });
  assert.equal(r.violation?.kind, "crash", r.violation?.message);
  assert.match(r.violation?.message ?? "", /SIGSEGV/);
  assert.equal(actorOf(r), "deep");
});

// ---- Standalone mode ----------------------------------------------------------------------

interface Run {
  readonly code: number;
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program on its own; the abort signal only guards the suite against a hang. */
async function runAlone(
  bin: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd?: string,
): Promise<Run> {
  const out = await new Deno.Command(bin, {
    args: [...args],
    env: cleanEnv(env),
    clearEnv: true,
    cwd,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

const defaultSchedule = [
  "a0",
  "b0",
  "c0",
  "a1",
  "b1",
  "c1",
  "a2 random=5",
  "b2",
  "c2",
  "a3",
  "main: all actors finished",
  "",
].join("\n");

Deno.test("standalone: round robin from the first actor, choices take their min, deterministic", async () => {
  const bin = await program("standalone");
  const first = await runAlone(bin, ["schedule"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, defaultSchedule);
  assert.equal(first.stderr, "");
  const second = await runAlone(bin, ["schedule"]);
  assert.deepEqual(second, first);
});

Deno.test("standalone: ISOMC_VERBOSE=1 logs each step on stderr", async () => {
  const r = await runAlone(await program("standalone"), ["schedule"], { ISOMC_VERBOSE: "1" });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, defaultSchedule);
  assert.equal(
    r.stderr,
    [
      "[isomc] 1. a: yield()",
      "[isomc] 2. b: yield()",
      "[isomc] 3. c: yield()",
      "[isomc] 4. a: random(5, 9) = 5",
      "[isomc] 5. b: yield()",
      "[isomc] 6. c: yield()",
      "[isomc] 7. a: yield()",
      "",
    ].join("\n"),
  );
  const quiet = await runAlone(await program("standalone"), ["schedule"], { ISOMC_VERBOSE: "0" });
  assert.equal(quiet.stderr, "");
});

Deno.test("standalone: a failed assertion aborts (SIGABRT) with its message on stderr", async () => {
  const r = await runAlone(await program("standalone"), ["assert"]);
  assert.equal(r.signal, "SIGABRT");
  assert.match(
    r.stderr,
    /^isomc: assertion: isomc_assert\(1 \+ 1 == 3\) failed at .*standalone\.c:\d+ \(actor bad, step 1\)\n$/,
  );
});

Deno.test("standalone: a deadlock aborts and names what each actor waits for", async () => {
  const r = await runAlone(await program("standalone"), ["deadlock"]);
  assert.equal(r.signal, "SIGABRT");
  assert.equal(
    r.stderr,
    "isomc: deadlock: every unfinished actor is blocked: l1 at mutex_lock(mutex 2); l2 at mutex_lock(mutex 1) (step 4)\n",
  );
});

Deno.test("standalone: --isomc-* options are taken out of argv wherever they are", async () => {
  const r = await runAlone(await program("standalone"), [
    "args",
    "x",
    "--isomc-stack-size=70000",
    "y",
    "--isomc-verbose",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "argc=4\nargv[1]=args\nargv[2]=x\nargv[3]=y\n");
});

Deno.test("standalone: an unknown --isomc- option or a bad ISOMC_STACK_SIZE is exit 2", async () => {
  const bin = await program("standalone");
  const unknown = await runAlone(bin, ["schedule", "--isomc-x"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.equal(
    unknown.stderr,
    "isomc: unknown runtime option '--isomc-x' (known: --isomc-verbose, --isomc-stack-size=BYTES)\n",
  );
  const size = await runAlone(bin, ["schedule"], { ISOMC_STACK_SIZE: "1M" });
  assert.equal(size.code, 2);
  assert.equal(size.stderr, "isomc: ISOMC_STACK_SIZE: '1M' is not a size in bytes\n");
  const option = await runAlone(bin, ["schedule", "--isomc-stack-size=big"]);
  assert.equal(option.code, 2);
  assert.equal(option.stderr, "isomc: --isomc-stack-size: 'big' is not a size in bytes\n");
});

Deno.test("standalone: the stack size option and variable set the actors' stack size", async () => {
  // 18 frames of 16 KiB fit in the default 1 MiB stack, not in 260 KiB.
  const bin = await program("overflow");
  const roomy = await runAlone(bin, ["wide"]);
  assert.equal(roomy.code, 0, roomy.stderr);
  const option = await runAlone(bin, ["wide", "--isomc-stack-size=266240"]);
  assert.equal(option.signal, "SIGSEGV");
  const variable = await runAlone(bin, ["wide"], { ISOMC_STACK_SIZE: "266240" });
  assert.equal(variable.signal, "SIGSEGV");
});

Deno.test("standalone: ISOMC_REPLAY follows the trace, then round robin after its last actor", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-runtime-test-" });
  try {
    const trace = join(dir, "trace.json");
    await Deno.writeTextFile(
      trace,
      JSON.stringify({
        format: "isomc-trace",
        version: 1,
        steps: [{ actor: 2, choice: 0 }, { actor: 2 }],
      }),
    );
    const r = await runAlone(await program("standalone"), ["schedule"], {
      ISOMC_REPLAY: trace,
      ISOMC_VERBOSE: "0",
    });
    assert.equal(r.code, 0, r.stderr);
    // b moves twice (and finishes), then c, a, c, a, a.
    assert.equal(
      r.stdout,
      "a0\nb0\nc0\nb1\nb2\nc1\na1\nc2\na2 random=5\na3\nmain: all actors finished\n",
    );
    assert.equal(
      r.stderr,
      "[isomc] the trace's 2 steps are done; going on with the default schedule\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("standalone: ISOMC_REPORT gets one JSON line for a clean end and for a violation", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-runtime-test-" });
  try {
    const bin = await program("standalone");
    const report = join(dir, "report.json");
    const ok = await runAlone(bin, ["schedule"], { ISOMC_REPORT: report });
    assert.equal(ok.code, 0);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(report)), {
      kind: "ok",
      steps: 7,
      actor: "",
      message: "",
    });
    const bad = await runAlone(bin, ["assert"], { ISOMC_REPORT: report });
    assert.equal(bad.signal, "SIGABRT");
    const got = JSON.parse(await Deno.readTextFile(report));
    assert.equal(got.kind, "assertion");
    assert.equal(got.steps, 1);
    assert.equal(got.actor, "bad");
    assert.match(got.message, /^isomc_assert\(1 \+ 1 == 3\) failed at .*standalone\.c:\d+$/);

    const trace = join(dir, "trace.json");
    await Deno.writeTextFile(
      trace,
      JSON.stringify({ format: "isomc-trace", version: 1, steps: [{ actor: 9 }] }),
    );
    const diverged = await runAlone(bin, ["schedule"], {
      ISOMC_REPLAY: trace,
      ISOMC_REPORT: report,
    });
    assert.equal(diverged.signal, "SIGABRT");
    assert.equal(diverged.stderr, "isomc: diverged: step 1: there is no actor 9 (step 0)\n");
    assert.equal(JSON.parse(await Deno.readTextFile(report)).kind, "diverged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("standalone: endless recursion in an actor is killed by SIGSEGV", async () => {
  const r = await runAlone(await program("overflow"), ["deep"]);
  assert.equal(r.signal, "SIGSEGV");
});

// ---- Debugging a program: valgrind, gdb -----------------------------------------------------

function onPath(command: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(join(dir === "" ? "." : dir, command)).isFile) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const valgrindCases: readonly (readonly string[])[] = [
  ["standalone", "schedule"],
  ["cond_wake", "broadcast"],
  ["waitany"],
  ["fifo", "sends"],
  ["barrier", "twice"],
  ["lifecycle"],
];

for (const [name, ...args] of valgrindCases) {
  Deno.test({
    name: `valgrind: ${[name, ...args].join(" ")} runs standalone with no error`,
    ignore: !onPath("valgrind"),
    fn: async () => {
      const bin = await program(name);
      const r = await runAlone("valgrind", ["-q", "--error-exitcode=99", bin, ...args]);
      // -q: valgrind prints only errors, each line prefixed with ==pid==.
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /==\d+==/);
    },
  });
}

Deno.test({
  name: "gdb: a replayed assertion stops in the actor's C function",
  ignore: !onPath("gdb"),
  fn: async () => {
    const bin = await program("random");
    const found = await explore("random", ["bug"]);
    if (found.violation === null) throw new Error("random bug: no violation to replay");
    const dir = await Deno.makeTempDir({ prefix: "isomc-runtime-test-" });
    try {
      const trace = join(dir, "trace.json");
      writeTrace(trace, buildTrace([bin, "bug"], found.violation, found.names, 10_000));
      const r = await runAlone(
        "gdb",
        ["-nx", "-batch", "-ex", "run", "-ex", "bt", "--args", bin, "bug"],
        { ISOMC_REPLAY: trace, DEBUGINFOD_URLS: "" },
      );
      assert.match(r.stdout, /Program received signal SIGABRT/);
      assert.match(r.stdout, /isomc_assert_fail \(/);
      assert.match(r.stdout, /in drawer \(arg=.*\) at .*random\.c:\d+/);
      // The replay logged the recorded values before the abort.
      assert.match(r.stdout + r.stderr, /d: random\(3, 4\) = 4/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
