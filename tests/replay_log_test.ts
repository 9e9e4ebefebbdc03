/**
 * Counterexamples and replay logs in the same words (issue 8, item 17): element 0 of an array
 * is `flag[0]`, not `flag`; a replay's step log (the runtime's, under ISOMC_REPLAY or isomc
 * replay) reads line for line like the counterexample the checker printed — global variables
 * by name, the comm a waitany took — and an exit() in an actor reads "actor B called exit(3)",
 * with the other actors it left unfinished, in the report and in the replay.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const kinds = fileURLToPath(new URL("./programs/replay/kinds.c", import.meta.url));
const exitLast = fileURLToPath(new URL("./programs/faults/exit_last.c", import.meta.url));
const earlyExit = fileURLToPath(new URL("./programs/faults/early_exit.c", import.meta.url));

interface TraceJson {
  violation: { kind: string; message: string; actor: string | null };
  steps: { step: number; actor_name: string; transition: string }[];
}

const inTempDir = tempDirs("isomc-replay-log-");

/** The caller's environment without anything that would change the runtime's mode. */
function cleanEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("ISOMC_") && name !== "ISOMC_ZIG" && name !== "ISOMC_ROOT") {
      delete env[name];
    }
  }
  return { ...env, ...extra };
}

async function replayAlone(
  bin: string,
  dir: string,
): Promise<{ code: number; signal: Deno.Signal | null; stderr: string }> {
  const out = await new Deno.Command(bin, {
    cwd: dir,
    env: cleanEnv({ ISOMC_REPLAY: "t.json" }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, signal: out.signal, stderr: new TextDecoder().decode(out.stderr) };
}

/** Checks `bin` with the given options, writes its trace to dir/t.json and returns it. */
async function counterexample(
  bin: string,
  dir: string,
  options: readonly string[] = [],
): Promise<TraceJson> {
  const r = await runCli(["check", ...options, "--trace-out=t.json", "--", bin], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  return JSON.parse(await Deno.readTextFile(`${dir}/t.json`)) as TraceJson;
}

/** The step lines of a replay log: `N. ACTOR: TRANSITION`. */
function logSteps(stderr: string): string[] {
  return lines(stderr).filter((l) => /^\[isomc\] \d+\. /.test(l)).map((l) =>
    l.slice("[isomc] ".length)
  );
}

Deno.test("a counterexample names element 0 of an array flag[0], beside flag[1], and the comm a waitany took", async () => {
  const bin = await buildProgram(kinds);
  await inTempDir(async (dir) => {
    const trace = await counterexample(bin, dir);
    const steps = trace.steps.map((s) => `${s.actor_name}: ${s.transition}`);
    for (
      const expected of [
        "writer: store(flag[0], 1)",
        "writer: store(flag[1], 2)",
        "writer: fetch_add(turn, 1)",
        "writer: cas(cells[2], 0, 5)",
        "writer: load(flag[1])",
        "receiver: waitany([2.1*, 2.2*]) -> comm 2.2",
      ]
    ) assert.ok(steps.includes(expected), `${expected} is not in:\n${steps.join("\n")}`);
  });
});

Deno.test("a replay's step log reads line for line like the counterexample, under ISOMC_REPLAY and isomc replay", async () => {
  const bin = await buildProgram(kinds);
  await inTempDir(async (dir) => {
    const trace = await counterexample(bin, dir);
    const expected = trace.steps.map((s) => `${s.step}. ${s.actor_name}: ${s.transition}`);
    assert.ok(expected.length >= 20, expected.join("\n"));

    const alone = await replayAlone(bin, dir);
    assert.equal(alone.signal, "SIGABRT", alone.stderr);
    assert.deepEqual(logSteps(alone.stderr), expected);

    const viaCli = await runCli(["replay", "t.json", "--", bin], { cwd: dir });
    assert.equal(viaCli.code, 1, viaCli.stderr);
    assert.deepEqual(logSteps(viaCli.stderr), expected);
  });
});

Deno.test("exit(3) in actor B with nobody else left: 'actor B called exit(3); no other actor was unfinished'", async () => {
  const bin = await buildProgram(exitLast);
  await inTempDir(async (dir) => {
    const trace = await counterexample(bin, dir, ["--reduction=none"]);
    const message = "actor B called exit(3); no other actor was unfinished";
    assert.deepEqual(trace.violation, { kind: "exit", message, actor: "B" });

    assert.deepEqual(trace.steps.map((s) => `${s.actor_name}: ${s.transition}`), [
      "A: yield()",
      "B: yield()",
    ]);

    const alone = await replayAlone(bin, dir);
    assert.equal(alone.code, 3, alone.stderr);
    assert.equal(lines(alone.stderr).at(-1), `isomc: exit: ${message} (step 2)`);

    const viaCli = await runCli(["replay", "--quiet", "t.json", "--", bin], { cwd: dir });
    assert.equal(viaCli.code, 1, viaCli.stderr);
    assert.equal(lines(viaCli.stderr).at(-1), `isomc: replay reproduced the exit: ${message}`);
  });
});

Deno.test("exit(0) in an actor while another is unfinished names it, under every strategy", async () => {
  const bin = await buildProgram(earlyExit);
  for (const restore of ["memory", "fork", "replay"]) {
    await inTempDir(async (dir) => {
      const trace = await counterexample(bin, dir, [`--restore=${restore}`, "--reduction=none"]);
      assert.deepEqual(trace.violation, {
        kind: "exit",
        message: "actor quitter called exit(0), leaving worker unfinished",
        actor: "quitter",
      }, restore);
    });
  }
});
