/**
 * `./isomc test` (deno task test): the whole test suite — the Zig unit tests in Debug and
 * ReleaseSafe, deno fmt --check, deno lint, deno check, and the Deno tests — then one summary
 * line, `N passed, N failed`, counted from the real runs (Zig's build summary and Deno's JUnit
 * report), which CI reads. Skipped tests (Deno's ignored tests and steps, e.g. the Slurm test
 * on a machine where the daemons cannot start) are not counted as passed: a line before the
 * summary names them.
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("../", import.meta.url));
const deno = Deno.execPath();
const zig = Deno.env.get("ISOMC_ZIG") ?? "zig";
const filters = Deno.args;

if (filters.includes("--help") || filters.includes("-h")) {
  console.log(`Usage: isomc test [FILES...]

Runs the whole test suite: the Zig unit tests (Debug and ReleaseSafe), deno fmt --check,
deno lint, deno check and the Deno tests, then one line: N passed, N failed. With FILES, only
those Deno tests (e.g. tests/cli_test.ts). A run that leaves new files in the checkout fails.

Exit codes: 0 all passed, 1 something failed.`);
  Deno.exit(0);
}

let passed = 0;
let failed = 0;
const failures: string[] = [];
const skipped: string[] = [];

async function run(cmd: string, args: string[], cwd = root): Promise<{ ok: boolean; out: string }> {
  const child = new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).spawn();
  const decoder = new TextDecoder();
  let out = "";
  const pump = async (
    stream: ReadableStream<Uint8Array>,
    sink: typeof Deno.stdout,
  ): Promise<void> => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { ok: status.success, out };
}

function check(name: string, ok: boolean): void {
  if (ok) {
    passed++;
  } else {
    failed++;
    failures.push(name);
  }
}

async function zigTests(): Promise<void> {
  console.log("== zig build test (Debug and ReleaseSafe)");
  const r = await run(zig, ["build", "test", "--summary", "all"], join(root, "native"));
  const m = r.out.match(/(\d+)\/(\d+) tests passed(?:; (\d+) failed)?/);
  if (m === null) {
    check("zig build test (did not run its tests)", false);
    return;
  }
  passed += Number(m[1]);
  const zigFailed = Number(m[2]) - Number(m[1]);
  failed += zigFailed;
  if (zigFailed > 0 || !r.ok) failures.push(`zig build test: ${zigFailed} failed`);
  if (!r.ok && zigFailed === 0) check("zig build test (build failed)", false);
}

async function denoChecks(): Promise<void> {
  console.log("== deno fmt --check");
  check("deno fmt --check", (await run(deno, ["fmt", "--check"])).ok);
  console.log("== deno lint");
  check("deno lint", (await run(deno, ["lint"])).ok);
  console.log("== deno check");
  check(
    "deno check",
    (await run(deno, ["check", "cli.ts", "mod.ts", "tests/", "bench/", "scripts/"])).ok,
  );
}

async function denoTests(): Promise<void> {
  console.log("== deno test");
  const dir = await Deno.makeTempDir({ prefix: "isomc-test-" });
  const junit = join(dir, "junit.xml");
  const args = [
    "test",
    "-A",
    `--junit-path=${junit}`,
    ...(filters.length > 0 ? filters : ["tests/"]),
  ];
  const r = await run(deno, args);
  let xml = "";
  try {
    xml = await Deno.readTextFile(junit);
  } catch {
    // no report: counted below as one failure
  }
  await Deno.remove(dir, { recursive: true });
  const suite = xml.match(
    /<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"[^>]*\berrors="(\d+)"/,
  );
  if (suite === null) {
    check("deno test (no JUnit report)", false);
    return;
  }
  const total = Number(suite[1]);
  const bad = Number(suite[2]) + Number(suite[3]);
  const ignored = casesWith(xml, /<skipped\b/);
  skipped.push(...ignored);
  passed += total - bad - ignored.length;
  failed += bad;
  if (bad > 0) failures.push(`deno test: ${bad} failed (${failedCases(xml).join("; ")})`);
  if (!r.ok && bad === 0) check("deno test (exited with failure)", false);
}

/** The names of the failed test cases in a JUnit report, with their file. */
function failedCases(xml: string): string[] {
  return casesWith(xml, /<(failure|error)\b/);
}

/** The names of the test cases (and steps) of a JUnit report whose body matches `mark`. */
function casesWith(xml: string, mark: RegExp): string[] {
  const names: string[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (m[3] === undefined || !mark.test(m[3])) continue;
    const name = m[1].match(/\bname="([^"]*)"/)?.[1] ?? "?";
    const file = m[1].match(/\bclassname="([^"]*)"/)?.[1] ?? "";
    names.push(file === "" ? name : `${file}: ${name}`);
  }
  return names;
}

/**
 * What the checkout holds besides its tracked files, as `git status` sees it (untracked and
 * ignored), build caches aside: a run of the suite must leave it as it found it (a test that
 * runs the CLI here would leave its counterexamples behind). null outside a git checkout.
 */
const caches = [".tools", ".isomc", ".zig-cache", "native/zig-out", "native/.zig-cache", "dist"];
function checkoutExtras(): Set<string> | null {
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command("git", {
      args: ["status", "--porcelain", "--ignored", "--untracked-files=all"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).outputSync();
  } catch {
    return null;
  }
  if (!out.success) return null;
  const entries = new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.startsWith("?? ") || l.startsWith("!! "))
    .map((l) => l.slice(3))
    .filter((path) => !caches.some((c) => path === c || path.startsWith(`${c}/`)));
  return new Set(entries);
}

const extrasBefore = checkoutExtras();
if (filters.length === 0) {
  await zigTests();
  await denoChecks();
}
await denoTests();

if (extrasBefore !== null) {
  const left = [...(checkoutExtras() ?? [])].filter((path) => !extrasBefore.has(path)).sort();
  if (left.length > 0) {
    console.log(`== the run left ${left.length} new file(s) in the checkout: ${left.join(", ")}`);
  }
  check(`files left in the checkout (${left.join(", ")})`, left.length === 0);
}

if (skipped.length > 0) console.log(`\nSkipped (${skipped.length}): ${skipped.join("; ")}`);
if (failures.length > 0) console.log(`\nFailed: ${failures.join("; ")}`);
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
