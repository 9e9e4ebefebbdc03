/**
 * DWARF line tables (.debug_line, versions 2 to 5, 32- and 64-bit): each unit's header (its
 * directories and files) and its line program, run into sequences of rows (address, file,
 * line), so that an address reads as the file and line it was compiled from. A unit that does
 * not parse is left out; the others still answer.
 */

import { Cursor, DwarfError, type FormValue, type StringSections } from "./dwarf_reader.ts";

/** A file of a line table: its name and its directory as the table gives them. */
export interface LineFile {
  readonly name: string;
  /**
   * The directory entry (absolute, or relative to the compilation directory), or null for the
   * compilation directory itself when the table does not name it (DWARF 2 to 4, index 0).
   */
  readonly dir: string | null;
}

export interface LineUnit {
  /** The unit's offset in .debug_line (a compilation unit's DW_AT_stmt_list). */
  readonly offset: number;
  readonly version: number;
  /** By DWARF file number (from 1 up to DWARF 4, from 0 in DWARF 5). */
  readonly files: readonly (LineFile | undefined)[];
}

/**
 * A run of contiguous code, from `start` up to `end` (exclusive). Its rows (sorted by address)
 * are made from its part of the line program when first needed: most of a program's code is
 * the runtime's and the C library's, which nobody asks about.
 */
interface Sequence {
  readonly unit: LineUnit;
  readonly start: number;
  readonly end: number;
  /** Where its opcodes start in .debug_line, and what runs them. */
  readonly at: number;
  readonly program: Program;
  rows?: Rows;
}

interface Rows {
  readonly addresses: number[];
  readonly lines: number[];
  readonly files: number[];
}

export interface LineTables {
  readonly units: readonly LineUnit[];
  /** Sorted by start address. */
  readonly sequences: readonly Sequence[];
}

export interface LineHit {
  readonly unit: LineUnit;
  readonly file: LineFile;
  readonly line: number;
}

const LNCT_path = 1;
const LNCT_directory_index = 2;

/** Every line table of the section that parses. */
export function parseLineTables(section: Uint8Array, strings: StringSections): LineTables {
  const units: LineUnit[] = [];
  const sequences: Sequence[] = [];
  const c = new Cursor(section);
  while (!c.atEnd) {
    const offset = c.pos;
    let end: number;
    try {
      end = c.unitLength();
    } catch {
      break; // the rest of the section cannot be delimited
    }
    try {
      const unit = parseUnit(c, offset, end, strings, sequences);
      units.push(unit);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
    }
    c.pos = end;
  }
  sequences.sort((a, b) => a.start - b.start);
  return { units, sequences };
}

/** The file and line of the code at `address`, or undefined (no row, or line 0). */
export function lineAt(tables: LineTables, address: number): LineHit | undefined {
  const seqs = tables.sequences;
  // Sequences do not overlap in a linked program: the last that starts at or before it.
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqs[mid].start <= address) lo = mid + 1;
    else hi = mid;
  }
  const seq = seqs[lo - 1];
  if (seq === undefined || address >= seq.end) return undefined;
  try {
    seq.rows ??= rowsOf(seq);
  } catch (e) {
    if (!(e instanceof DwarfError)) throw e;
    return undefined;
  }
  const row = lastAtOrBefore(seq.rows.addresses, address);
  const line = seq.rows.lines[row];
  const file = seq.unit.files[seq.rows.files[row]];
  // Line 0 is code of no line (compiler-made): say nothing rather than guess.
  if (row < 0 || line === 0 || file === undefined) return undefined;
  return { unit: seq.unit, file, line };
}

