/**
 * The bundled examples (examples/*.c) on real processes: each one gets the verdict its header
 * states, ok examples in their exact number of executions, and every counterexample replays
 * outside the checker to the same violation. One test goes through the CLI's --json report.
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { check } from "../lib/check.ts";
import type { ViolationKind } from "../lib/explore/target.ts";
import { replay } from "../lib/replay.ts";
import { buildTrace, readTrace, writeTrace } from "../lib/report/trace.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const examplesDir = join(repoRoot, "examples");

interface Example {
  readonly name: string;
  readonly kind: ViolationKind | null;
  /** Executions with --reduction=none; for a violation, up to and including the one found. */
  readonly executions?: number;
  readonly maxDepth?: number;
}

const examples: readonly Example[] = [
  { name: "philosophers", kind: "deadlock" },
  // 3 messages: 2 orders of the first two posts, 6 interleavings of each side's wait and next
  // post between two messages, 2 orders of the last two waits: 2 * 6 * 6 * 2.
  { name: "pingpong", kind: null, executions: 144, maxDepth: 12 },
  { name: "bank", kind: "assertion" },
  // Observed, and the same in an independent model of the runtime's semantics (no closed form).
  { name: "leader_ring", kind: null, executions: 355, maxDepth: 12 },
  // 34^(ITEMS - 1) with ITEMS = 3 (observed; 34, 1156, 39304 for 2, 3, 4 items in the model).
  { name: "prodcons", kind: null, executions: 1156, maxDepth: 24 },
  // The checker takes the values in increasing order: readings 0..39 each give the 4 orders of
  // the two posts and the two waits, and the first execution with 40 fails: 40 * 4 + 1.
  { name: "random_bug", kind: "assertion", executions: 161 },
  { name: "segfault", kind: "crash" },
];

/** The verdict an example's header states: "Expected verdict: ok" or "violation, KIND". */
function statedVerdict(source: string): ViolationKind | null {
  const m = source.match(/Expected verdict: (ok|violation, (\w+))\b/);
  assert.ok(m !== null, "the header has no 'Expected verdict:' line");
  return m[1] === "ok" ? null : m[2] as ViolationKind;
}

const inTempDir = tempDirs("isomc-examples-");

Deno.test("every example is tested here, with the verdict and count its header states", async () => {
  const files = [...Deno.readDirSync(examplesDir)]
    .filter((e) => e.isFile && e.name.endsWith(".c"))
    .map((e) => basename(e.name, ".c"))
    .sort();
  assert.deepEqual(files, examples.map((e) => e.name).sort());
  for (const e of examples) {
    const source = await Deno.readTextFile(join(examplesDir, `${e.name}.c`));
    assert.equal(statedVerdict(source), e.kind, e.name);
    if (e.kind === null) {
      assert.ok(source.includes(`${e.executions} executions`), `${e.name}: the count`);
    }
  }
});

for (const e of examples) {
  const verdict = e.kind === null ? "ok" : `violation (${e.kind}), replayed`;
  Deno.test(`examples/${e.name}.c: ${verdict}`, async () => {
    const program = await buildProgram(`examples/${e.name}.c`);
    const r = await check(program, [], { reduction: "none", visited: false });
    if (e.executions !== undefined) assert.equal(r.stats.executions, e.executions);
    if (e.maxDepth !== undefined) assert.equal(r.stats.maxDepth, e.maxDepth);
    if (e.kind === null) {
      assert.equal(r.verdict, "ok", r.violation?.message);
      assert.equal(r.incomplete, null);
      return;
    }
    assert.equal(r.verdict, "violation");
    assert.ok(r.violation !== null);
    assert.equal(r.violation.kind, e.kind, r.violation.message);
    await inTempDir(async (dir) => {
      const tracePath = join(dir, "trace.json");
      writeTrace(tracePath, buildTrace([program], r.violation!, r.names, 10_000));
      const again = await replay(tracePath, program, [], { quietProgram: true, verbose: false });
      assert.equal(again.observed, e.kind, again.message);
      assert.equal(again.expected, e.kind);
      assert.ok(again.reproduced);
    });
  });
}

Deno.test("examples/philosophers.c: the deadlock is all three holding their left fork", async () => {
  const r = await check(await buildProgram("examples/philosophers.c"), [], {
    reduction: "none",
    visited: false,
  });
  assert.deepEqual(r.violation?.trace.map((s) => s.step.actor), [1, 2, 3]);
  assert.ok(r.violation?.blocked?.transitions.every((t) => !t.enabled));
});

