/**
 * The `isomc` wrapper script (issue 8, item 16): it finds its repository (toolchain.env,
 * .tools/, cli.ts) through any chain of symlinks, and the replay hint printed after a
 * violation is the command as it was run: `isomc` found in PATH, the path typed, `./isomc`.
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";
import { becomeSubreaper, lines, liveProcessesOf, strayChildren } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

becomeSubreaper();

const wrapper = join(repoRoot, "isomc");

const inTempDir = tempDirs("isomc-wrapper-");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  const out = await new Deno.Command(command, {
    args: [...args],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("the wrapper runs through a symlink, and through a chain of relative ones", async () => {
  await inTempDir(async (dir) => {
    await Deno.symlink(wrapper, `${dir}/isomc`);
    const direct = await run(`${dir}/isomc`, ["--version"], dir);
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^isomc \d+\.\d+\.\d+\n$/);
    assert.equal(direct.stderr, "");

    // bin/isomc -> ../links/isomc -> (absolute) the repository's script.
    await Deno.mkdir(`${dir}/bin`);
    await Deno.mkdir(`${dir}/links`);
    await Deno.symlink(wrapper, `${dir}/links/isomc`);
    await Deno.symlink("../links/isomc", `${dir}/bin/isomc`);
    const chained = await run("bin/isomc", ["--version"], dir);
    assert.equal(chained.code, 0, chained.stderr);
    assert.equal(chained.stdout, direct.stdout);
  });
});

Deno.test("the replay hint is the command as it was run: from PATH, by a path, as ./isomc", async () => {
  const program = await buildProgram("tests/programs/cli/bad_value.c");
  const trace = `${basename(program)}.isomc-trace.json`;
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.symlink(wrapper, `${dir}/bin/isomc`);
    const hint = (r: Run): string | undefined => {
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(liveProcessesOf(program), []);
      assert.deepEqual(strayChildren(), []);
      return lines(r.stdout).find((l) => l.includes(" replay "));
    };
    const path = `${dir}/bin:${Deno.env.get("PATH") ?? ""}`;
    const fromPath = await run("isomc", ["check", "--", program], dir, { PATH: path });
    assert.equal(hint(fromPath), `  isomc replay ${trace} -- ${program}`);

    const byPath = await run(`${dir}/bin/isomc`, ["check", "--", program], dir);
    assert.equal(hint(byPath), `  ${dir}/bin/isomc replay ${trace} -- ${program}`);

    // Typed in a shell at the repository's root (Deno itself would pass the absolute path).
    const fromRepo = await run("sh", [
      "-c",
      `./isomc check --trace-out=${dir}/t.json -- ${program}`,
    ], repoRoot);
    assert.equal(hint(fromRepo), `  ./isomc replay ${dir}/t.json -- ${program}`);
  });
});
