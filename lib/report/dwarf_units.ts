/**
 * The compilation directories of a program's units (.debug_info): DWARF 2 to 4 line tables
 * name a unit's files relative to a directory they do not give (DWARF 5's give it as directory
 * 0), so reading a source file back needs the unit's DW_AT_comp_dir, found by its
 * DW_AT_stmt_list (the line table's offset). Only each unit's first entry is read.
 */

import { Cursor, DwarfError, type FormValue, type StringSections } from "./dwarf_reader.ts";

const AT_stmt_list = 0x10;
const AT_comp_dir = 0x1b;
const AT_str_offsets_base = 0x72;
const FORM_implicit_const = 0x21;
const UT_compile = 1;
const UT_partial = 3;

export interface UnitSections extends StringSections {
  readonly info: Uint8Array;
  readonly abbrev: Uint8Array;
  readonly strOffsets: Uint8Array | null;
}

/** Each unit's compilation directory, by the offset of its line table. */
export function compDirs(s: UnitSections): Map<number, string> {
  const dirs = new Map<number, string>();
  const c = new Cursor(s.info);
  while (!c.atEnd) {
    let end: number;
    try {
      end = c.unitLength();
    } catch {
      break;
    }
    try {
      const found = firstEntry(c, s);
      if (found !== null) dirs.set(found.stmtList, found.compDir);
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
    }
    c.pos = end;
  }
  return dirs;
}

function firstEntry(c: Cursor, s: UnitSections): { stmtList: number; compDir: string } | null {
  const version = c.u16();
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const type = c.u8();
    if (type !== UT_compile && type !== UT_partial) return null;
    addressSize = c.u8();
    abbrevOffset = c.offset();
  } else if (version >= 2) {
    abbrevOffset = c.offset();
    addressSize = c.u8();
  } else {
    return null;
  }
  const code = c.uleb();
  const attributes = abbreviation(s.abbrev, abbrevOffset, code);
  if (attributes === null) return null;
  let stmtList: number | null = null;
  let compDir: FormValue | null = null;
  let strOffsetsBase = 8; // DWARF 5's default: right after the section's header
  for (const [name, form] of attributes) {
    const value = c.form(form, s, addressSize, version);
    if (name === AT_stmt_list && value.kind === "number") stmtList = value.value;
    if (name === AT_comp_dir) compDir = value;
    if (name === AT_str_offsets_base && value.kind === "number") strOffsetsBase = value.value;
  }
  if (stmtList === null || compDir === null) return null;
  const dir = compDir.kind === "strx"
    ? indexedString(s, strOffsetsBase, compDir.index, c.offsetSize)
    : compDir.kind === "string"
    ? compDir.value
    : null;
  return dir === null ? null : { stmtList, compDir: dir };
}

/** The (attribute, form) list of abbreviation `code` in the table at `offset`, or null. */
function abbreviation(abbrev: Uint8Array, offset: number, code: number): [number, number][] | null {
  const c = new Cursor(abbrev, offset);
  while (!c.atEnd) {
    const current = c.uleb();
    if (current === 0) return null;
    c.uleb(); // tag
    c.u8(); // has children
    const attributes: [number, number][] = [];
    while (true) {
      const name = c.uleb();
      const form = c.uleb();
      if (name === 0 && form === 0) break;
      if (form === FORM_implicit_const) c.sleb(); // the value lives here, not in the entry
      attributes.push([name, form]);
    }
    if (current === code) return attributes;
  }
  return null;
}

function indexedString(
  s: UnitSections,
  base: number,
  index: number,
  offsetSize: number,
): string | null {
  if (s.strOffsets === null || s.str === null) return null;
  const c = new Cursor(s.strOffsets, base + index * offsetSize);
  const at = c.uint(offsetSize);
  const value = new Cursor(s.str, at).cString();
  return value;
}
