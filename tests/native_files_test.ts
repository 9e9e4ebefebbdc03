/**
 * The single binary's files written out to the cache folder (lib/native/files.ts): a copy is
 * named by its digest, complete, with the right mode; a damaged embedded file is refused; a
 * truncated copy is replaced; several processes writing the same file at once all end with the
 * whole file. The cache folder follows XDG_CACHE_HOME, then HOME.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BundledFile,
  cacheFolder,
  parseManifest,
  sha256Hex,
  writeOut,
} from "../lib/native/files.ts";
import { repoRoot } from "./support/build.ts";
import { tempDirs } from "./support/temp_dir.ts";

function entryOf(path: string): BundledFile {
  const bytes = Deno.readFileSync(join(repoRoot, path));
  return { path, sha256: sha256Hex(bytes), size: bytes.length };
}

const inTempDir = tempDirs("isomc-files-");

Deno.test("cache folder: XDG_CACHE_HOME if absolute, else HOME/.cache; neither is an error", () => {
  const env = (vars: Record<string, string>) => ({ get: (n: string) => vars[n] });
  assert.equal(cacheFolder(env({ XDG_CACHE_HOME: "/x/", HOME: "/h" }), "1.2.3"), "/x/isomc/1.2.3");
  assert.equal(
    cacheFolder(env({ XDG_CACHE_HOME: "rel", HOME: "/h" }), "1.2.3"),
    "/h/.cache/isomc/1.2.3",
  );
  assert.equal(cacheFolder(env({ HOME: "/h" }), "1.2.3"), "/h/.cache/isomc/1.2.3");
  assert.throws(() => cacheFolder(env({}), "1"), /neither XDG_CACHE_HOME nor HOME is set/);
});

Deno.test("bundle manifest: a malformed one is refused with one line", () => {
  const good = { version: "0.1.0", files: [entryOf("include/isomc.h")] };
  assert.deepEqual(parseManifest(JSON.stringify(good)), good);
  assert.throws(
    () => parseManifest(JSON.stringify({ version: "0.1.0", files: [{ path: "x", sha256: "ab" }] })),
    /bundle manifest is malformed/,
  );
});

Deno.test("writeOut: the copy is named by its digest, whole, executable for a .so only", async () => {
  await inTempDir((cache) => {
    for (const path of ["native/zig-out/lib/libisomc_agent.so", "include/isomc.h"]) {
      const entry = entryOf(path);
      const real = writeOut(entry, repoRoot, cache);
      const name = path.slice(path.lastIndexOf("/") + 1);
      assert.equal(real, join(cache, entry.sha256.slice(0, 16), name));
      assert.equal(sha256Hex(Deno.readFileSync(real)), entry.sha256);
      assert.equal(Deno.statSync(real).mode! & 0o777, name.endsWith(".so") ? 0o755 : 0o644);
      // Present and whole: used as it is, not written again.
      const before = Deno.statSync(real);
      assert.equal(writeOut(entry, repoRoot, cache), real);
      assert.equal(Deno.statSync(real).ino, before.ino);
      assert.deepEqual(
        [...Deno.readDirSync(join(cache, entry.sha256.slice(0, 16)))].map((e) => e.name),
        [name],
      );
    }
  });
});

Deno.test("writeOut: a truncated copy is replaced; bytes that fail the digest are refused", async () => {
  await inTempDir((cache) => {
    const entry = entryOf("include/isomc.h");
    const real = writeOut(entry, repoRoot, cache);
    Deno.truncateSync(real, 10);
    assert.equal(writeOut(entry, repoRoot, cache), real);
    assert.equal(sha256Hex(Deno.readFileSync(real)), entry.sha256);
    const wrong = { ...entry, sha256: "0".repeat(64) };
    assert.throws(
      () => writeOut(wrong, repoRoot, cache),
      /include\/isomc.h inside the binary does not match its digest .*: the binary is damaged/,
    );
    assert.equal(
      [...Deno.readDirSync(cache)].some((e) => e.name === "0".repeat(16)),
      false,
    );
  });
});

Deno.test("writeOut: six processes writing the same 5 MB library at once all get it whole", async () => {
  await inTempDir(async (cache) => {
    const entry = entryOf("native/zig-out/lib/libisomc.a");
    const files = new URL("../lib/native/files.ts", import.meta.url).href;
    const code = `import { writeOut } from ${JSON.stringify(files)};
      const real = writeOut(${JSON.stringify(entry)}, ${JSON.stringify(repoRoot)}, ${
      JSON.stringify(cache)
    });
      console.log(real);`;
    const runs = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Deno.Command(Deno.execPath(), {
          args: ["eval", code],
          stdout: "piped",
          stderr: "piped",
        }).output()),
    );
    const text = new TextDecoder();
    const paths = runs.map((r) => {
      assert.equal(r.code, 0, text.decode(r.stderr));
      return text.decode(r.stdout).trim();
    });
    assert.equal(new Set(paths).size, 1);
    assert.equal(sha256Hex(Deno.readFileSync(paths[0])), entry.sha256);
    // No temporary file is left beside it.
    assert.deepEqual(
      [...Deno.readDirSync(join(cache, entry.sha256.slice(0, 16)))].map((e) => e.name),
      ["libisomc.a"],
    );
  });
});
