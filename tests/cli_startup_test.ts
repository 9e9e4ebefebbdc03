/**
 * What `isomc --version` and `isomc help` load (issue 10, start-up): the entry point, the
 * dispatcher, the help texts and the error classes, nothing else. Each command's modules are
 * imported when that command runs (lib/cli/main.ts), so these run in a scratch copy of the
 * repository that holds only those four files: a static import of anything more would fail
 * there with "Module not found".
 *
 * And what a plain `isomc check` loads: no LTL, liveness or parallel module, no chart or state
 * graph (they are imported when --ltl, --never, --non-progress, --jobs, --coordinator, --svg,
 * --html or --dot ask for them). It runs in a copy of lib/ without those modules, the native
 * libraries linked in from the repository.
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";

const needed = ["cli.ts", "lib/cli/main.ts", "lib/cli/help.ts", "lib/errors.ts"];

async function inLeanCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-startup-" });
  try {
    for (const file of needed) {
      await Deno.mkdir(dirname(join(dir, file)), { recursive: true });
      await Deno.copyFile(join(repoRoot, file), join(dir, file));
    }
    await Deno.copyFile(join(repoRoot, "deno.json"), join(dir, "deno.json"));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(dir: string, args: readonly string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(dir, "cli.ts"), ...args],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

Deno.test("isomc --version and isomc help load no module of any command", async () => {
  await inLeanCopy(async (dir) => {
    // (`isomc check --help` is the check command's own: it loads that command's modules.)
    for (const args of [["--version"], ["help"], ["--help"], ["help", "check"], ["help", "ltl"]]) {
      const out = await run(dir, args);
      assert.equal(out.code, 0, `${args.join(" ")}: ${text(out.stderr)}`);
      assert.equal(text(out.stderr), "", args.join(" "));
      assert.notEqual(text(out.stdout), "", args.join(" "));
    }
    const unknown = await run(dir, ["nosuch"]);
    assert.equal(unknown.code, 2);
    assert.equal(text(unknown.stderr), "isomc: unknown command 'nosuch' (try: isomc --help)\n");
  });
});

/** The modules a check loads only when its options ask for them (relative to the root). */
const optional = [
  "lib/ltl/",
  "lib/liveness/",
  "lib/parallel/",
  "lib/check/parallel.ts",
  "lib/cli/liveness_options.ts",
  "lib/cli/charts.ts",
  "lib/report/liveness.ts",
  "lib/report/chart.ts",
  "lib/report/chart_svg.ts",
  "lib/report/html_page.ts",
  "lib/report/svg.ts",
  "lib/report/dot.ts",
  "lib/report/state_graph.ts",
];

async function copyTree(from: string, to: string, keep: (rel: string) => boolean): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const rel = relative(repoRoot, source) + (entry.isDirectory ? "/" : "");
    if (!keep(rel)) continue;
    if (entry.isDirectory) {
      await Deno.mkdir(join(to, entry.name));
      await copyTree(source, join(to, entry.name), keep);
    } else if (entry.isFile) {
      await Deno.copyFile(source, join(to, entry.name));
    }
  }
}

/** A copy of the checker without the optional modules; the native build is the repository's. */
async function inCheckCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-startup-check-" });
  try {
    await Deno.copyFile(join(repoRoot, "cli.ts"), join(dir, "cli.ts"));
    await Deno.copyFile(join(repoRoot, "deno.json"), join(dir, "deno.json"));
    await Deno.mkdir(join(dir, "lib"));
    await copyTree(join(repoRoot, "lib"), join(dir, "lib"), (rel) => !optional.includes(rel));
    await Deno.mkdir(join(dir, "native"));
    await Deno.symlink(join(repoRoot, "native", "zig-out"), join(dir, "native", "zig-out"));
    await Deno.symlink(join(repoRoot, "include"), join(dir, "include"));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a plain check loads no LTL, liveness, parallel, chart or graph module", async () => {
  const ok = await buildProgram("examples/pingpong.c");
  const bank = await buildProgram("examples/bank.c");
  await inCheckCopy(async (dir) => {
    const trace = join(dir, "bank.trace.json");
    // A verdict of ok, and a violation with its counterexample written, as JSON and for people.
    for (const args of [["--json", ok], [ok], ["--json", `--trace-out=${trace}`, bank]]) {
      const out = await run(dir, ["check", ...args]);
      const what = args.join(" ");
      assert.equal(text(out.stderr), "", what);
      assert.equal(out.code, args.includes(bank) ? 1 : 0, what);
    }
    const human = await run(dir, ["check", `--trace-out=${trace}`, bank]);
    assert.equal(human.code, 1, text(human.stderr));
    assert.match(text(human.stdout), /^isomc: violation found: /);
    // The copy does lack them: a check that needs the LTL modules cannot run in it.
    const ltl = await run(dir, ["check", "--ltl=G !@progress", ok]);
    assert.notEqual(ltl.code, 0);
    assert.match(text(ltl.stderr), /lib\/cli\/liveness_options\.ts/);
  });
});
