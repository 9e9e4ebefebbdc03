/**
 * The checked program's own children (issue 8, item 8), through the real CLI: a program whose
 * actor starts `sleep` and leaves it running must not leave it behind, under every restore
 * strategy and after `isomc replay` — nor when the child left the program's process group and
 * session first. The test process is a child subreaper: whatever the checker leaves becomes
 * visible here.
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import {
  becomeSubreaper,
  eventually,
  liveProcessesOf,
  processes,
  runCli,
  startCli,
  strayChildren,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

becomeSubreaper();

const program = await buildProgram("tests/programs/faults/forks_sleep.c");

/** A duration no other process runs `sleep` with, so that only this test's sleeps match. */
function uniqueSeconds(): string {
  return `778.${Deno.pid}${Math.floor(Math.random() * 1e6)}`;
}

function sleepsOf(seconds: string): number[] {
  return processes()
    .filter((p) => p.state !== "Z" && p.argv[0] === "sleep" && p.argv[1] === seconds)
    .map((p) => p.pid);
}

const inTempDir = tempDirs("isomc-children-");

/** Nothing the program started is left: no sleep, no process of it, no stray child. */
function assertNothingLeft(seconds: string, what: string): void {
  const left = sleepsOf(seconds);
  for (const pid of left) Deno.kill(pid, "SIGKILL");
  assert.deepEqual(left, [], `${what}: the program's sleep outlived the checker`);
  assert.deepEqual(liveProcessesOf(program), [], `${what}: processes of the program are alive`);
  assert.deepEqual(strayChildren(), [], `${what}: the checker left children behind`);
}

for (const mode of ["group", "session"]) {
  for (const restore of ["memory", "fork", "replay"]) {
    Deno.test(`--restore=${restore}: a sleep the program started (${mode}) dies with it`, async () => {
      await inTempDir(async (dir) => {
        const seconds = uniqueSeconds();
        const r = await runCli([
          "check",
          "--json",
          `--restore=${restore}`,
          "--reduction=none",
          "--no-visited",
          "--",
          program,
          seconds,
          mode,
        ], { cwd: dir });
        assert.equal(r.code, 0, r.stderr);
        const j = JSON.parse(r.stdout);
        assert.equal(j.verdict, "ok");
        // parent: yield, yield (the fork between them); other: yield. 3!/(2!1!) = 3.
        assert.equal(j.stats.executions, 3);
        assertNothingLeft(seconds, `--restore=${restore}`);
      });
    });
  }

  Deno.test(`isomc replay: a sleep the program started (${mode}) dies with it`, async () => {
    await inTempDir(async (dir) => {
      const seconds = uniqueSeconds();
      await Deno.writeTextFile(
        `${dir}/t.json`,
        JSON.stringify({
          format: "isomc-trace",
          version: 1,
          steps: [{ actor: 1, choice: 0 }, { actor: 1, choice: 0 }],
        }),
      );
      const r = await runCli(["replay", "--quiet", "t.json", "--", program, seconds, mode], {
        cwd: dir,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /the program finished normally \(status 0\)/);
      assertNothingLeft(seconds, "isomc replay");
    });
  });
}

Deno.test("a sleep the program started dies with a checker stopped by SIGTERM", async () => {
  await inTempDir(async (dir) => {
    const seconds = uniqueSeconds();
    // --timeout=60 and a program that spins after starting its sleep: the search is running
    // when the signal comes.
    const spinning = await buildProgram("tests/programs/faults/forks_sleep.c", ["-DSPIN"]);
    const run = startCli(["check", "--timeout=60", "--", spinning, seconds, "session"], {
      cwd: dir,
    });
    assert.ok(await eventually(() => sleepsOf(seconds).length > 0), "the sleep never started");
    run.child.kill("SIGTERM");
    const r = await run.result;
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(sleepsOf(seconds), []);
    assert.deepEqual(liveProcessesOf(spinning), []);
    assert.deepEqual(strayChildren(), []);
  });
});
