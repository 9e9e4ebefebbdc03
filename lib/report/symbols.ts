/**
 * Names for addresses in counterexamples: `store(balance, 90)` reads better than
 * `store(0x1091850, 90)`. The program's ELF symbol table gives its global variables; programs
 * run with address-space randomisation off, so a position-independent executable is always
 * loaded at the kernel's fixed base. Anything else (heap, stacks) stays an address. The runtime
 * names addresses in its replay logs by the same rules (native/src/runtime/symbols.zig).
 */

/** Where Linux x86_64 loads a position-independent executable when randomisation is off. */
const pieBase = 0x555555554000;

interface DataSymbol {
  readonly start: number;
  readonly size: number;
  readonly name: string;
}

export type Symbolizer = (address: number) => string | undefined;

/** A symbolizer for the program at `path`, or one that knows nothing if it is not ELF64. */
export function readSymbols(path: string): Symbolizer {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return () => undefined;
  }
  const symbols = parseDataSymbols(bytes);
  return (address) => lookup(symbols, address);
}

function parseDataSymbols(bytes: Uint8Array): DataSymbol[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elf64 = bytes.length > 64 && view.getUint32(0, false) === 0x7f454c46 && bytes[4] === 2 &&
    bytes[5] === 1;
  if (!elf64) return [];
  const base = view.getUint16(16, true) === 3 ? pieBase : 0; // ET_DYN
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const section = (i: number): { type: number; offset: number; size: number; link: number } => {
    const at = shoff + i * shentsize;
    return {
      type: view.getUint32(at + 4, true),
      offset: Number(view.getBigUint64(at + 24, true)),
      size: Number(view.getBigUint64(at + 32, true)),
      link: view.getUint32(at + 40, true),
    };
  };
  if (shoff === 0 || shoff + shnum * shentsize > bytes.length) return [];
  const decoder = new TextDecoder();
  const out: DataSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(symtab.link);
    for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
      const info = view.getUint8(at + 4);
      const value = Number(view.getBigUint64(at + 8, true));
      const size = Number(view.getBigUint64(at + 16, true));
      if ((info & 0xf) !== 1 || size === 0 || value === 0) continue; // STT_OBJECT only
      const nameAt = strtab.offset + view.getUint32(at, true);
      let end = nameAt;
      while (end < bytes.length && bytes[end] !== 0) end++;
      const name = decoder.decode(bytes.subarray(nameAt, end));
      // The runtime's own objects are not the user's business.
      if (name === "" || name.includes(".")) continue;
      out.push({ start: base + value, size, name });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function lookup(symbols: readonly DataSymbol[], address: number): string | undefined {
  let lo = 0;
  let hi = symbols.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid].start <= address) lo = mid + 1;
    else hi = mid;
  }
  const s = symbols[lo - 1];
  if (s === undefined || address >= s.start + s.size) return undefined;
  const offset = address - s.start;
  // An element of an array of 64-bit cells (the size isomc_load and isomc_store access) reads
  // best as an index, element 0 too: `flag[0]` beside `flag[1]`, not `flag`.
  if (offset % 8 === 0 && s.size % 8 === 0 && s.size > 8) return `${s.name}[${offset / 8}]`;
  return offset === 0 ? s.name : `${s.name}+${offset}`;
}
