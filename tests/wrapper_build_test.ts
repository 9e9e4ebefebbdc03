/**
 * The `isomc` wrapper's check of the native build (issue 10, start-up): on every call it costs
 * one `find` over the inputs' status times, and the content fingerprint (a `cksum` over every
 * input) runs only when a time says something may have changed. Each test runs a copy of the
 * wrapper in a scratch repository whose Deno and Zig are shell scripts that log their calls, and
 * whose `cksum` logs too, so that what the wrapper did is read from the logs.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./support/build.ts";

const env = await Deno.readTextFile(join(repoRoot, "toolchain.env"));
const denoVersion = env.match(/^DENO_VERSION=(.*)$/m)![1];
const zigVersion = env.match(/^ZIG_VERSION=(.*)$/m)![1];

interface Scratch {
  readonly dir: string;
  /** Runs the wrapper with `args`; returns its exit code, stdout and stderr. */
  run(args: readonly string[]): Promise<{ code: number; stdout: string }>;
  /** How many times the fake zig built, and the real cksum ran. */
  builds(): Promise<number>;
  fingerprints(): Promise<number>;
}

async function script(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
}

async function count(path: string): Promise<number> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((l) => l !== "").length;
}

async function scratch(fn: (s: Scratch) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-wrapper-build-" });
  try {
    await Deno.copyFile(join(repoRoot, "isomc"), join(dir, "isomc"));
    await Deno.chmod(join(dir, "isomc"), 0o755);
    await Deno.copyFile(join(repoRoot, "toolchain.env"), join(dir, "toolchain.env"));
    await Deno.writeTextFile(join(dir, "cli.ts"), "");
    await Deno.mkdir(join(dir, "native", "src"), { recursive: true });
    await Deno.mkdir(join(dir, "include"));
    await Deno.writeTextFile(join(dir, "native", "build.zig"), "// build\n");
    await Deno.writeTextFile(join(dir, "native", "src", "a.zig"), "// a\n");
    await Deno.writeTextFile(join(dir, "include", "isomc.h"), "/* api */\n");
    const tools = join(dir, ".tools");
    await script(join(tools, `deno-${denoVersion}`, "bin", "deno"), '#!/bin/sh\necho "deno $*"\n');
    // The fake build makes the library and logs; with native/edit-while-building present it
    // also edits a source while it "builds", as a person saving a file at that moment would.
    await script(
      join(tools, `zig-${zigVersion}`, "ziglang", "zig"),
      `#!/bin/sh
mkdir -p zig-out/lib && : > zig-out/lib/libisomc_checker.so
echo built >> ${dir}/builds.log
if [ -f edit-while-building ]; then rm edit-while-building; echo '// edited' >> src/a.zig; fi
`,
    );
    const cksum = new TextDecoder().decode(
      (await new Deno.Command("sh", { args: ["-c", "command -v cksum"] }).output()).stdout,
    ).trim();
    await script(
      join(dir, "bin", "cksum"),
      `#!/bin/sh\necho run >> ${dir}/cksum.log\nexec ${cksum} "$@"\n`,
    );
    const path = `${join(dir, "bin")}:${Deno.env.get("PATH") ?? ""}`;
    await fn({
      dir,
      run: async (args) => {
        const out = await new Deno.Command(join(dir, "isomc"), {
          args: [...args],
          cwd: dir,
          env: { PATH: path },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
      },
      builds: () => count(join(dir, "builds.log")),
      fingerprints: () => count(join(dir, "cksum.log")),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a current build costs no fingerprint: the first call builds, the next ones only look at times", async () => {
  await scratch(async (s) => {
    const first = await s.run(["--version"]);
    assert.equal(first.code, 0);
    assert.equal(first.stdout, `deno run -A ${s.dir}/cli.ts --version\n`);
    assert.equal(await s.builds(), 1);
    assert.equal(await s.fingerprints(), 1);
    for (let i = 0; i < 3; i++) assert.equal((await s.run(["--version"])).code, 0);
    assert.equal(await s.builds(), 1);
    assert.equal(await s.fingerprints(), 1);
  });
});

Deno.test("a touched source is fingerprinted once, not rebuilt; a changed one with an old time is rebuilt", async () => {
  await scratch(async (s) => {
    await s.run(["--version"]);
    const source = join(s.dir, "native", "src", "a.zig");
    // Same content, new time: the content decides, once; the calls after that are cheap again.
    await Deno.utime(source, new Date(), new Date());
    await s.run(["--version"]);
    assert.equal(await s.builds(), 1);
    assert.equal(await s.fingerprints(), 2);
    await s.run(["--version"]);
    assert.equal(await s.fingerprints(), 2);
    // New content whose modification time is set back to 2020 (cp -p, tar): still rebuilt,
    // since the status change time cannot be set back.
    await Deno.writeTextFile(source, "// a, changed\n");
    await Deno.utime(source, new Date("2020-01-01"), new Date("2020-01-01"));
    await s.run(["--version"]);
    assert.equal(await s.builds(), 2);
    // A new source file, and a deleted one, are changes too.
    await Deno.writeTextFile(join(s.dir, "native", "src", "b.zig"), "// b\n");
    await s.run(["--version"]);
    assert.equal(await s.builds(), 3);
    await Deno.remove(join(s.dir, "native", "src", "b.zig"));
    await s.run(["--version"]);
    assert.equal(await s.builds(), 4);
    // So is a library that went missing.
    await Deno.remove(join(s.dir, "native", "zig-out", "lib", "libisomc_checker.so"));
    await s.run(["--version"]);
    assert.equal(await s.builds(), 5);
  });
});

Deno.test("a source edited while the build runs is rebuilt at the next call", async () => {
  await scratch(async (s) => {
    await Deno.writeTextFile(join(s.dir, "native", "edit-while-building"), "");
    await s.run(["--version"]);
    assert.equal(await s.builds(), 1);
    await s.run(["--version"]);
    assert.equal(await s.builds(), 2);
    await s.run(["--version"]);
    assert.equal(await s.builds(), 2);
  });
});

Deno.test("a current build does not wait for the lock another invocation holds", async () => {
  await scratch(async (s) => {
    await s.run(["--version"]);
    // Another invocation (or another worktree: .tools is often shared) holds the lock.
    const lock = await Deno.open(join(s.dir, ".tools", ".lock"), { write: true, create: true });
    await lock.lock(true);
    // A wrapper that waits is let go after 10 s (the lock released), so that the test fails
    // instead of hanging.
    let released = false;
    const release = (): void => {
      if (!released) lock.close();
      released = true;
    };
    const timer = setTimeout(release, 10_000);
    try {
      const r = await s.run(["--version"]);
      assert.equal(released, false, "the wrapper waited for the lock");
      assert.equal(r.code, 0);
      assert.equal(await s.builds(), 1);
    } finally {
      clearTimeout(timer);
      release();
    }
  });
});
