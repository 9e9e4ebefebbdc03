/**
 * Text from outside (a path, a file's content) made safe for a one-line message: control
 * characters and invisible format characters (bidirectional overrides, zero-width spaces) are
 * written as escapes, so that a message never prints raw bytes. The runtime applies the same
 * rules (native/src/runtime/printable.zig).
 */

/** C1 controls and the invisible format characters, written as `\u{hex}`. */
function isInvisible(cp: number): boolean {
  return (cp >= 0x80 && cp <= 0x9f) || cp === 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp === 0xfeff;
}

export function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (isInvisible(cp)) out += `\\u{${cp.toString(16)}}`;
    // A lone surrogate cannot be printed as text either.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out;
}