function lastAtOrBefore(addresses: readonly number[], address: number): number {
  let lo = 0;
  let hi = addresses.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (addresses[mid] <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** What running a unit's line program needs: its header's numbers and its file table. */
interface Program {
  readonly section: Uint8Array;
  /** Where the unit ends. */
  readonly end: number;
  readonly version: number;
  readonly minInstructionLength: number;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  readonly opcodeLengths: readonly number[];
  readonly files: (LineFile | undefined)[];
  readonly dirs: readonly string[];
}

function parseUnit(
  c: Cursor,
  offset: number,
  end: number,
  strings: StringSections,
  sequences: Sequence[],
): LineUnit {
  const version = c.u16();
  if (version < 2 || version > 5) throw new DwarfError(`line table version ${version}`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = c.u8();
    c.u8(); // segment selector size
  }
  const headerLength = c.offset();
  const programStart = c.pos + headerLength;
  const minInstructionLength = c.u8();
  if (version >= 4) c.u8(); // maximum operations per instruction: 1 on x86
  c.u8(); // default is_stmt: every row counts here
  const lineBase = c.i8();
  const lineRange = c.u8();
  const opcodeBase = c.u8();
  if (lineRange === 0) throw new DwarfError("line range 0");
  const opcodeLengths = Array.from({ length: Math.max(0, opcodeBase - 1) }, () => c.u8());
  const files: (LineFile | undefined)[] = [];
  const dirs: string[] = [];
  if (version >= 5) {
    for (const e of entries(c, strings, addressSize, version)) dirs.push(e.path ?? "");
    for (const e of entries(c, strings, addressSize, version)) {
      files.push(
        e.path === undefined ? undefined : { name: e.path, dir: dirs[e.dir ?? 0] ?? null },
      );
    }
  } else {
    for (let d = c.cString(); d !== ""; d = c.cString()) dirs.push(d);
    files.push(undefined); // file numbers start at 1
    for (let name = c.cString(); name !== ""; name = c.cString()) {
      files.push(v4File(name, c.uleb(), dirs));
      c.uleb(); // modification time
      c.uleb(); // length
    }
  }
  const unit: LineUnit = { offset, version, files };
  const program: Program = {
    section: c.bytes,
    end,
    version,
    minInstructionLength,
    lineBase,
    lineRange,
    opcodeBase,
    opcodeLengths,
    files,
    dirs,
  };
  c.pos = programStart;
  while (c.pos < end) {
    const at = c.pos;
    const range = runSequence(c, program, null);
    if (range !== null) sequences.push({ unit, start: range.start, end: range.end, at, program });
  }
  return unit;
}

function v4File(name: string, dirIndex: number, dirs: readonly string[]): LineFile {
  return { name, dir: dirIndex === 0 ? null : dirs[dirIndex - 1] ?? null };
}

/** DWARF 5 directory or file entries: each a list of (content type, form) values. */
function entries(
  c: Cursor,
  strings: StringSections,
  addressSize: number,
  version: number,
): { path?: string; dir?: number }[] {
  const formats: [number, number][] = [];
  const formatCount = c.u8();
  for (let i = 0; i < formatCount; i++) formats.push([c.uleb(), c.uleb()]);
  const count = c.uleb();
  const out: { path?: string; dir?: number }[] = [];
  for (let i = 0; i < count; i++) {
    const entry: { path?: string; dir?: number } = {};
    for (const [type, form] of formats) {
      const v: FormValue = c.form(form, strings, addressSize, version);
      if (type === LNCT_path && v.kind === "string") entry.path = v.value;
      if (type === LNCT_directory_index && v.kind === "number") entry.dir = v.value;
    }
    out.push(entry);
  }
  return out;
}

function rowsOf(seq: Sequence): Rows {
  const rows: Rows = { addresses: [], lines: [], files: [] };
  runSequence(new Cursor(seq.program.section, seq.at), seq.program, rows);
  return rows;
}

/**
 * Runs a line program from the cursor to the end of one sequence (or of the unit), appending
 * its rows to `rows` when given; returns the sequence's extent, or null for an empty one.
 */
function runSequence(
  c: Cursor,
  p: Program,
  rows: Rows | null,
): { start: number; end: number } | null {
  let address = 0;
  let file = 1;
  let line = 1;
  let start: number | null = null;
  const row = (): void => {
    start ??= address;
    if (rows === null) return;
    rows.addresses.push(address);
    rows.lines.push(line);
    rows.files.push(file);
  };
  const advance = (operations: number): void => {
    address += operations * p.minInstructionLength;
  };
  while (c.pos < p.end) {
    const op = c.u8();
    if (op >= p.opcodeBase) {
      const adjusted = op - p.opcodeBase;
      advance(Math.floor(adjusted / p.lineRange));
      line += p.lineBase + (adjusted % p.lineRange);
      row();
      continue;
    }
    switch (op) {
      case 0: {
        const length = c.uleb();
        const next = c.pos + length;
        const sub = length === 0 ? -1 : c.u8();
        if (sub === 1) {
          // DW_LNE_end_sequence: the address is the first byte after the sequence.
          c.pos = next;
          return start === null || address <= start ? null : { start, end: address };
        } else if (sub === 2) {
          address = c.uint(length - 1);
        } else if (sub === 3 && p.version < 5 && rows === null) {
          // DW_LNE_define_file (before DWARF 5), taken on the first run only.
          const name = c.cString();
          p.files.push(v4File(name, c.uleb(), p.dirs));
        }
        c.pos = next;
        break;
      }
      case 1: // copy
        row();
        break;
      case 2: // advance_pc
        advance(c.uleb());
        break;
      case 3: // advance_line
        line += c.sleb();
        break;
      case 4: // set_file
        file = c.uleb();
        break;
      case 5: // set_column
        c.uleb();
        break;
      case 6: // negate_stmt
      case 7: // set_basic_block
      case 10: // set_prologue_end
      case 11: // set_epilogue_begin
        break;
      case 8: // const_add_pc
        advance(Math.floor((255 - p.opcodeBase) / p.lineRange));
        break;
      case 9: // fixed_advance_pc
        address += c.u16();
        break;
      default:
        // An opcode this reader does not know: its operands are ULEB128s, as many as it says.
        for (let i = 0; i < (p.opcodeLengths[op - 1] ?? 0); i++) c.uleb();
    }
  }
  // A program that ends without end_sequence: its rows have no known end.
  return null;
}
