/**
 * lib/native/sha256.ts against node:crypto's SHA-256: the lengths around the padding's block
 * boundaries (55, 56, 63, 64 bytes...), the standard's test vectors, and random inputs.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../lib/native/sha256.ts";

const reference = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

Deno.test("sha256: FIPS 180-4's vectors", () => {
  const enc = new TextEncoder();
  assert.equal(
    sha256Hex(enc.encode("")),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    sha256Hex(enc.encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex(enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256: the same digest as node:crypto at every length to 300 and on random data", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let n = 0; n <= 300; n++) {
    const b = Uint8Array.from({ length: n }, rand);
    assert.equal(sha256Hex(b), reference(b), `length ${n}`);
  }
  const big = Uint8Array.from({ length: 1 << 20 }, rand);
  assert.equal(sha256Hex(big), reference(big));
});
