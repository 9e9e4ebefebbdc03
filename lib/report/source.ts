/**
 * Where in the program's source each step was made: the runtime reports each pending
 * transition's call site (a return address into the program, protocol version 5), and this
 * turns it into a file, a line and a function from the program's own DWARF line tables and
 * symbol table, read once, when the first address is asked for. Why not addr2line: it is not
 * on every machine, and one process per address costs more than reading the tables once
 * (docs/reports.md has the measurement).
 */

import { basename, isAbsolute, join } from "../paths.ts";
import { lineAt, type LineTables, parseLineTables } from "./dwarf_line.ts";
import { compDirs } from "./dwarf_units.ts";
import { type Elf, type ElfSymbol, parseElf, sectionBytes, symbolAt, symbolsOf } from "./elf.ts";

export interface SourceLocation {
  /** The file's name as compiled (`transfer.c`, `src/a.c`, `/abs/b.c`). */
  readonly file: string;
  /** Where to read the file: absolute when the compilation directory is known. */
  readonly path: string;
  readonly line: number;
  /** The function the call is in, from the symbol table, when it has one. */
  readonly function?: string;
}

/** Turns a call site (a run-time return address) into where it is, or undefined. */
export type SourceResolver = (site: number) => SourceLocation | undefined;

export const noSources: SourceResolver = () => undefined;

/** How a location reads in a counterexample: `transfer.c:9`. */
export function formatSource(loc: SourceLocation): string {
  return `${basename(loc.file)}:${loc.line}`;
}

/** A resolver for the program at `path` (one that knows nothing when it has no line tables). */
export function readSources(path: string): SourceResolver {
  let tables: ProgramTables | null | undefined;
  const memo = new Map<number, SourceLocation | undefined>();
  return (site) => {
    if (memo.has(site)) return memo.get(site);
    tables ??= loadTables(path);
    const found = tables === null ? undefined : locate(tables, site);
    memo.set(site, found);
    return found;
  };
}

interface ProgramTables {
  readonly elf: Elf;
  readonly lines: LineTables;
  readonly dirs: ReadonlyMap<number, string>;
  readonly functions: readonly ElfSymbol[];
}

function loadTables(path: string): ProgramTables | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return null;
  }
  const elf = parseElf(bytes);
  const debugLine = elf === null ? null : sectionBytes(elf, ".debug_line");
  if (elf === null || debugLine === null) return null;
  const strings = {
    str: sectionBytes(elf, ".debug_str"),
    lineStr: sectionBytes(elf, ".debug_line_str"),
  };
  const info = sectionBytes(elf, ".debug_info");
  const abbrev = sectionBytes(elf, ".debug_abbrev");
  return {
    elf,
    lines: parseLineTables(debugLine, strings),
    dirs: info === null || abbrev === null
      ? new Map()
      : compDirs({ ...strings, info, abbrev, strOffsets: sectionBytes(elf, ".debug_str_offsets") }),
    functions: symbolsOf(elf).filter((s) => s.type === 2),
  };
}

/** Where the call whose return address is `site` is. */
export function locate(t: ProgramTables, site: number): SourceLocation | undefined {
  // The return address is the instruction after the call, which may be on the next line:
  // the call's last byte is the call's.
  const address = site - t.elf.bias - 1;
  if (address < 0) return undefined;
  const hit = lineAt(t.lines, address);
  if (hit === undefined) return undefined;
  const fn = symbolAt(t.functions, address)?.name;
  return {
    file: hit.file.name,
    path: sourcePath(hit.file.name, hit.file.dir, t.dirs.get(hit.unit.offset) ?? null),
    line: hit.line,
    ...(fn === undefined ? {} : { function: fn }),
  };
}

function sourcePath(name: string, dir: string | null, compDir: string | null): string {
  if (isAbsolute(name)) return name;
  const withDir = dir === null || dir === "" ? name : join(dir, name);
  if (isAbsolute(withDir) || compDir === null) return withDir;
  return join(compDir, withDir);
}
