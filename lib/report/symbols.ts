/**
 * Names for addresses in counterexamples: `store(balance, 90)` reads better than
 * `store(0x1091850, 90)`. The program's ELF symbol table gives its global variables; programs
 * run with address-space randomisation off, so a position-independent executable is always
 * loaded at the kernel's fixed base (lib/report/elf.ts). Anything else (heap, stacks) stays an
 * address. The runtime names addresses in its replay logs by the same rules
 * (native/src/runtime/symbols.zig).
 */

import { type ElfSymbol, parseElf, symbolAt, symbolsOf } from "./elf.ts";

export type Symbolizer = (address: number) => string | undefined;

/**
 * A symbolizer for the program at `path` (one that knows nothing if it is not ELF64). The file
 * is read and its symbol table parsed at the first address asked for: most checks name no
 * address (no counterexample), and a small check would pay for reading the whole binary.
 */
export function readSymbols(path: string): Symbolizer {
  let symbols: readonly ElfSymbol[] | undefined;
  return (address) => name(symbols ??= globals(path), address);
}

/** The program's global variables at their run-time addresses (none if it cannot be read). */
function globals(path: string): readonly ElfSymbol[] {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return [];
  }
  const elf = parseElf(bytes);
  if (elf === null) return [];
  return symbolsOf(elf)
    // Global variables only; the runtime's own objects are not the user's business.
    .filter((s) => s.type === 1 && !s.name.includes("."))
    .map((s): ElfSymbol => ({ ...s, value: s.value + elf.bias }));
}

function name(symbols: readonly ElfSymbol[], address: number): string | undefined {
  const s = symbolAt(symbols, address);
  if (s === undefined) return undefined;
  const offset = address - s.value;
  // An element of an array of 64-bit cells (the size isomc_load and isomc_store access) reads
  // best as an index, element 0 too: `flag[0]` beside `flag[1]`, not `flag`.
  if (offset % 8 === 0 && s.size % 8 === 0 && s.size > 8) return `${s.name}[${offset / 8}]`;
  return offset === 0 ? s.name : `${s.name}+${offset}`;
}
