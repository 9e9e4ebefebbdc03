/**
 * Stack overflows said as such (issue 8, item 13): the runtime's crash handler tells a fault in
 * a stack's guard region — or a stack pointer that has left its stack — from other crashes and
 * says whose stack it was and its size (protocol version 4, CRASH); the checker reports "actor
 * B overflowed its 1 MiB stack (raise ISOMC_STACK_SIZE or --isomc-stack-size)", under every
 * --restore, before the first scheduling point too, and for main's own stack; run alone or
 * replayed, the runtime prints the same words.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const runtimePrograms = fileURLToPath(new URL("./programs/runtime/", import.meta.url));
const faults = fileURLToPath(new URL("./programs/faults/", import.meta.url));

const restores = ["memory", "fork", "replay"] as const;
const raise = "(raise ISOMC_STACK_SIZE or --isomc-stack-size)";
const killed = "the program was killed by SIGSEGV (segmentation fault)";

interface Report {
  verdict: string;
  violation: { kind: string; message: string; actor: string | null } | null;
}

const inTempDir = tempDirs("isomc-overflow-");

async function checkJson(
  bin: string,
  args: readonly string[],
  options: readonly string[],
  dir: string,
  env?: Record<string, string>,
): Promise<Report> {
  const r = await runCli(["check", "--json", ...options, "--", bin, ...args], { cwd: dir, env });
  assert.equal(r.stderr, "", r.stderr);
  return JSON.parse(r.stdout) as Report;
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

/** main's stack limit as the programs inherit it (RLIMIT_STACK), or null when unlimited. */
function stackLimit(): number | null {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((l) => l.startsWith("Max stack size"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? null : Number(soft);
}

function sizeText(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes / 1024} KiB`;
}

Deno.test("an actor's endless recursion: 'actor deep overflowed its 1 MiB stack', under every --restore", async () => {
  const bin = await buildProgram(`${runtimePrograms}overflow.c`);
  await inTempDir(async (dir) => {
    for (const restore of restores) {
      const j = await checkJson(bin, ["deep"], [`--restore=${restore}`], dir);
      assert.deepEqual(j.violation, {
        kind: "crash",
        message: `${killed}: actor deep overflowed its 1 MiB stack ${raise}`,
        actor: "deep",
      }, restore);
    }
  });
});

Deno.test("16 KiB frames on a 260 KiB stack: the size given is the stack's", async () => {
  const bin = await buildProgram(`${runtimePrograms}overflow.c`);
  await inTempDir(async (dir) => {
    const j = await checkJson(bin, ["wide", "--isomc-stack-size=266240"], [], dir);
    assert.equal(
      j.violation?.message,
      `${killed}: actor deep overflowed its 260 KiB stack ${raise}`,
    );
  });
});

Deno.test("a crash that is not an overflow is not called one", async () => {
  const bin = await buildProgram(`${faults}crash_before_first_point.c`);
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--", bin], { cwd: dir });
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, /overflow/);
  });
});

Deno.test("a 2 MiB local array before the first point: exit 2, the line says the stack overflowed and how to raise it", async () => {
  const bin = await buildProgram(`${faults}big_local.c`);
  await inTempDir(async (dir) => {
    for (const restore of restores) {
      const r = await runCli(["check", `--restore=${restore}`, "--", bin], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.deepEqual(lines(r.stderr), [
        `isomc: ${bin} crashed before its first scheduling point: actor big overflowed its 1 MiB stack ${raise}`,
      ], restore);
    }
    // Doing what the line says is enough.
    const roomy = await checkJson(bin, [], [], dir, { ISOMC_STACK_SIZE: "4194304" });
    assert.equal(roomy.verdict, "ok");
  });
});

Deno.test("main's own stack overflow after isomc_run: 'main overflowed its N stack (raise it with ulimit -s)'", async () => {
  const limit = stackLimit();
  const bin = await buildProgram(`${faults}main_overflow.c`);
  await inTempDir(async (dir) => {
    for (const restore of restores) {
      const j = await checkJson(bin, [], [`--restore=${restore}`], dir);
      assert.equal(j.violation?.kind, "crash", restore);
      assert.equal(j.violation?.actor, null, restore);
      if (limit === null) continue; // unlimited: main's overflow is not told apart
      const expected = `main overflowed its ${sizeText(limit)} stack (raise it with ulimit -s)`;
      // Stateful, the rest of main runs in a copy after the last transition.
      const prefix = restore === "replay"
        ? `${killed}: `
        : `${killed} after every actor had finished (after isomc_run returned): `;
      assert.equal(j.violation?.message, prefix + expected, restore);
    }
  });
});

Deno.test("run alone and replayed, the runtime says the same: the line on stderr, ISOMC_REPORT, isomc replay", async () => {
  const bin = await buildProgram(`${runtimePrograms}overflow.c`);
  const message = `${killed}: actor deep overflowed its 1 MiB stack ${raise}`;
  await inTempDir(async (dir) => {
    const alone = await new Deno.Command(bin, {
      args: ["deep"],
      cwd: dir,
      env: cleanEnv({ ISOMC_REPORT: `${dir}/report.json` }),
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(alone.signal, "SIGSEGV");
    assert.equal(new TextDecoder().decode(alone.stderr), `isomc: crash: ${message} (step 1)\n`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/report.json`)), {
      kind: "crash",
      steps: 1,
      actor: "deep",
      message,
    });

    const found = await runCli(["check", "--trace-out=t.json", "--", bin, "deep"], { cwd: dir });
    assert.equal(found.code, 1, found.stderr);
    const replayed = await runCli(["replay", "--quiet", "t.json", "--", bin, "deep"], { cwd: dir });
    assert.equal(replayed.code, 1, replayed.stderr);
    assert.deepEqual(lines(replayed.stderr), [
      `isomc: crash: ${message} (step 1)`,
      `isomc: replay reproduced the crash: ${message}`,
    ]);
  });
});
