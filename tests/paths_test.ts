/**
 * lib/paths.ts against node:path (posix) and node:url: the same result for every path built
 * from a small alphabet of segments (".", "..", "", names, leading and trailing slashes), and
 * for the file: URLs isomc makes of its own modules.
 */

import assert from "node:assert/strict";
import * as node from "node:path";
import { fileURLToPath as nodeFileURLToPath } from "node:url";
import * as own from "../lib/paths.ts";

/** Every path of up to three segments from the alphabet, with and without the slashes. */
function paths(): string[] {
  const segs = ["", ".", "..", "a", "bc", "a.c"];
  const out = new Set<string>([""]);
  const grow = (prefix: string[], depth: number): void => {
    const body = prefix.join("/");
    for (const lead of ["", "/", "//"]) {
      for (const tail of ["", "/"]) out.add(`${lead}${body}${tail}`);
    }
    if (depth === 3) return;
    for (const s of segs) grow([...prefix, s], depth + 1);
  };
  grow([], 0);
  return [...out];
}

Deno.test("paths: normalize, isAbsolute, basename, dirname as node:path", () => {
  for (const p of paths()) {
    assert.equal(own.normalize(p), node.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(own.isAbsolute(p), node.posix.isAbsolute(p), p);
    assert.equal(own.basename(p), node.posix.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(own.dirname(p), node.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
  }
});

Deno.test("paths: join, resolve, relative of pairs as node:path", () => {
  const all = paths();
  const some = all.filter((_, i) => i % 7 === 0);
  for (const a of some) {
    for (const b of all.filter((_, i) => i % 11 === 0)) {
      const q = `(${JSON.stringify(a)}, ${JSON.stringify(b)})`;
      assert.equal(own.join(a, b), node.posix.join(a, b), `join${q}`);
      assert.equal(own.resolve(a, b), node.posix.resolve(a, b), `resolve${q}`);
      assert.equal(own.relative(a, b), node.posix.relative(a, b), `relative${q}`);
    }
  }
  assert.equal(own.join(), node.posix.join());
  assert.equal(own.resolve(), node.posix.resolve());
  assert.equal(own.join("a", "", "b", "../c"), node.posix.join("a", "", "b", "../c"));
});

Deno.test("paths: fileURLToPath as node:url's on file: URLs, and refuses the others", () => {
  for (
    const u of [
      new URL("../", import.meta.url),
      new URL("../cli.ts", import.meta.url),
      "file:///tmp/with%20space/caf%C3%A9.c",
      "file:///",
      "file://localhost/etc/x",
    ]
  ) {
    assert.equal(own.fileURLToPath(u), nodeFileURLToPath(u), String(u));
  }
  assert.throws(() => own.fileURLToPath("https://example.org/x"), TypeError);
  assert.throws(() => own.fileURLToPath("file://host/x"), TypeError);
  assert.throws(() => own.fileURLToPath("file:///a%2Fb"), TypeError);
});
