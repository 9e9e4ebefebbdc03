/**
 * The single binary, copied alone (issue 13): `./isomc dist` builds it; copied by itself to an
 * empty folder and run with a PATH that has neither .tools/ nor zig, an empty HOME and
 * XDG_CACHE_HOME and no other variable, it runs the demo, builds an example with the system
 * cc, checks it (bank.c's exact counts and counterexample), replays the counterexample, and
 * prints an LTL automaton, builds and checks a pthread program; with zig on PATH its cc is zig cc, with the same counts. Its files land in the cache folder and nowhere else.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./support/build.ts";

const text = new TextDecoder();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<Run> {
  const out = await new Deno.Command(cmd, {
    args: [...args],
    cwd,
    env,
    clearEnv: env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** A run's whole output, for a failed assertion's message. */
function show(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("the single binary copied alone: demo, cc with the system cc, check, replay, ltl", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "isomc-dist-" });
  try {
    const built = join(tmp, "build", "isomc-x86_64-linux");
    const build = await run(join(repoRoot, "isomc"), ["dist", `--output=${built}`], repoRoot);
    assert.equal(build.code, 0, show(build));
    assert.match(build.stderr, /isomc dist: wrote .* \(\d+ MiB; /, show(build));

    const alone = join(tmp, "alone");
    const home = join(tmp, "home");
    const cache = join(tmp, "cache");
    for (const d of [alone, home, cache]) Deno.mkdirSync(d);
    Deno.copyFileSync(built, join(alone, "isomc"));
    Deno.chmodSync(join(alone, "isomc"), 0o755);
    const path = "/usr/local/bin:/usr/bin:/bin";
    for (const dir of path.split(":")) assert.equal(names(dir).includes("zig"), false, dir);
    const env = { PATH: path, HOME: home, XDG_CACHE_HOME: cache };
    const isomc = (...args: string[]): Promise<Run> => run(join(alone, "isomc"), args, alone, env);

    const version = await isomc("--version");
    assert.deepEqual([version.code, version.stdout], [0, "isomc 0.1.0\n"]);

    const demo = await isomc("demo");
    assert.equal(demo.code, 0, show(demo));
    assert.match(demo.stdout, /isomc demo: found and showed the known deadlock\./, show(demo));
    assert.match(demo.stdout, /philosopher-0: mutex_lock\(mutex 1\)/, show(demo));

    Deno.copyFileSync(join(repoRoot, "examples/bank.c"), join(alone, "bank.c"));
    const cc = await isomc("cc", "-o", "bank", "bank.c");
    assert.equal(cc.code, 0, show(cc));
    assert.match(text.decode(Deno.readFileSync(join(alone, "bank"))), /GCC: \(/);

    const check = await isomc("check", "--", "./bank");
    assert.equal(check.code, 1, show(check));
    assert.match(check.stdout, /^isomc: violation found: assertion in main$/m, show(check));
    assert.match(
      check.stdout,
      /^ {2}3\. teller-1: store\(alice\[1\], 90\) +bank\.c:47$/m,
      show(check),
    );
    assert.match(
      check.stdout,
      /^Explored 2 executions, 14 states, 13 transitions, max depth 8,/m,
      show(check),
    );
    // The hint names the binary as it was run.
    assert.match(
      check.stdout,
      /^ {2}\S*isomc replay bank\.isomc-trace\.json -- \.\/bank$/m,
      show(check),
    );

    const replay = await isomc("replay", "bank.isomc-trace.json", "--", "./bank");
    assert.equal(replay.code, 1, show(replay));
    assert.match(
      replay.stderr,
      /isomc: replay reproduced the assertion: money was created/,
      show(replay),
    );

    // A pthread program: the binary's own pthread.h marks it (no real threads), so its
    // deadlock by lock order is found as from a checkout.
    Deno.copyFileSync(
      join(repoRoot, "tests/programs/pthread/lock_order.c"),
      join(tmp, "lock_order.c"),
    );
    const ccThreads = await isomc("cc", "-o", "../lock_order", "../lock_order.c");
    assert.equal(ccThreads.code, 0, show(ccThreads));
    const threads = await isomc("check", "--trace-out=../lock.json", "--", "../lock_order");
    assert.equal(threads.code, 1, show(threads));
    assert.match(threads.stdout, /^isomc: violation found: deadlock/m, show(threads));
    assert.match(threads.stdout, /thread-1 waits at mutex_lock\(mutex [ab]/, show(threads));

    // A search of seconds (many heartbeats, each looking at the heap: Deno 2.6 has no
    // v8.getHeapSpaceStatistics) ends with prodcons.c's stated count.
    Deno.copyFileSync(join(repoRoot, "examples/prodcons.c"), join(tmp, "prodcons.c"));
    const ccLong = await isomc("cc", "-o", "../prodcons", "../prodcons.c");
    assert.equal(ccLong.code, 0, show(ccLong));
    const long = await isomc("check", "--reduction=none", "--restore=replay", "--", "../prodcons");
    assert.equal(long.code, 0, show(long));
    assert.match(long.stdout, /^isomc: no violation in 1,156 executions\.$/m, show(long));
    assert.match(long.stdout, /^Explored 1,156 executions, 9,389 states, /m, show(long));

    // With Zig on PATH the same binary's cc is zig cc, and the program checks the same.
    const zigDir = join(repoRoot, ".tools", "zig-0.15.2", "ziglang");
    const withZig = { ...env, PATH: `${zigDir}:${path}` };
    const ccZig = await run(
      join(alone, "isomc"),
      ["cc", "-o", "bank-zig", "bank.c"],
      alone,
      withZig,
    );
    assert.equal(ccZig.code, 0, show(ccZig));
    assert.match(text.decode(Deno.readFileSync(join(alone, "bank-zig"))), /zig-bootstrap/);
    const checkZig = await isomc("check", "--trace-out=../zig.trace.json", "--", "./bank-zig");
    assert.equal(checkZig.code, 1, show(checkZig));
    assert.match(
      checkZig.stdout,
      /^Explored 2 executions, 14 states, 13 transitions, max depth 8,/m,
      show(checkZig),
    );
    Deno.removeSync(join(alone, "bank-zig"));

    // A cache folder LD_PRELOAD cannot name is said in one line (exit 3), not a silent failure.
    const spaced = join(tmp, "with space");
    const badCache = await run(join(alone, "isomc"), ["check", "--", "./bank"], alone, {
      ...env,
      XDG_CACHE_HOME: spaced,
    });
    assert.equal(badCache.code, 3, show(badCache));
    assert.match(
      badCache.stderr,
      /^isomc: the fd agent's path .* has a space or ':', which LD_PRELOAD cannot carry \(set XDG_CACHE_HOME to a folder without one\)\n$/,
      show(badCache),
    );

    const ltl = await isomc("ltl", "G F p");
    assert.equal(ltl.code, 0, show(ltl));
    assert.match(ltl.stdout, /^automaton of !\(G F p\): /, show(ltl));

    // Only what the user made is in the folder; isomc's files are in the cache, named by digest.
    assert.deepEqual(names(alone), ["bank", "bank.c", "bank.isomc-trace.json", "isomc"]);
    assert.deepEqual(names(home), []);
    const folder = join(cache, "isomc", "0.1.0");
    const copies = names(folder).filter((n) => n !== "demo").flatMap((d) => names(join(folder, d)));
    assert.deepEqual(copies.sort(), [
      "isomc.h",
      "libisomc.a",
      "libisomc_agent.so",
      "libisomc_checker.so",
      "philosophers.c",
      "pthread.h",
    ]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
