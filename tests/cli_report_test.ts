/**
 * What the CLI prints and writes (issue 8, items 16, 19, 22 and 23), through the real CLI: the
 * default trace is named after the program and never takes another program's place, the
 * report speaks in singulars where counts are 1, an assertion after isomc_run is the actor
 * "main"'s, the program's stdin is /dev/null, and the README's tour (transfer.c's report, spin_wait's
 * lasso) and docs/protocol.md (its version, its message types, its version history) say
 * what the code does.
 */

import assert from "node:assert/strict";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageType, PROTOCOL_VERSION } from "../lib/process/protocol.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import {
  becomeSubreaper,
  type CliResult,
  lines,
  liveProcessesOf,
  runCli,
  strayChildren,
} from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const cliPrograms = here("./programs/cli/");

becomeSubreaper();

const inTempDir = tempDirs("isomc-cli-report-");

async function check(
  program: string,
  options: readonly string[],
  cwd: string,
  extra: { args?: readonly string[]; env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  const r = await runCli(["check", ...options, "--", program, ...(extra.args ?? [])], {
    cwd,
    env: extra.env,
    stdin: extra.stdin,
  });
  // By its absolute path: a relative name would also match other test runs' checkers.
  assert.deepEqual(liveProcessesOf(program.includes("/") ? resolve(cwd, program) : program), []);
  assert.deepEqual(strayChildren(), []);
  return r;
}

const files = (dir: string): string[] => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

// ---- Item 22: the default trace is the program's ------------------------------------------

Deno.test("two programs checked in one folder keep their own traces, and each hint replays its own", async () => {
  const picker = await buildProgram(`${cliPrograms}bad_value.c`);
  const adder = await buildProgram(`${cliPrograms}main_assert.c`);
  await inTempDir(async (dir) => {
    await Deno.copyFile(picker, `${dir}/picker`);
    await Deno.copyFile(adder, `${dir}/adder`);
    await Deno.chmod(`${dir}/picker`, 0o755);
    await Deno.chmod(`${dir}/adder`, 0o755);
    const env = { ISOMC_INVOKED: "./isomc" };
    for (const name of ["picker", "adder"]) {
      const r = await check(`./${name}`, [], dir, { env });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(lines(r.stdout).includes(`  ./isomc replay ${name}.isomc-trace.json -- ./${name}`));
    }
    assert.deepEqual(files(dir), [
      "adder",
      "adder.isomc-trace.json",
      "picker",
      "picker.isomc-trace.json",
    ]);
    // Each trace replays to its own program's violation.
    const picked = await runCli(
      ["replay", "--quiet", "picker.isomc-trace.json", "--", "./picker"],
      {
        cwd: dir,
      },
    );
    assert.equal(picked.code, 1, picked.stderr);
    assert.match(lines(picked.stderr).at(-1) ?? "", /reproduced the assertion: two is not allowed/);
    const added = await runCli(["replay", "--quiet", "adder.isomc-trace.json", "--", "./adder"], {
      cwd: dir,
    });
    assert.equal(added.code, 1, added.stderr);
    assert.match(lines(added.stderr).at(-1) ?? "", /reproduced the assertion: the counter moved/);
  });
});

Deno.test("the default trace of another program with the same name is not overwritten: exit 2 first", async () => {
  const picker = await buildProgram(`${cliPrograms}bad_value.c`);
  const adder = await buildProgram(`${cliPrograms}main_assert.c`);
  await inTempDir(async (dir) => {
    for (const [sub, binary] of [["x", picker], ["y", adder]]) {
      await Deno.mkdir(`${dir}/${sub}`);
      await Deno.copyFile(binary, `${dir}/${sub}/app`);
      await Deno.chmod(`${dir}/${sub}/app`, 0o755);
    }
    const first = await check("x/app", [], dir);
    assert.equal(first.code, 1, first.stderr);
    const before = await Deno.readTextFile(`${dir}/app.isomc-trace.json`);
    const other = await check("y/app", [], dir);
    assert.equal(other.code, 2);
    assert.equal(other.stdout, "");
    assert.equal(
      other.stderr,
      "isomc: app.isomc-trace.json holds the counterexample of x/app, not of y/app: pass --trace-out=FILE (or remove it)\n",
    );
    assert.equal(await Deno.readTextFile(`${dir}/app.isomc-trace.json`), before);
    // The same program may replace its own trace; another may write where it is told.
    assert.equal((await check("./x/app", [], dir)).code, 1);
    assert.equal((await check("y/app", ["--trace-out=y.json"], dir)).code, 1);
    assert.deepEqual(files(dir), ["app.isomc-trace.json", "x", "y", "y.json"]);
  });
});

// ---- Item 23: words -------------------------------------------------------------------------

Deno.test("the report says 1 execution, 1 transition, 1 final state, reused 1 time, 1 revisit", async () => {
  const program = await buildProgram(`${cliPrograms}one_each.c`);
  await inTempDir(async (dir) => {
    const one = lines((await check(program, ["--reduction=none", "--no-visited"], dir)).stdout);
    assert.equal(one[0], "isomc: no violation in 1 execution.");
    assert.match(
      one[1],
      /^Explored 1 execution, 2 states, 1 transition, max depth 1, [\d.]+ s \([\d,]+ transitions\/s\)\.$/,
    );
    assert.match(one[2], /^State: .*, 0 restores \(.*; the rest of main ran from 1 final state\.$/);

    const two = lines(
      (await check(program, ["--reduction=none", "--no-visited"], dir, { args: ["2"] })).stdout,
    );
    assert.equal(two[0], "isomc: no violation in 2 executions.");
    assert.match(two[1], /^Explored 2 executions, 5 states, 4 transitions, max depth 2, /);
    assert.match(
      two[2],
      /, 1 restore \(.*; the rest of main ran from 1 final state \(its end reused 1 time\)\.$/,
    );

    // Both orders of the two yields end in the same state: the second arrival is pruned.
    const visited = lines(
      (await check(program, ["--reduction=none"], dir, { args: ["2"] })).stdout,
    );
    assert.equal(visited[0], "isomc: no violation in 4 distinct states.");
    assert.match(
      visited[1],
      /^Explored 1 execution, 4 states \(1 revisit pruned\), 4 transitions, max depth 2, /,
    );
  });
});

Deno.test("an assertion in main after isomc_run is the actor main's, in JSON and in words", async () => {
  const program = await buildProgram(`${cliPrograms}main_assert.c`);
  await inTempDir(async (dir) => {
    const r = await check(program, ["--json"], dir);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.violation, {
      kind: "assertion",
      message: j.violation.message,
      actor: "main",
    });
    assert.match(j.violation.message, /^the counter moved \(isomc_assert_msg\(counter == 0\) at /);
    assert.equal(j.trace_file, `${basename(program)}.isomc-trace.json`);
    const trace = JSON.parse(await Deno.readTextFile(join(dir, j.trace_file)));
    assert.equal(trace.violation.actor, "main");

    const human = await check(program, [], dir);
    assert.equal(lines(human.stdout)[0], "isomc: violation found: assertion in main");
  });
});

// ---- Item 19: stdin -------------------------------------------------------------------------

Deno.test("the checked program reads /dev/null, not the checker's stdin", async () => {
  const program = await buildProgram(`${cliPrograms}reads_stdin.c`);
  await inTempDir(async (dir) => {
    for (const restore of ["memory", "fork", "replay"]) {
      const r = await check(program, ["--json", `--restore=${restore}`], dir, {
        stdin: "input the program must not see\n",
      });
      assert.equal(r.code, 0, `${restore}: ${r.stdout}${r.stderr}`);
      assert.equal(JSON.parse(r.stdout).verdict, "ok");
    }
  });
});

// ---- The docs say what the code does ------------------------------------------------------

Deno.test("docs/protocol.md names the protocol version the code speaks, everywhere", async () => {
  const doc = await Deno.readTextFile(join(repoRoot, "docs/protocol.md"));
  const named = [
    ...doc.matchAll(/This is version (\d+)\./g),
    ...doc.matchAll(/protocol version, `(\d+)`/g),
    ...doc.matchAll(/this checker speaks (\d+)/g),
  ].map((m) => Number(m[1]));
  assert.equal(named.length, 3, "the three places that name the version");
  assert.deepEqual(named, named.map(() => PROTOCOL_VERSION));
});

/** README lines are the real output where they say it; "..." stands for the rest of a line. */
function assertSample(sample: readonly string[], real: readonly string[]): void {
  assert.equal(
    real.length,
    sample.length,
    `the README shows ${sample.length} lines:\n${real.join("\n")}`,
  );
  sample.forEach((line, i) => {
    if (line.endsWith("...")) {
      assert.ok(
        real[i].startsWith(line.slice(0, -3)),
        `line ${i + 1}: ${real[i]}\nREADME: ${line}`,
      );
    } else {
      assert.equal(real[i], line, `line ${i + 1}`);
    }
  });
}

Deno.test("the README's tour: transfer.c's report is the one the README shows", async () => {
  const readme = await Deno.readTextFile(join(repoRoot, "README.md"));
  const source = readme.match(/```c\n(\/\/ transfer\.c:[\s\S]*?)```/)?.[1];
  assert.ok(source !== undefined, "the tour's transfer.c");
  const report = readme.match(/### 3\. Read the counterexample\n\n```\n([\s\S]*?)```/)?.[1];
  assert.ok(report !== undefined, "the tour's sample report");
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/transfer.c`, source);
    const cc = await runCli(["cc", "-o", "transfer", "transfer.c"], { cwd: dir });
    assert.equal(cc.code, 0, cc.stderr);
    // As run from the repository by its wrapper, as the tour does.
    const r = await check("./transfer", [], dir, { env: { ISOMC_INVOKED: "./isomc" } });
    assert.equal(r.code, 1, r.stderr);
    assertSample(lines(report), lines(r.stdout));
    assert.ok(files(dir).includes("transfer.isomc-trace.json"));
  });
});

Deno.test("the README's tour: spin_wait's lasso is the one the README shows, and weak fairness holds", async () => {
  const readme = await Deno.readTextFile(join(repoRoot, "README.md"));
  const tour = readme.slice(readme.indexOf("### 5. Check a liveness property"));
  const commands = tour.match(/```sh\n([\s\S]*?)```/)?.[1];
  const report = tour.match(/```\n(isomc: violation found: liveness\n[\s\S]*?)```/)?.[1];
  assert.ok(
    commands !== undefined && report !== undefined,
    "the tour's liveness commands and lasso",
  );
  // The two commands as the README gives them: their options and the exit codes it says.
  const shown = lines(commands).map((l) =>
    l.match(/^\.\/isomc check (.*) -- \.\/spin_wait +# .*exit (\d)$/)
  );
  assert.ok(shown.every((m) => m !== null), commands);
  const runs = shown.map((m) => ({
    options: m![1].match(/(?:[^\s']+|'[^']*')+/g)!.map((o) => o.replaceAll("'", "")),
    code: Number(m![2]),
  }));
  assert.deepEqual(runs.map((r) => r.code), [1, 0]);
  const program = await buildProgram("examples/liveness/spin_wait.c");
  await inTempDir(async (dir) => {
    await Deno.copyFile(program, `${dir}/spin_wait`);
    const lasso = await check("./spin_wait", runs[0].options, dir);
    assert.equal(lasso.code, runs[0].code, lasso.stderr);
    // The README shows the report up to the lasso's end; the statistics and the hint follow.
    const sample = lines(report);
    assertSample(sample, lines(lasso.stdout).slice(0, sample.length));
    assert.match(lasso.stdout.split("\n")[sample.length + 1] ?? "", /^Explored \d+ product states/);
    // Its --json has the fields the README's "--json output" lists for a lasso.
    const json = await check("./spin_wait", ["--json", ...runs[0].options], dir);
    assert.equal(json.code, 1, json.stderr);
    const j = JSON.parse(json.stdout);
    const section = readme.slice(readme.indexOf("A liveness check adds\n"));
    const keysOf = (text: string): string[] =>
      [...text.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]).sort();
    const property = section.match(/`"property": (\{[^`]*\})`/)?.[1];
    const violation = section.match(/A lasso's violation is\n`(\{[^`]*\})`/)?.[1];
    assert.ok(property !== undefined && violation !== undefined, "the README's lasso fields");
    assert.deepEqual(Object.keys(j.property).sort(), keysOf(property));
    assert.deepEqual(Object.keys(j.violation).sort(), keysOf(violation).filter((k) => k !== "p"));
    assert.equal(j.violation.cycle_start, 1);
    assert.deepEqual(j.violation.trace[0].propositions, { served: 0 });
    for (const stat of ["product_states", "program_states", "table_bytes"]) {
      assert.ok(stat in j.stats, stat);
    }
    const fair = await check("./spin_wait", runs[1].options, dir);
    assert.equal(fair.code, runs[1].code, fair.stderr);
    assert.ok(
      fair.stdout.startsWith(
        "isomc: the property holds in every weakly fair execution: F served\n",
      ),
    );
  });
});

Deno.test("docs/protocol.md: the message types are the code's, and the versions read in order", async () => {
  const doc = await Deno.readTextFile(join(repoRoot, "docs/protocol.md"));
  const table = [...doc.matchAll(/^\| (0x[0-9a-f]{2}) \| ([A-Z]+) +\|/gm)].map((
    m,
  ) => [m[2].toLowerCase(), Number(m[1])]);
  assert.deepEqual(
    table.sort((a, b) => Number(a[1]) - Number(b[1])),
    Object.entries(MessageType).sort((a, b) => a[1] - b[1]),
  );
  const history = doc.slice(doc.indexOf("## Versions"), doc.indexOf("## Errors"));
  const versions = [...history.matchAll(/^Version (\d+) /gm)].map((m) => Number(m[1]));
  assert.deepEqual(versions, Array.from({ length: PROTOCOL_VERSION - 1 }, (_, i) => i + 2));
});

Deno.test("the README's gdb frame names the line of api.zig that reports a failed isomc_assert", async () => {
  const readme = await Deno.readTextFile(join(repoRoot, "README.md"));
  const shown = readme.match(/api\.isomc_assert_fail \(.*\) at api\.zig:(\d+)\n/)?.[1];
  assert.ok(shown !== undefined, "the tour's gdb frame");
  const api = (await Deno.readTextFile(join(repoRoot, "native/src/runtime/api.zig"))).split("\n");
  const start = api.findIndex((l) => l.startsWith("export fn isomc_assert_fail("));
  const call = api.findIndex((l, i) =>
    i > start && l.includes('kk.violation(null, .assertion, "isomc_assert({s}) failed')
  );
  assert.ok(start >= 0 && call > start, "isomc_assert_fail's report in api.zig");
  // gdb's frame is at the call that reports the violation (and aborts under ISOMC_REPLAY).
  assert.equal(Number(shown), call + 1);
});
