/**
 * Pictures of every kind of violation, through the real CLI: `isomc check --svg --html` draws
 * the counterexample of a deadlock, an assertion, a crash, an exit and a timeout, and `isomc
 * show` says and draws the same from the trace file alone (the same words, the same bytes); a
 * lasso of the liveness search (a hand-written trace with cycle_start) is drawn with its cycle.
 * Bad input to `show` gets one line and exit 2.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readTrace } from "../lib/report/trace.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const inTempDir = tempDirs("isomc-pictures-");

interface Kind {
  readonly kind: string;
  readonly source: string;
  readonly options: readonly string[];
  /** The actors the chart must name. */
  readonly actors: readonly string[];
  /** The class of the mark at the end: the violation, or a deadlock's waits. */
  readonly mark: "mark violation" | "mark blocked";
}

const kinds: readonly Kind[] = [
  {
    kind: "deadlock",
    source: "tests/programs/report/deadlock.c",
    options: [],
    actors: ["a", "b"],
    mark: "mark blocked",
  },
  {
    kind: "assertion",
    source: "tests/programs/report/exchange.c",
    options: [],
    actors: ["a", "b", "main"],
    mark: "mark violation",
  },
  {
    kind: "crash",
    source: "examples/segfault.c",
    options: [],
    actors: ["worker", "admin"],
    mark: "mark violation",
  },
  {
    kind: "exit",
    source: "tests/programs/faults/early_exit.c",
    options: [],
    actors: ["quitter", "worker"],
    mark: "mark violation",
  },
  {
    kind: "timeout",
    source: "tests/programs/faults/endless_loop.c",
    options: ["--timeout=1"],
    actors: ["spinner"],
    mark: "mark violation",
  },
];

const count = (text: string, needle: string): number => text.split(needle).length - 1;

for (const k of kinds) {
  Deno.test(`${k.kind}: check --svg --html draws it, show says and draws the same from the file`, async () => {
    const program = await buildProgram(join(repoRoot, k.source));
    await inTempDir(async (dir) => {
      const r = await runCli([
        "check",
        ...k.options,
        "--trace-out=t.json",
        "--svg=c.svg",
        "--html=c.html",
        "--",
        program,
      ], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(lines(r.stdout)[0].startsWith(`isomc: violation found: ${k.kind}`), true);
      const trace = readTrace(join(dir, "t.json"));
      assert.equal(trace.violation?.kind, k.kind);
      const svg = await Deno.readTextFile(join(dir, "c.svg"));
      assert.ok(svg.startsWith("<svg "), "an SVG document");
      for (const actor of k.actors) assert.ok(svg.includes(`>${actor}</text>`), actor);
      assert.equal(count(svg, 'class="lifeline"'), k.actors.length);
      assert.equal(
        count(svg, 'class="step"') + count(svg, 'class="step failing"'),
        trace.steps.length,
      );
      assert.equal(count(svg, `class="${k.mark}"`), k.kind === "deadlock" ? 2 : 1);
      assert.equal(count(svg, 'class="step failing"'), k.kind === "deadlock" ? 0 : 1);
      const page = await Deno.readTextFile(join(dir, "c.html"));
      assert.ok(page.startsWith("<!DOCTYPE html>"));
      assert.ok(page.includes(svg.trimEnd()), "the page holds the chart");
      // Self-contained: nothing to fetch, nothing to run (the SVG namespace is a name only).
      assert.doesNotMatch(page, /<script|<link|<img|<iframe|\ssrc=|\shref=|@import|url\([^#]/);
      // Each step's source line, and the text of that line from the file.
      const source = (await Deno.readTextFile(join(repoRoot, k.source))).split("\n");
      for (const s of trace.steps) {
        assert.ok(s.location !== undefined, `step ${s.step} has a location`);
        const line = source[s.location.line - 1].trim();
        assert.ok(page.includes(s.source ?? "?"), `step ${s.step}'s source`);
        assert.ok(page.includes(escapeHtml(line)), `the text of line ${s.location.line}`);
      }

      // show: the report's counterexample, word for word, from the file alone.
      const shown = await runCli(["show", "t.json"], { cwd: dir });
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(shown.stderr, "");
      const checked = lines(r.stdout);
      const said = lines(shown.stdout);
      const end = checked.findIndex((l) => l.startsWith("Explored "));
      assert.deepEqual(said.slice(0, end), checked.slice(0, end));
      // The statistics, as the check said them (the rate may round apart).
      assert.equal(said[end].split(" s (")[0], checked[end].split(" s (")[0]);
      assert.ok(said.some((l) => l.endsWith(` replay t.json -- ${program}`)), shown.stdout);

      const again = await runCli(["show", "--svg=s.svg", "--html=s.html", "t.json"], { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, "");
      assert.equal(await Deno.readTextFile(join(dir, "s.svg")), svg, "the same chart");
      assert.equal(await Deno.readTextFile(join(dir, "s.html")), page, "the same page");
    });
  });
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** A lasso as the liveness search writes it: a prefix, then a cycle from cycle_start. */
const lasso = {
  format: "isomc-trace",
  version: 1,
  program: ["./ring"],
  violation: {
    kind: "liveness",
    message: "an execution that violates G F served: a prefix, then a cycle forever",
    actor: null,
    formula: "G F served",
    cycle_start: 1,
    stutter: false,
  },
  timeout_ms: 10000,
  steps: [
    {
      step: 1,
      actor: 1,
      choice: 0,
      actor_name: "client",
      transition: "yield()",
      kind: "yield",
      source: "ring.c:4",
    },
    {
      step: 2,
      actor: 2,
      choice: 0,
      actor_name: "server",
      transition: "load(turn)",
      kind: "load",
      source: "ring.c:9",
    },
    {
      step: 3,
      actor: 2,
      choice: 0,
      actor_name: "server",
      transition: "yield()",
      kind: "yield",
      source: "ring.c:10",
    },
  ],
};

Deno.test("a liveness lasso (hand-written): its cycle bracketed, show marks where it repeats", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "lasso.json"), JSON.stringify(lasso));
    const r = await runCli(["show", "--svg=l.svg", "--html=l.html", "lasso.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const svg = await Deno.readTextFile(join(dir, "l.svg"));
    assert.equal(count(svg, 'class="cycle"'), 1);
    assert.ok(svg.includes("steps 2 to 3 repeat forever"));
    assert.equal(count(svg, 'class="step failing"'), 0);
    for (const actor of ["client", "server"]) assert.ok(svg.includes(`>${actor}</text>`));
    const page = await Deno.readTextFile(join(dir, "l.html"));
    assert.equal(count(page, '<tr class="cycle">'), 2);
    assert.ok(page.includes("G F served"));
    const said = lines((await runCli(["show", "lasso.json"], { cwd: dir })).stdout);
    assert.deepEqual(said.slice(0, 9), [
      "isomc: violation found: liveness",
      "  an execution that violates G F served: a prefix, then a cycle forever",
      "",
      "Counterexample (1 step, then a cycle of 2 steps repeated forever):",
      "  1. client: yield()      ring.c:4",
      "     --- the cycle repeats from step 2 ---",
      "  2. server: load(turn)   ring.c:9",
      "  3. server: yield()      ring.c:10",
      "     => back to the state before step 2: steps 2..3 repeat forever",
    ]);
  });
});

Deno.test("a trace without a violation is shown as its steps; a page reads C sources only", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "secret.txt"), "do not copy me\n");
    await Deno.writeTextFile(join(dir, "app.c"), "int x;\n  isomc_yield();\n");
    const at = (path: string, line: number): Record<string, unknown> => ({
      source: `${path}:${line}`,
      location: { file: path, path: join(dir, path), line },
    });
    const trace = {
      format: "isomc-trace",
      version: 1,
      program: [],
      violation: null,
      steps: [
        { actor: 1, actor_name: "p", transition: "yield()", ...at("app.c", 2) },
        { actor: 2, actor_name: "q", transition: "yield()", ...at("secret.txt", 1) },
      ],
    };
    await Deno.writeTextFile(join(dir, "t.json"), JSON.stringify(trace));
    const r = await runCli(["show", "t.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      "isomc: the trace records no violation, in 2 steps:",
      "  1. p: yield()   app.c:2",
      "  2. q: yield()   secret.txt:1",
    ]);
    const page = await runCli(["show", "--html=p.html", "t.json"], { cwd: dir });
    assert.equal(page.code, 0, page.stderr);
    const html = await Deno.readTextFile(join(dir, "p.html"));
    assert.ok(html.includes('<td class="line mono">isomc_yield();</td>'));
    assert.ok(!html.includes("do not copy me"), "a file that is not a C source is not read");
    assert.ok(html.includes("the trace records no violation"));
  });
});

