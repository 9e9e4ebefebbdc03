/**
 * The reductions on real programs: the exact counts of the classic DPOR benchmarks in
 * examples/dpor/ (those Nidhugg's optimal DPOR reports), the small counts of issue #4 on
 * compiled programs, and the same verdict with `none` and `odpor` for every example and every
 * test program that states one, or its executions without reduction (collected when the test
 * runs, so new ones are covered, each with every mode it compares argv[1] with).
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { check, type CheckResult, type Reduction } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";

/** The caller's environment without anything that would change the runtime's mode. */
function cleanEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("ISOMC_") && name !== "ISOMC_ZIG" && name !== "ISOMC_ROOT") {
      delete env[name];
    }
  }
  return env;
}

async function run(
  source: string,
  args: readonly string[],
  reduction?: Reduction,
  maxExecutions?: number,
): Promise<CheckResult> {
  return await check(await buildProgram(source), args, {
    reduction,
    // Execution counts are compared: no pruning of visited states.
    visited: false,
    maxExecutions,
    // Programs whose executions never end (checked statefully elsewhere) are cut, then skipped.
    maxDepth: 1000,
    timeoutMs: 5000,
    env: cleanEnv(),
  });
}

const benchmarks: [string, string, number][] = [
  ["examples/dpor/lastzero.c", "5", 64],
  ["examples/dpor/readers.c", "8", 256],
  ["examples/dpor/indexer.c", "12", 8],
  ["examples/dpor/filesystem.c", "16", 8],
];

for (const [source, n, executions] of benchmarks) {
  const name = source.replace(/^.*\/(.*)\.c$/, "$1");
  Deno.test(`${name}(${n}) with odpor: ${executions} executions, as Nidhugg's optimal DPOR`, async () => {
    const r = await run(source, [n], "odpor");
    assert.equal(r.verdict, "ok");
    assert.equal(r.stats.executions, executions);
    assert.equal(r.stats.sleepBlocked, 0);
    assert.equal(r.stats.wakeupInsertions, executions - 1);
  });
}

Deno.test("lastzero(2): 35 interleavings, 5 equivalence classes", async () => {
  const none = await run("examples/dpor/lastzero.c", ["2"], "none");
  assert.equal(none.stats.executions, 35);
  for (const reduction of ["sleep", "odpor"] as const) {
    const r = await run("examples/dpor/lastzero.c", ["2"], reduction);
    assert.equal(r.stats.executions, 5, reduction);
  }
  const s = await run("examples/dpor/lastzero.c", ["2"], "sdpor");
  assert.ok(s.stats.executions >= 5 && s.stats.executions <= 35);
});

Deno.test("odpor is the default: the small counts of issue #4 on compiled programs", async () => {
  const yields = await run("tests/programs/counts/three_yields.c", []);
  assert.equal(yields.stats.executions, 1);
  const storeLoad = await run("tests/programs/counts/store_load.c", []);
  assert.equal(storeLoad.verdict, "ok");
  assert.equal(storeLoad.stats.executions, 3);
  assert.equal(storeLoad.stats.sleepBlocked, 0);
});

// ---- Same verdict with and without reduction -----------------------------------------------

/** Every .c file under `dir` (relative to the repo), recursively. */
function sources(dir: string): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(join(repoRoot, dir))];
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...sources(path));
    else if (e.name.endsWith(".c")) out.push(path);
  }
  return out.sort();
}

/** The program's header comment states a verdict (or its executions without reduction). */
function statesVerdict(text: string): boolean {
  const header = text.match(/^\s*\/\*[\s\S]*?\*\//)?.[0] ?? "";
  return /verdict|executions \(reduction none\)/i.test(header);
}

/** The modes a program takes as argv[1] (compared with strcmp), and no argument at all. */
function modes(text: string): string[][] {
  const found = new Set<string>();
  for (const m of text.matchAll(/strcmp\(\s*(?:mode|argv\[1\])\s*,\s*"([^"]*)"\s*\)/g)) {
    found.add(m[1]);
  }
  for (const m of text.matchAll(/\bis\(\s*"([^"]*)"\s*\)/g)) found.add(m[1]);
  return [[], ...[...found].sort().map((m) => [m])];
}

Deno.test("every example and test program with a stated verdict: same verdict with none and odpor", async () => {
  const programs = [
    ...sources("examples").filter((p) => !p.startsWith("examples/dpor/")),
    ...sources("tests/programs"),
  ];
  const compared: string[] = [];
  const skipped: string[] = [];
  for (const source of programs) {
    const text = await Deno.readTextFile(join(repoRoot, source));
    if (!statesVerdict(text)) continue;
    for (const args of modes(text)) {
      const what = [relative(repoRoot, join(repoRoot, source)), ...args].join(" ");
      const full = await run(source, args, "none", 2000);
      if (full.verdict === "incomplete") {
        skipped.push(what);
        continue;
      }
      const reduced = await run(source, args, "odpor");
      assert.equal(reduced.verdict, full.verdict, what);
      assert.equal(reduced.violation?.kind, full.violation?.kind, what);
      assert.ok(reduced.stats.executions <= full.stats.executions, what);
      compared.push(what);
    }
  }
  // Examples and test programs exist with each verdict; a test that compares nothing is broken.
  assert.ok(compared.length >= 10, `compared only: ${compared.join(", ")}`);
  assert.ok(skipped.length <= compared.length, `skipped: ${skipped.join(", ")}`);
});