Deno.test("examples/random_bug.c: the bug is the reading 40 and nothing below", async () => {
  const r = await check(await buildProgram("examples/random_bug.c"), [], {
    reduction: "none",
    visited: false,
  });
  const draws = r.violation?.trace.filter((s) => s.transition.choices > 1) ?? [];
  assert.equal(draws.length, 1);
  // random(0, 40): the choice is the value minus 0.
  assert.equal(draws[0].step.choice, 40);
  assert.equal(r.names.actors.get(r.violation?.actor ?? 0), "logger");
});

Deno.test("examples/segfault.c: the crash needs the admin's NULL between the worker's loads", async () => {
  const r = await check(await buildProgram("examples/segfault.c"), [], {
    reduction: "none",
    visited: false,
  });
  assert.equal(r.violation?.kind, "crash");
  assert.equal(r.names.actors.get(r.violation?.actor ?? 0), "worker");
  // The counterexample ends with the worker's second load, after the admin's store of NULL.
  const steps = r.violation?.trace ?? [];
  const names = steps.map((s) => r.names.actors.get(s.step.actor));
  assert.equal(names.at(-1), "worker");
  assert.ok(names.includes("admin"));
  // Not the first execution: the default order (worker first, to its end) runs fine.
  assert.ok(r.stats.executions > 1);
});

Deno.test("examples/bank.c with the lock taken: ok in 2 executions (who locks first)", async () => {
  const program = await buildProgram("examples/bank.c", ["-DTAKE_THE_LOCK"]);
  const r = await check(program, [], { reduction: "none", visited: false });
  assert.equal(r.verdict, "ok", r.violation?.message);
  assert.equal(r.stats.executions, 2);
  // Each execution: 2 tellers x (lock, 2 loads, 2 stores, unlock).
  assert.equal(r.stats.maxDepth, 12);
});

// ---- Through the CLI -----------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

Deno.test("isomc check --json on the philosophers: one JSON object, exit 1, a trace that replays", async () => {
  const program = await buildProgram("examples/philosophers.c");
  await inTempDir(async (dir) => {
    const tracePath = join(dir, "deadlock.json");
    const r = await runCli([
      "check",
      "--json",
      "--reduction=none",
      "--no-visited",
      `--trace-out=${tracePath}`,
      "--",
      program,
    ]);
    assert.equal(r.code, 1, r.stderr);
    // Exactly one JSON value on stdout, an object, on one line.
    const text = r.stdout.trimEnd();
    assert.ok(!text.includes("\n"), r.stdout);
    const report: unknown = JSON.parse(text);
    assert.ok(isRecord(report));
    assert.equal(report.verdict, "violation");

    const v = report.violation;
    assert.ok(isRecord(v));
    assert.equal(v.kind, "deadlock");
    assert.equal(typeof v.message, "string");
    assert.ok(v.actor === null || typeof v.actor === "string");

    const s = report.stats;
    assert.ok(isRecord(s));
    for (const key of ["executions", "states", "transitions", "max_depth"]) {
      assert.ok(Number.isInteger(s[key]) && (s[key] as number) > 0, key);
    }
    assert.equal(typeof s.seconds, "number");
    // The same exploration as the library call.
    const direct = await check(program, [], { reduction: "none", visited: false });
    assert.equal(s.executions, direct.stats.executions);
    assert.equal(s.states, direct.stats.states);
    assert.equal(s.transitions, direct.stats.transitions);
    assert.equal(s.max_depth, direct.stats.maxDepth);

    assert.ok(Array.isArray(report.trace));
    assert.equal(report.trace.length, 3);
    for (const [i, step] of report.trace.entries()) {
      assert.ok(isRecord(step));
      assert.equal(step.step, i + 1);
      assert.ok(Number.isInteger(step.actor));
      assert.equal(typeof step.actor_name, "string");
      assert.equal(typeof step.transition, "string");
    }

    // The file holds the same steps and violation, and replays to the deadlock.
    const trace = readTrace(tracePath);
    assert.deepEqual(trace.steps, report.trace);
    assert.equal(trace.violation?.kind, "deadlock");
    const again = await replay(tracePath, program, [], { quietProgram: true, verbose: false });
    assert.equal(again.observed, "deadlock", again.message);
    assert.ok(again.reproduced);
  });
});
