/**
 * The two trace readers — `isomc replay` (readTrace, lib/report/trace.ts) and the runtime under
 * ISOMC_REPLAY (native/src/runtime/trace.zig) — on one table of traces: each malformed one is
 * refused by both with exit 2 and the same one line (the position of a JSON syntax error is
 * the one place the wording may differ), never with a raw byte of the file; each valid
 * variation is followed by both, the same way. And `isomc replay` says, before running, when
 * the trace was recorded with another command.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { programMismatch } from "../lib/replay.ts";
import { buildProgram } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const source = fileURLToPath(new URL("./programs/replay/two_actors.c", import.meta.url));

const encoder = new TextEncoder();

function trace(fields: Record<string, unknown>): string {
  return JSON.stringify({ format: "isomc-trace", version: 1, steps: [], ...fields });
}

interface Refused {
  readonly what: string;
  readonly text: string | Uint8Array;
  /** The words after "is not an isomc trace: "; a RegExp where the readers may differ. */
  readonly why: string | RegExp;
}

const refused: readonly Refused[] = [
  { what: "garbage with control bytes", text: "garbage\x01\x02\x1b[31m", why: /^not valid JSON/ },
  { what: "an empty file", text: "", why: "not valid JSON at line 1, column 1" },
  {
    what: "a trailing comma",
    text: '{"format": "isomc-trace", "steps": [],}',
    why: "not valid JSON at line 1, column 39",
  },
  {
    what: "a raw control character in a string",
    text: '{"format": "isomc\x07"}',
    why: "not valid JSON at line 1, column 18",
  },
  {
    what: "a JSON text cut short",
    text: '{\n  "format": "isomc-trace",\n  "steps": [',
    why: /^not valid JSON/,
  },
  {
    what: "bytes that are not UTF-8",
    text: new Uint8Array([0x7b, 0x22, 0xff, 0x22]),
    why: "not UTF-8 text",
  },
  { what: "an escape for half a character", text: '{"x": "\\ud800"}', why: /^not valid JSON/ },
  { what: "an array", text: "[1, 2]", why: "not a JSON object" },
  {
    what: "another format",
    text: trace({ format: "other" }),
    why: '"format" is not "isomc-trace"',
  },
  { what: "no format", text: '{"version": 1, "steps": []}', why: '"format" is not "isomc-trace"' },
  {
    what: "version 99",
    text: trace({ version: 99 }),
    why: "version 99 (this isomc reads version 1)",
  },
  {
    what: 'version "1"',
    text: trace({ version: "1" }),
    why: '"version" is not a version number (this isomc reads version 1)',
  },
  {
    what: "version 1.5",
    text: trace({ version: 1.5 }),
    why: '"version" is not a version number (this isomc reads version 1)',
  },
  {
    what: "no version",
    text: '{"format": "isomc-trace", "steps": []}',
    why: 'no "version" (this isomc reads version 1)',
  },
  {
    what: "no steps",
    text: '{"format": "isomc-trace", "version": 1}',
    why: '"steps" is not an array',
  },
  {
    what: "steps as an object",
    text: trace({ steps: { actor: 1 } }),
    why: '"steps" is not an array',
  },
  ...([
    ['"actor": "1"', { actor: "1" }],
    ["actor 0", { actor: 0 }],
    ["actor 1.5", { actor: 1.5 }],
    ["actor 2^32", { actor: 2 ** 32 }],
    ["no actor", { choice: 0 }],
    ["choice -1", { actor: 1, choice: -1 }],
    ['"choice": "0"', { actor: 1, choice: "0" }],
    ["choice true", { actor: 1, choice: true }],
  ] as const).map(([what, step]) => ({
    what: `a second step with ${what}`,
    text: trace({ steps: [{ actor: 1 }, step] }),
    why: 'step 2 needs an "actor" (>= 1) and a "choice" (>= 0)',
  })),
  {
    what: "a step that is a number",
    text: trace({ steps: [1] }),
    why: 'step 1 needs an "actor" (>= 1) and a "choice" (>= 0)',
  },
  ...([["an unknown kind", { kind: "boom" }], ["a string", "crash"], ["no kind", {}]] as const)
    .map(([what, violation]) => ({
      what: `a violation with ${what}`,
      text: trace({ violation }),
      why:
        '"violation.kind" is not one of deadlock, assertion, crash, exit, timeout, data-race, liveness, non-progress',
    })),
  // A lasso says where its cycle starts: an index into the steps, from 0 to their number.
  ...([
    ["no cycle_start", {}],
    ["cycle_start past the steps", { cycle_start: 2 }],
    ["cycle_start -1", { cycle_start: -1 }],
    ["cycle_start 0.5", { cycle_start: 0.5 }],
    ['cycle_start "0"', { cycle_start: "0" }],
  ] as const).map(([what, fields]) => ({
    what: `a lasso with ${what}`,
    text: trace({ steps: [{ actor: 1 }], violation: { kind: "liveness", ...fields } }),
    why: '"violation.cycle_start" is not a step index from 0 to 1',
  })),
];

