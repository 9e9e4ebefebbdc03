/**
 * The help texts against README.md's reference: every option a command's README row or the
 * `isomc check` options table names is in that command's --help, and the other way round for
 * check; the wrapper's own commands (test, bench, dist) answer --help with their usage (exit 0)
 * and an unknown option with one line (exit 2), never a stack trace, and `./isomc help X` is
 * `./isomc X --help` for them; `isomc help` names every command the README's table has.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";

const readme = await Deno.readTextFile(join(repoRoot, "README.md"));

/** The `--name` options a piece of text names, without their values. */
const optionsIn = (text: string): Set<string> =>
  new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));

/** The first cell of each row of the README table under `heading`. */
function firstCells(heading: string): string[] {
  const start = readme.indexOf(heading);
  assert.ok(start >= 0, heading);
  const rows = readme.slice(start).split("\n\n")[1].split("\n").slice(2);
  return rows.map((row) => row.split(/(?<!\\)\|/)[1].trim());
}

Deno.test("each command's README row names only options its --help knows", async () => {
  const commands = firstCells("### Commands").filter((c) =>
    /^`isomc (cc|replay|ltl|show)\b/.test(c)
  );
  assert.equal(commands.length, 4, commands.join("\n"));
  for (const cell of commands) {
    const name = cell.match(/^`isomc (\w+)/)![1];
    const help = await runCli([name, "--help"]);
    assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
    for (const option of optionsIn(cell)) {
      assert.ok(optionsIn(help.stdout).has(option), `isomc ${name} --help lacks --${option}`);
    }
  }
});

Deno.test("README's isomc check options table and isomc check --help name the same options", async () => {
  const table = new Set(firstCells("### `isomc check` options").flatMap((c) => [...optionsIn(c)]));
  const help = await runCli(["check", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  const helped = optionsIn(help.stdout.split("\nOptions:\n")[1]);
  helped.delete("help");
  assert.deepEqual([...helped].sort(), [...table].sort());
});

async function wrapper(
  args: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command(join(repoRoot, "isomc"), {
    args: [...args],
    cwd: repoRoot,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, out: text.decode(out.stdout), err: text.decode(out.stderr) };
}

Deno.test("./isomc test, bench and dist: --help is their usage, an unknown option one line (exit 2)", async () => {
  for (const command of ["test", "bench", "dist"]) {
    const help = await wrapper([command, "--help"]);
    assert.equal(help.code, 0, `${command}: ${help.err}`);
    assert.ok(help.out.startsWith(`Usage: isomc ${command}`), help.out);
    // The README's row for it names only options the usage shows.
    const row = firstCells("### Commands").find((c) => c.startsWith(`\`./isomc ${command}`));
    assert.ok(row !== undefined, command);
    for (const option of optionsIn(row)) assert.ok(optionsIn(help.out).has(option), option);
  }
  for (
    const args of [["bench", "--frob"], ["bench", "--breakdown", "--frob"], ["dist", "--frob"]]
  ) {
    const r = await wrapper(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.out, "");
    assert.match(r.err, /^isomc (bench|dist)[^\n]*--frob[^\n]*\n$/, args.join(" "));
  }
});

Deno.test("isomc help names every command of README's table", async () => {
  const help = await runCli(["help"]);
  assert.equal(help.code, 0, help.stderr);
  const named = new Set(
    [...help.stdout.matchAll(/^ {2}(?:\.\/)?isomc ([a-z]+)/gm)].map((m) => m[1]),
  );
  for (const cell of firstCells("### Commands")) {
    for (const m of cell.matchAll(/`(?:\.\/)?isomc ([a-z]+)/g)) {
      if (m[1] === "help" || named.has(m[1])) continue;
      // The wrapper's commands share one line: ./isomc test | bench | dist.
      assert.match(help.stdout, new RegExp(`\\| ${m[1]}\\b|isomc ${m[1]} \\|`), m[1]);
    }
  }
});

Deno.test("the exit codes README gives for ltl and cc: 0 printed, 2 a bad formula, claim or input", async () => {
  assert.match(
    readme,
    /`isomc ltl` exits 0 when it printed the automaton, 2 when the formula\s+does not parse/,
  );
  const printed = await runCli(["ltl", "F p"]);
  assert.equal(printed.code, 0, printed.stderr);
  for (const args of [["ltl", "F ("], ["ltl", "--never=/nonexistent/claim.pml"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(lines(r.stderr).length, 1, r.stderr);
  }
  assert.match(readme, /`isomc cc` exits with the compiler's\s+status, or 2 before running it/);
  const refused = [
    ["cc", "-o", "app", "missing.c"],
    ["cc", "-fsanitize=address", "-o", "app", join(repoRoot, "examples/bank.c")],
  ];
  for (const args of refused) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^isomc: cc: (no such file|-fsanitize=address is not supported)/);
  }
});
