/**
 * The little of an ELF64 little-endian file that reports need: its type (a position-independent
 * executable is loaded at a bias), its sections by name, and its symbol table (global
 * variables for names, functions for call sites). Anything malformed reads as absent, never as
 * an error: a report without names is still a report.
 */

/** Where Linux x86_64 loads a position-independent executable when randomisation is off. */
export const pieBase = 0x555555554000;

export interface Section {
  readonly name: string;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
}

export interface ElfSymbol {
  readonly name: string;
  /** STT_OBJECT (1) or STT_FUNC (2). */
  readonly type: number;
  /** Its address in the file (add `bias` for the running program's). */
  readonly value: number;
  readonly size: number;
}

export interface Elf {
  readonly bytes: Uint8Array;
  /** What the program's addresses are offset by when it runs: pieBase for ET_DYN, else 0. */
  readonly bias: number;
  readonly sections: readonly Section[];
}

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const ET_DYN = 3;

/** The file's ELF structure, or null when it is not a little-endian ELF64 file. */
export function parseElf(bytes: Uint8Array): Elf | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elf64 = bytes.length > 64 && view.getUint32(0, false) === 0x7f454c46 && bytes[4] === 2 &&
    bytes[5] === 1;
  if (!elf64) return null;
  const bias = view.getUint16(16, true) === ET_DYN ? pieBase : 0;
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > bytes.length) {
    return { bytes, bias, sections: [] };
  }
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameAt: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      offset: Number(view.getBigUint64(at + 24, true)),
      size: Number(view.getBigUint64(at + 32, true)),
      link: view.getUint32(at + 40, true),
    };
  });
  const names = raw[shstrndx];
  const sections = raw.map((s): Section => ({
    name: names === undefined ? "" : cString(bytes, names.offset + s.nameAt),
    type: s.type,
    offset: s.offset,
    // A section without bytes in the file, or one that runs past its end, holds nothing.
    size: s.type === SHT_NOBITS || s.offset + s.size > bytes.length ? 0 : s.size,
    link: s.link,
  }));
  return { bytes, bias, sections };
}

/** The bytes of the section named `name`, or null. */
export function sectionBytes(elf: Elf, name: string): Uint8Array | null {
  const s = elf.sections.find((x) => x.name === name && x.size > 0);
  return s === undefined ? null : elf.bytes.subarray(s.offset, s.offset + s.size);
}

const decoder = new TextDecoder();

/** The NUL-terminated string at `at` (empty past the end). */
export function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return decoder.decode(bytes.subarray(Math.min(at, end), end));
}

/** The named, sized objects and functions of the symbol table, sorted by address. */
export function symbolsOf(elf: Elf): ElfSymbol[] {
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const out: ElfSymbol[] = [];
  for (const symtab of elf.sections) {
    if (symtab.type !== SHT_SYMTAB) continue;
    const strtab = elf.sections[symtab.link];
    if (strtab === undefined) continue;
    for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
      const type = view.getUint8(at + 4) & 0xf;
      const value = Number(view.getBigUint64(at + 8, true));
      const size = Number(view.getBigUint64(at + 16, true));
      if ((type !== 1 && type !== 2) || size === 0 || value === 0) continue;
      const name = cString(elf.bytes, strtab.offset + view.getUint32(at, true));
      if (name !== "") out.push({ name, type, value, size });
    }
  }
  return out.sort((a, b) => a.value - b.value);
}

/** The symbol of `symbols` (sorted) whose extent holds `address`, or undefined. */
export function symbolAt<T extends { readonly value: number; readonly size: number }>(
  symbols: readonly T[],
  address: number,
): T | undefined {
  let lo = 0;
  let hi = symbols.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid].value <= address) lo = mid + 1;
    else hi = mid;
  }
  const s = symbols[lo - 1];
  return s === undefined || address >= s.value + s.size ? undefined : s;
}