interface Accepted {
  readonly what: string;
  readonly text: string | Uint8Array;
  /** What the program prints when it follows the trace. */
  readonly stdout: string;
}

const bFirst = "b1\na1\nb2\na2\nend\n";
const accepted: readonly Accepted[] = [
  { what: "a plain trace", text: trace({ steps: [{ actor: 2, choice: 0 }] }), stdout: bFirst },
  {
    what: "a byte-order mark",
    text: new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(trace({ steps: [{ actor: 2 }] }))]),
    stdout: bFirst,
  },
  {
    what: "integers written as 2.0 and 1e0, a null choice",
    text: '{"format": "isomc-trace", "version": 1e0, "steps": [{"actor": 2.0, "choice": null}]}',
    stdout: bFirst,
  },
  {
    what: "two equal keys (the last counts)",
    text:
      '{"format": "isomc-trace", "version": 1, "steps": [{"actor": 9}], "steps": [{"actor": 2}]}',
    stdout: bFirst,
  },
  {
    what: "fields of its own and a null violation",
    text: trace({ steps: [{ actor: 2, note: "\u00e9" }], violation: null, extra: [1, { a: 2 }] }),
    stdout: bFirst,
  },
  {
    what: "structured steps (source, kind, what matched), of the right types or not",
    text: trace({
      steps: [
        { actor: 2, kind: "yield", source: "a.c:3", partner: null, location: { file: "a.c" } },
      ],
      stats: { executions: "many" },
    }),
    stdout: bFirst,
  },
  {
    what: "a valid escape pair",
    text: trace({ steps: [{ actor: 1, actor_name: "\ud83d\ude00" }] }),
    stdout: "a1\nb1\na2\nb2\nend\n",
  },
];

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

interface Outcome {
  readonly code: number;
  readonly signal?: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
}

const text = new TextDecoder();

