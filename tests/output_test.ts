/**
 * The program's output is captured and rewound with the states the checker restores (issue 8,
 * items 14 and 18): the report and --json show the last lines of the failing execution's
 * stderr, and --show-output prints each execution's output whole and its own under every
 * restore strategy, byte for byte.
 */

import assert from "node:assert/strict";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { emptyMark, ProgramOutput } from "../lib/process/output.ts";

const strategies = ["memory", "fork", "replay"] as const;

/** What big_output.c prints in the execution that chose `c`. */
function bigOutput(c: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`common line ${String(i).padStart(6, "0")} of the output of both executions\n`);
  }
  for (let i = 0; i < lines; i++) {
    out.push(`execution ${c} line ${String(i).padStart(6, "0")}, its own\n`);
  }
  out.push(`end ${c}\n`);
  return out.join("");
}

Deno.test("--show-output: two executions of 3.4 MB each print exactly their own output", async () => {
  const binary = await buildProgram("tests/programs/state/big_output.c");
  const want = bigOutput(0, 40000) + bigOutput(1, 40000);
  assert.equal(want.length, 6_800_012);
  for (const restore of strategies) {
    // With --json the program's output goes to stderr, the report alone to stdout.
    const r = await runCli([
      "check",
      "--json",
      "--show-output",
      `--restore=${restore}`,
      "--",
      binary,
    ]);
    assert.equal(r.code, 0, `${restore}: ${r.stderr.slice(0, 200)}`);
    assert.equal(JSON.parse(r.stdout).stats.executions, 2, restore);
    assert.equal(r.stderr.length, want.length, `${restore}: byte count`);
    assert.ok(r.stderr === want, `${restore}: content`);
    // Without --json: the outputs on stdout, then the report.
    const human = await runCli(["check", "--show-output", `--restore=${restore}`, "--", binary]);
    assert.equal(human.code, 0, restore);
    assert.ok(human.stdout.startsWith(want), `${restore}: stdout`);
    assert.match(human.stdout.slice(want.length), /^isomc: no violation in 2 executions\.\n/);
  }
});

Deno.test("--show-output says when an execution was cut before its end", async () => {
  const binary = await buildProgram("tests/programs/state/big_output.c");
  for (const restore of strategies) {
    // 200 lines are more than stdio's buffer: each cut execution has printed some of them.
    const r = await runCli([
      "check",
      "--show-output",
      "--max-depth=1",
      `--restore=${restore}`,
      "--",
      binary,
      "200",
    ]);
    assert.equal(r.code, 3, restore);
    const notes = r.stderr.split("\n").filter((l) =>
      l.startsWith("isomc: the search left this execution before its end")
    );
    assert.equal(notes.length, 2, `${restore}: ${r.stderr}`);
    // Each execution's output starts afresh with the common part: its own, not a fragment
    // (the first one's ends within a line: it was cut).
    assert.ok(r.stdout.startsWith("common line 000000 "), restore);
    assert.equal(r.stdout.split("common line 000000 ").length - 1, 2, restore);
  }
});

const stderrLines = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `execution 1 line ${from + i}`);

Deno.test("the failing execution's stderr, its last 20 lines, is in the report and the JSON", async () => {
  const binary = await buildProgram("tests/programs/state/stderr_report.c");
  for (const restore of strategies) {
    const r = await runCli(["check", `--restore=${restore}`, "--", binary]);
    assert.equal(r.code, 1, restore);
    const shown = r.stdout.split("\n").filter((l) => l.startsWith("  | ")).map((l) => l.slice(4));
    // Execution 1's last 20 lines; nothing of execution 0, which wrote its own 25 first.
    assert.deepEqual(shown, stderrLines(5, 25), restore);
    assert.match(
      r.stdout,
      /\nThe program's stderr in this execution \(its last 20 lines at most\):\n/,
    );
    const j = await runCli(["check", "--json", `--restore=${restore}`, "--", binary]);
    assert.equal(j.code, 1, restore);
    assert.equal(JSON.parse(j.stdout).violation.stderr, stderrLines(5, 25).join("\n"), restore);
  }
  // A short stderr is shown whole: the runtime's own complaint, and what main wrote first.
  for (const restore of strategies) {
    const j = await runCli(["check", "--json", `--restore=${restore}`, "--", binary, "init"]);
    assert.equal(j.code, 1, restore);
    const v = JSON.parse(j.stdout).violation;
    assert.equal(v.kind, "exit", restore);
    assert.equal(v.stderr, "before the actors\nisomc: isomc_init called twice", restore);
  }
  // Dying before the first scheduling point is bad input: the one line quotes stderr's last.
  const twice = await runCli(["check", "--", binary, "twice"]);
  assert.equal(twice.code, 2);
  assert.match(
    twice.stderr,
    /^isomc: .* exited with status 2 before its first scheduling point \(did main\(\) reach isomc_run\(\)\?\); its last line on stderr: "isomc: isomc_init called twice"; run it on its own to see why\n$/,
  );
  // No stderr, no field.
  const quiet = await runCli(["check", "--json", "--", await buildProgram("examples/bank.c")]);
  assert.equal(quiet.code, 1);
  assert.equal("stderr" in JSON.parse(quiet.stdout).violation, false);
});

Deno.test("the output files: marks, rewinds and the tail of stderr", () => {
  const output = new ProgramOutput(true);
  try {
    // The program's view of the files: appends through its own descriptions.
    const open = (fd: number) => Deno.openSync(`/proc/self/fd/${fd}`, { append: true });
    const out = open(output.stdoutFd);
    const err = open(output.stderrFd);
    const enc = new TextEncoder();
    out.writeSync(enc.encode("kept\n"));
    err.writeSync(enc.encode("a\n"));
    const mark = output.mark();
    assert.deepEqual(mark, { stdout: 5, stderr: 2 });
    out.writeSync(enc.encode("dropped\n"));
    for (let i = 0; i < 30; i++) err.writeSync(enc.encode(`line ${i}\n`));
    assert.equal(output.stderrTail().split("\n").length, 20);
    assert.equal(output.stderrTail().split("\n")[0], "line 10");
    // Back to the mark: the files hold what they held then, and the next write follows it.
    output.rewind(mark);
    assert.deepEqual(output.mark(), mark);
    assert.equal(output.stderrTail(), "a");
    err.writeSync(enc.encode("b\n"));
    assert.equal(output.stderrTail(), "a\nb");
    // A tail cut by the 4 KiB limit drops its partial first line.
    output.rewind(emptyMark);
    err.writeSync(enc.encode("x".repeat(5000) + "\nlast\n"));
    assert.equal(output.stderrTail(), "last");
    out.close();
    err.close();
  } finally {
    output.close();
  }
  // Without --show-output stdout is not captured.
  const quiet = new ProgramOutput(false);
  assert.equal(quiet.stdoutFd, -1);
  quiet.close();
});