Deno.test("show refuses what is not a trace, a missing one, two, and an unwritable output, each with one line", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "bad.json"),
      '{"format": "isomc-trace", "version": 2, "steps": []}',
    );
    await Deno.writeTextFile(join(dir, "lasso.json"), JSON.stringify(lasso));
    const cases: [string[], number, string][] = [
      [
        ["show", "bad.json"],
        2,
        "isomc: bad.json is not an isomc trace: version 2 (this isomc reads version 1)",
      ],
      [["show", "missing.json"], 2, "isomc: cannot read the trace missing.json: no such file"],
      [["show"], 2, "isomc: show: no trace given (isomc show TRACE)"],
      [["show", "lasso.json", "bad.json"], 2, "isomc: show: one trace at a time (got 2)"],
      [["show", "--svg=", "lasso.json"], 2, "isomc: --svg needs a file name"],
      [
        ["show", "--svg=no/such/dir/x.svg", "lasso.json"],
        2,
        "isomc: cannot write the chart to no/such/dir/x.svg: no such directory no/such/dir",
      ],
      [
        ["show", "--html=.", "lasso.json"],
        2,
        "isomc: cannot write the page to .: it is a directory",
      ],
      [
        ["show", "--png=x", "lasso.json"],
        2,
        "isomc: show: unknown option '--png' (see isomc show --help; the program and its arguments go after --)",
      ],
    ];
    for (const [args, code, line] of cases) {
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.deepEqual(lines(r.stderr), [line], args.join(" "));
      assert.equal(r.stdout, "", args.join(" "));
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "bad.json",
      "lasso.json",
    ]);
    const help = await runCli(["show", "--help"], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: isomc show \[options\] TRACE/);
  });
});

Deno.test("check: an output path that cannot be written is refused before the search", async () => {
  const program = await buildProgram(join(repoRoot, "tests/programs/report/exchange.c"));
  await inTempDir(async (dir) => {
    for (const option of ["svg", "html", "dot"]) {
      const extra = option === "dot" ? ["--reduction=none"] : [];
      const r = await runCli(["check", ...extra, `--${option}=no/x`, "--", program], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(lines(r.stderr), [
        `isomc: cannot write --${option} to no/x: no such directory no`,
      ]);
    }
    // No counterexample, nothing drawn: said on stderr, the verdict stands.
    const ok = await buildProgram(join(repoRoot, "tests/programs/report/lines.c"));
    const r = await runCli(["check", "--svg=c.svg", "--", ok], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "isomc: no counterexample: no chart written\n");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});