/** Both readers on the trace file `name` in `dir`. */
async function bothReaders(
  bin: string,
  dir: string,
  name: string,
): Promise<{ cli: Outcome; runtime: Outcome }> {
  const cli = await runCli(["replay", "--quiet", name, "--", bin], { cwd: dir });
  const out = await new Deno.Command(bin, {
    cwd: dir,
    env: cleanEnv({ ISOMC_REPLAY: name, ISOMC_VERBOSE: "0" }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    cli,
    runtime: {
      code: out.code,
      signal: out.signal,
      stdout: text.decode(out.stdout),
      stderr: text.decode(out.stderr),
    },
  };
}

const inTempDir = tempDirs("isomc-trace-readers-");

function write(path: string, content: string | Uint8Array): void {
  Deno.writeFileSync(path, typeof content === "string" ? encoder.encode(content) : content);
}

/** Exit 2, nothing on stdout, one line on stderr without a control character; its words. */
function refusal(o: Outcome, prefix: string, label: string): string {
  assert.equal(o.code, 2, `${label}: exit ${o.code}, stderr: ${o.stderr}`);
  assert.equal(o.stdout, "", label);
  const err = lines(o.stderr);
  assert.equal(err.length, 1, `${label}: one line expected, got: ${o.stderr}`);
  const raw = [...err[0]].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  assert.ok(!raw, `${label}: a raw byte in ${JSON.stringify(err[0])}`);
  assert.ok(err[0].startsWith(prefix), `${label}: ${err[0]}`);
  return err[0].slice(prefix.length);
}

Deno.test("both trace readers refuse each malformed trace with exit 2 and the same line", async () => {
  const bin = await buildProgram(source);
  await inTempDir(async (dir) => {
    for (const row of refused) {
      write(`${dir}/t.json`, row.text);
      const { cli, runtime } = await bothReaders(bin, dir, "t.json");
      const prefix = "isomc: t.json is not an isomc trace: ";
      const fromCli = refusal(cli, prefix, `${row.what} (isomc replay)`);
      const fromRuntime = refusal(runtime, prefix, `${row.what} (ISOMC_REPLAY)`);
      if (typeof row.why === "string") {
        assert.equal(fromCli, row.why, `${row.what} (isomc replay)`);
        assert.equal(fromRuntime, row.why, `${row.what} (ISOMC_REPLAY)`);
      } else {
        assert.match(fromCli, row.why, `${row.what} (isomc replay)`);
        assert.match(fromRuntime, row.why, `${row.what} (ISOMC_REPLAY)`);
      }
    }
  });
});

Deno.test("both trace readers follow each valid variation of a trace the same way", async () => {
  const bin = await buildProgram(source);
  await inTempDir(async (dir) => {
    for (const row of accepted) {
      write(`${dir}/t.json`, row.text);
      const { cli, runtime } = await bothReaders(bin, dir, "t.json");
      assert.equal(runtime.code, 0, `${row.what} (ISOMC_REPLAY): ${runtime.stderr}`);
      assert.equal(runtime.stdout, row.stdout, `${row.what} (ISOMC_REPLAY)`);
      // No violation recorded, none happened: exit 0; the program's output is the CLI's.
      assert.equal(cli.code, 0, `${row.what} (isomc replay): ${cli.stderr}`);
      assert.equal(cli.stdout, row.stdout, `${row.what} (isomc replay)`);
    }
  });
});

Deno.test("both trace readers follow a lasso's trace: to its end, or until its cycle cannot repeat", async () => {
  const bin = await buildProgram(source);
  await inTempDir(async (dir) => {
    // b's two steps, then a's; the run ends there, and its last state repeats forever.
    const steps = [{ actor: 2 }, { actor: 2 }, { actor: 1 }, { actor: 1 }];
    const lasso = (cycleStart: number): string =>
      trace({ steps, violation: { kind: "liveness", cycle_start: cycleStart, formula: "F x" } });
    write(`${dir}/t.json`, lasso(4));
    const { cli, runtime } = await bothReaders(bin, dir, "t.json");
    assert.equal(runtime.signal, "SIGABRT", runtime.stderr);
    assert.equal(runtime.stdout, "b1\nb2\na1\na2\n");
    assert.deepEqual(lines(runtime.stderr), [
      "isomc: liveness: the trace's 4 steps are done: the run ends here, and its last state repeats forever (step 4)",
    ]);
    // isomc replay runs the rest of main, as the check did to see the run end cleanly; the
    // runtime alone stops when the last actor returns, where the last state repeats.
    assert.equal(cli.code, 1, cli.stderr);
    assert.equal(cli.stdout, "b1\nb2\na1\na2\nend\n");
    assert.equal(
      lines(cli.stderr).at(-1),
      "isomc: replay reproduced the liveness violation: the run ends after the trace's 4 steps: its last state repeats forever",
    );
    // A cycle of a's two steps cannot run twice: a has finished. Both say so.
    write(`${dir}/t.json`, lasso(2));
    const again = await bothReaders(bin, dir, "t.json");
    assert.equal(again.runtime.signal, "SIGABRT");
    assert.deepEqual(lines(again.runtime.stderr), [
      "isomc: diverged: every actor has finished after 4 steps, before the lasso's cycle could repeat (step 4)",
    ]);
    assert.equal(again.cli.code, 2);
    assert.deepEqual(lines(again.cli.stderr), [
      "isomc: the trace does not fit this program: the run ended after 4 of the trace's 4 steps",
    ]);
  });
});

Deno.test("a trace's name with control characters and a missing trace: escaped, same line from both", async () => {
  const bin = await buildProgram(source);
  await inTempDir(async (dir) => {
    const name = "t\x1b[2J\u202e.json";
    write(`${dir}/${name}`, "not json");
    const { cli, runtime } = await bothReaders(bin, dir, name);
    const prefix = "isomc: t\\x1b[2J\\u{202e}.json is not an isomc trace: ";
    assert.match(refusal(cli, prefix, "isomc replay"), /^not valid JSON/);
    assert.match(refusal(runtime, prefix, "ISOMC_REPLAY"), /^not valid JSON/);

    const missing = await bothReaders(bin, dir, "missing.json");
    const line = "isomc: cannot read the trace missing.json: ";
    assert.equal(refusal(missing.cli, line, "isomc replay"), "no such file");
    assert.equal(refusal(missing.runtime, line, "ISOMC_REPLAY"), "no such file");
  });
});

Deno.test("programMismatch: the file name and the arguments count, the directory does not", () => {
  assert.equal(programMismatch(["./app", "x"], "/elsewhere/app", ["x"]), null);
  assert.equal(programMismatch([], "./other", []), null);
  assert.equal(
    programMismatch(["./app", "x"], "./other", ["x", "y z"]),
    "the trace was recorded with `./app x`, not `./other x 'y z'`; replaying it anyway",
  );
  assert.equal(
    programMismatch(["./app"], "./app", ["extra"]),
    "the trace was recorded with `./app`, not `./app extra`; replaying it anyway",
  );
});

Deno.test("isomc replay says before running that the trace was recorded with another program", async () => {
  const bin = await buildProgram(source);
  await inTempDir(async (dir) => {
    await Deno.copyFile(bin, `${dir}/other`);
    write(`${dir}/t.json`, trace({ program: ["./app"], steps: [{ actor: 2 }] }));
    const r = await runCli(["replay", "--quiet", "t.json", "--", "./other"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, bFirst);
    const err = lines(r.stderr);
    assert.equal(
      err[0],
      "isomc: the trace was recorded with `./app`, not `./other`; replaying it anyway",
    );
    // Nothing is said when it is the same program, wherever it is.
    write(`${dir}/same.json`, trace({ program: ["/somewhere/other"], steps: [{ actor: 2 }] }));
    const same = await runCli(["replay", "--quiet", "same.json", "--", "./other"], { cwd: dir });
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /recorded with/);
  });
});
