/**
 * Cutting denort out of a `deno compile` program (lib/dist/denort.ts), on synthetic programs:
 * the cut is the bytes before the payload the trailer measures; anything else is refused with
 * its reason. The version is read from the `Deno/x.y.z` strings the binary holds.
 */

import assert from "node:assert/strict";
import { cutDenort, denoVersionsIn } from "../lib/dist/denort.ts";

/** runtime ++ payload ++ trailer (u32 0x501e, u32 679, u64 payload length + 16). */
function compiled(runtime: Uint8Array, payload: Uint8Array, magic = 0x501e): Uint8Array {
  const out = new Uint8Array(runtime.length + payload.length + 16);
  out.set(runtime);
  out.set(payload, runtime.length);
  const view = new DataView(out.buffer);
  const at = out.length - 16;
  view.setUint32(at, magic, true);
  view.setUint32(at + 4, 679, true);
  view.setBigUint64(at + 8, BigInt(payload.length + 16), true);
  return out;
}

Deno.test("cutDenort: the runtime is what precedes the payload and its trailer", () => {
  const runtime = new TextEncoder().encode("\x7fELF...Deno/2.6.8...");
  const payload = new Uint8Array(1000).fill(7);
  assert.deepEqual(cutDenort(compiled(runtime, payload)), runtime);
  assert.deepEqual(cutDenort(compiled(runtime, new Uint8Array(0))), runtime);
});

Deno.test("cutDenort: no trailer, a foreign one, or a length past the start are refused", () => {
  const runtime = new Uint8Array(64);
  assert.deepEqual(cutDenort(runtime), {
    problem: "no deno compile trailer at its end (not a compiled Deno program)",
  });
  assert.deepEqual(cutDenort(compiled(runtime, new Uint8Array(4), 0x1234)), {
    problem: "no deno compile trailer at its end (not a compiled Deno program)",
  });
  const bad = compiled(runtime, new Uint8Array(4));
  new DataView(bad.buffer).setBigUint64(bad.length - 8, 10_000n, true);
  assert.deepEqual(cutDenort(bad), {
    problem: "its trailer gives a payload of 10000 bytes, not within the file",
  });
  assert.deepEqual(cutDenort(new Uint8Array(3)), {
    problem: "too short to be a compiled Deno program",
  });
});

Deno.test("denoVersionsIn: each Deno/x.y.z once, in order; a longer version is not cut short", () => {
  const bytes = new TextEncoder().encode("a Deno/2.6.8 b Deno/2.6.8 c Deno/2.6.80 d Deno/1.2");
  assert.deepEqual(denoVersionsIn(bytes), ["2.6.8", "2.6.80"]);
  assert.deepEqual(denoVersionsIn(new Uint8Array(10)), []);
});
