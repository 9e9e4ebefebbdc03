/**
 * What `isomc --version` and `isomc help` load (issue 10, start-up): the entry point, the
 * dispatcher, the help texts and the error classes, nothing else. Each command's modules are
 * imported when that command runs (lib/cli/main.ts), so these run in a scratch copy of the
 * repository that holds only those four files: a static import of anything more would fail
 * there with "Module not found".
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { repoRoot } from "./support/build.ts";

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
