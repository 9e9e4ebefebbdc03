/**
 * A pthread of the program that calls an isomc function (issue 8, item 11): the runtime tells a
 * call from another OS thread at every entry point and reports it as a misuse named after the
 * call ("isomc_yield called from a thread that is not an actor"), the same in every strategy —
 * under the checker through the channel's lock, so that two threads never write it at once —
 * and run on its own or replayed, where it aborts. Nothing of the program is left running.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import { becomeSubreaper, lines, liveProcessesOf, runCli, strayChildren } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const source = fileURLToPath(new URL("./programs/runtime/pthread.c", import.meta.url));

becomeSubreaper();

const hint =
  "(pthreads cannot call isomc functions: make the code an actor with isomc_actor_create)";

/** Each mode: the call named, and the actor running on the main thread when it came. */
const modes = [
  { mode: "join", call: "isomc_yield", actor: "spawner" },
  { mode: "send", call: "isomc_send", actor: "spawner" },
  { mode: "assert", call: "isomc_assert", actor: "spawner" },
  { mode: "before", call: "isomc_self", actor: "main" },
  { mode: "after", call: "isomc_actor_name", actor: "main" },
] as const;

const strategies = [
  ["--restore=memory"],
  ["--restore=fork"],
  ["--restore=replay"],
  ["--restore=memory", "--reduction=none"],
  ["--restore=fork", "--reduction=none"],
  ["--restore=replay", "--reduction=none"],
] as const;

const inTempDir = tempDirs("isomc-threads-");

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

function assertNothingLeft(bin: string): void {
  assert.deepEqual(liveProcessesOf(bin), [], `processes of ${bin} are still alive`);
  assert.deepEqual(strayChildren(), [], "the checker left children behind");
}

for (const m of modes) {
  Deno.test(`a pthread calling ${m.call} (${m.mode}): the same misuse under every strategy`, async () => {
    const bin = await buildProgram(source, ["-lpthread"]);
    const message = `API misuse: ${m.call} called from a thread that is not an actor ${hint}`;
    await inTempDir(async (dir) => {
      for (const options of m.mode === "join" ? strategies : strategies.slice(0, 3)) {
        const label = `${m.mode} ${options.join(" ")}`;
        const r = await runCli(["check", "--json", ...options, "--", bin, m.mode], { cwd: dir });
        assertNothingLeft(bin);
        assert.equal(r.code, 1, `${label}: ${r.stderr}`);
        assert.equal(r.stderr, "", label);
        const j = JSON.parse(r.stdout);
        assert.deepEqual(j.violation, { kind: "assertion", message, actor: m.actor }, label);
      }
    });
  });
}

Deno.test("a pthread calling isomc_yield, run on its own and replayed: the misuse, then abort", async () => {
  const bin = await buildProgram(source, ["-lpthread"]);
  const message = `isomc_yield called from a thread that is not an actor ${hint}`;
  await inTempDir(async (dir) => {
    const alone = await new Deno.Command(bin, {
      args: ["join"],
      env: cleanEnv(),
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(alone.signal, "SIGABRT");
    // The default schedule's step 1 is spawner's first yield, after which it starts the thread.
    assert.equal(
      new TextDecoder().decode(alone.stderr),
      `isomc: misuse: ${message} (actor spawner, step 1)\n`,
    );

    const found = await runCli(["check", "--trace-out=t.json", "--", bin, "join"], { cwd: dir });
    assert.equal(found.code, 1, found.stderr);
    const replayed = await runCli(["replay", "--quiet", "t.json", "--", bin, "join"], {
      cwd: dir,
    });
    assertNothingLeft(bin);
    assert.equal(replayed.code, 1, replayed.stderr);
    assert.match(lines(replayed.stderr).at(-1) ?? "", /^isomc: replay reproduced the assertion: /);
    assert.ok(replayed.stderr.includes(`isomc: misuse: ${message} (actor spawner, step `));
  });
});
