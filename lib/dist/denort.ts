/**
 * Cutting Deno's runtime, denort, out of a program that `deno compile` made: such a program is
 * denort followed by its payload and a 16-byte trailer (u32 0x501e, u32 679, u64 the payload's
 * length plus the trailer's), so denort is the file's first `size - that length` bytes. And
 * telling denort's version from inside it (denort has no --version: it looks for a payload).
 * Pure functions of the bytes.
 */

const trailerSize = 16;
const trailerMagic = 0x501e;
const trailerKind = 679;

/** denort, cut out of a compiled program, or the one line saying why it cannot be. */
export function cutDenort(program: Uint8Array): Uint8Array | { readonly problem: string } {
  if (program.length < trailerSize) return { problem: "too short to be a compiled Deno program" };
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const at = program.length - trailerSize;
  const magic = view.getUint32(at, true);
  const kind = view.getUint32(at + 4, true);
  if (magic !== trailerMagic || kind !== trailerKind) {
    return { problem: "no deno compile trailer at its end (not a compiled Deno program)" };
  }
  const length = view.getBigUint64(at + 8, true);
  if (length < BigInt(trailerSize) || length > BigInt(program.length)) {
    return { problem: `its trailer gives a payload of ${length} bytes, not within the file` };
  }
  return program.subarray(0, program.length - Number(length));
}

/** The Deno versions a binary names in its user agent (`Deno/2.6.8`), distinct, in order. */
export function denoVersionsIn(binary: Uint8Array): string[] {
  const text = new TextDecoder("latin1").decode(binary);
  const seen = new Set<string>();
  for (const m of text.matchAll(/Deno\/(\d+\.\d+\.\d+)(?![\d.])/g)) seen.add(m[1]);
  return [...seen];
}
