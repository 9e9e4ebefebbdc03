/**
 * A cursor over DWARF bytes (little-endian): fixed-size integers, LEB128, offsets of 32- or
 * 64-bit DWARF, NUL-terminated strings, and the attribute forms of DWARF 2 to 5 — read as a
 * number or a string, or skipped. Running past the end throws DwarfError, which the readers
 * built on it (dwarf_line.ts, dwarf_units.ts) turn into "nothing known" for that unit.
 */

import { cString } from "./elf.ts";

export class DwarfError extends Error {
  override name = "DwarfError";
}

/** The string sections an attribute or a line-table entry may point into. */
export interface StringSections {
  readonly str: Uint8Array | null;
  readonly lineStr: Uint8Array | null;
}

/** A form's value: a number, a string, an index into .debug_str_offsets, or nothing kept. */
export type FormValue =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "strx"; readonly index: number }
  | { readonly kind: "other" };

export const Form = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  refAddr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  refUdata: 0x15,
  indirect: 0x16,
  secOffset: 0x17,
  exprloc: 0x18,
  flagPresent: 0x19,
  strx: 0x1a,
  addrx: 0x1b,
  refSup4: 0x1c,
  strpSup: 0x1d,
  data16: 0x1e,
  lineStrp: 0x1f,
  refSig8: 0x20,
  implicitConst: 0x21,
  loclistx: 0x22,
  rnglistx: 0x23,
  refSup8: 0x24,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
  addrx1: 0x29,
  addrx2: 0x2a,
  addrx3: 0x2b,
  addrx4: 0x2c,
} as const;

export class Cursor {
  private readonly view: DataView;
  /** 4 for 32-bit DWARF, 8 for 64-bit: the size of section offsets in the current unit. */
  offsetSize = 4;

  constructor(readonly bytes: Uint8Array, public pos = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new DwarfError("truncated DWARF");
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    // Addresses and offsets of real programs fit in a double exactly.
    return Number(v);
  }

  /** An unsigned integer of 1, 2, 3, 4 or 8 bytes. */
  uint(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 3:
        return this.u16() + this.u8() * 0x10000;
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        throw new DwarfError(`an integer of ${size} bytes`);
    }
  }

  uleb(): number {
    let result = 0;
    let scale = 1;
    while (true) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new DwarfError("LEB128 too long");
    }
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    while (true) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return (b & 0x40) !== 0 ? result - scale : result;
      if (scale > 2 ** 63) throw new DwarfError("LEB128 too long");
    }
  }

  /** A section offset of the unit's DWARF format. */
  offset(): number {
    return this.uint(this.offsetSize);
  }

  /**
   * A unit's initial length: sets the offset size (0xffffffff announces 64-bit DWARF) and
   * returns where the unit ends.
   */
  unitLength(): number {
    let length = this.u32();
    this.offsetSize = 4;
    if (length === 0xffffffff) {
      length = this.u64();
      this.offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      throw new DwarfError("reserved unit length");
    }
    const end = this.pos + length;
    if (end > this.bytes.length) throw new DwarfError("unit runs past its section");
    return end;
  }

  cString(): string {
    const start = this.pos;
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== 0) this.pos++;
    if (this.pos >= this.bytes.length) throw new DwarfError("unterminated string");
    const text = new TextDecoder().decode(this.bytes.subarray(start, this.pos));
    this.pos++;
    return text;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /**
   * Reads one attribute value of `form`. `addressSize` is the unit's; `version` matters for
   * DW_FORM_ref_addr (an address in DWARF 2, an offset after).
   */
  form(form: number, strings: StringSections, addressSize: number, version: number): FormValue {
    const num = (value: number): FormValue => ({ kind: "number", value });
    switch (form) {
      case Form.addr:
        return num(this.uint(addressSize));
      case Form.data1:
      case Form.ref1:
      case Form.flag:
        return num(this.u8());
      case Form.data2:
      case Form.ref2:
        return num(this.u16());
      case Form.data4:
      case Form.ref4:
      case Form.refSup4:
        return num(this.u32());
      case Form.data8:
      case Form.ref8:
      case Form.refSig8:
      case Form.refSup8:
        return num(this.u64());
      case Form.data16:
        this.skip(16);
        return { kind: "other" };
      case Form.sdata:
        return num(this.sleb());
      case Form.udata:
      case Form.refUdata:
      case Form.addrx:
      case Form.loclistx:
      case Form.rnglistx:
        return num(this.uleb());
      case Form.secOffset:
      case Form.strpSup:
        return num(this.offset());
      case Form.refAddr:
        return num(version <= 2 ? this.uint(addressSize) : this.offset());
      case Form.flagPresent:
      case Form.implicitConst:
        return { kind: "other" };
      case Form.string:
        return { kind: "string", value: this.cString() };
      case Form.strp:
        return stringAt(strings.str, this.offset());
      case Form.lineStrp:
        return stringAt(strings.lineStr, this.offset());
      case Form.strx:
        return { kind: "strx", index: this.uleb() };
      case Form.strx1:
        return { kind: "strx", index: this.u8() };
      case Form.strx2:
        return { kind: "strx", index: this.u16() };
      case Form.strx3:
        return { kind: "strx", index: this.uint(3) };
      case Form.strx4:
        return { kind: "strx", index: this.u32() };
      case Form.addrx1:
        return num(this.u8());
      case Form.addrx2:
        return num(this.u16());
      case Form.addrx3:
        return num(this.uint(3));
      case Form.addrx4:
        return num(this.u32());
      case Form.block1:
        this.skip(this.u8());
        return { kind: "other" };
      case Form.block2:
        this.skip(this.u16());
        return { kind: "other" };
      case Form.block4:
        this.skip(this.u32());
        return { kind: "other" };
      case Form.block:
      case Form.exprloc:
        this.skip(this.uleb());
        return { kind: "other" };
      case Form.indirect:
        return this.form(this.uleb(), strings, addressSize, version);
      default:
        throw new DwarfError(`unknown form 0x${form.toString(16)}`);
    }
  }
}

function stringAt(section: Uint8Array | null, at: number): FormValue {
  if (section === null || at >= section.length) return { kind: "other" };
  return { kind: "string", value: cString(section, at) };
}
