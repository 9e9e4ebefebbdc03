/**
 * Copies of one program alike (docs/state.md, "Copies of one program"). Every copy starts
 * with its channel at one descriptor number and fixed bytes at AT_RANDOM (the canary and the
 * pointer guard, native/src/checker/exec_random.zig); what still differs between two copies
 * at their initial state is a few words each exec sets anew (the thread id glibc caches, its
 * malloc's tcache key, the dynamic linker's relocation timer). `calibrate` finds them by
 * starting two copies and comparing their memory word by word; `makeAlike` writes the first
 * copy's values into another copy before its first state is keyed, so that every copy starts
 * byte for byte as that one did. A parallel search checks it on each copy by its initial
 * state's key.
 */

import { InputError } from "../errors.ts";
import type { Hello } from "../process/spec.ts";

/** The words to set in a new copy: address and value (8 bytes, little-endian). */
export interface StartWords {
  readonly words: readonly (readonly [bigint, bigint])[];
}

/** A running copy, as far as reading and writing its memory goes. */
export interface Copy extends Pick<Hello, "pid" | "ignored"> {
  /** It started with the fixed AT_RANDOM bytes (the kernel let the checker trace its exec). */
  readonly randomFixed: boolean;
}

/** A writable mapping of a copy and its bytes. */
interface Mapping {
  readonly line: string;
  readonly start: number;
  readonly bytes: Uint8Array;
}

/**
 * The words in which copy `b` differs from the reference copy `a`, both at their initial
 * state, with `a`'s values; or why they cannot be made alike (their mappings differ).
 * Only memory that is program state is compared: the runtime's own (`ignored`) is not hashed,
 * and it is being used while the copy waits.
 */
export function calibrate(a: Copy, b: Copy): StartWords | string {
  // Without the fixed canary, the copies' canaries differ in the runtime's own frames too,
  // which are not compared: a copy given another's canary would fail its stack checks.
  if (!a.randomFixed || !b.randomFixed) {
    return "the kernel does not let isomc trace the program's exec (ptrace), so its copies start with different canaries";
  }
  const ma = writableMemory(a);
  const mb = writableMemory(b);
  if (ma.length !== mb.length || ma.some((m, i) => m.line !== mb[i].line)) {
    return "two copies of the program start with different mappings";
  }
  const words: [bigint, bigint][] = [];
  for (let i = 0; i < ma.length; i++) {
    const wa = new BigUint64Array(ma[i].bytes.buffer, 0, ma[i].bytes.length / 8);
    const wb = new BigUint64Array(mb[i].bytes.buffer, 0, mb[i].bytes.length / 8);
    for (let w = 0; w < wa.length; w++) {
      if (wa[w] !== wb[w]) words.push([BigInt(ma[i].start + w * 8), wa[w]]);
    }
  }
  return { words };
}

/** Writes the reference's words into `copy` (stopped at its initial state). */
export function makeAlike(copy: Copy, start: StartWords): void {
  if (start.words.length === 0) return;
  if (!copy.randomFixed) {
    throw new InputError(
      "a copy of the program could not be started alike: the kernel did not let isomc trace its exec",
    );
  }
  const file = Deno.openSync(`/proc/${copy.pid}/mem`, { read: true, write: true });
  try {
    const word = new Uint8Array(8);
    const view = new DataView(word.buffer);
    for (const [address, value] of start.words) {
      view.setBigUint64(0, value, true);
      file.seekSync(address, Deno.SeekMode.Start);
      if (file.writeSync(word) !== 8) throw new Error(`cannot write the copy's word at ${address}`);
    }
  } finally {
    file.close();
  }
}

/**
 * Where `start`'s words are in `copy`, by mapping (its file's name, [stack], [heap] or
 * anonymous), with the offset of the first: "403 words differ: 3 in prog (first at +0x240),
 * 400 in [stack] (first at +0x1f2c0)".
 */
export function describeWords(copy: Copy, start: StartWords): string {
  const lines = Deno.readTextFileSync(`/proc/${copy.pid}/maps`).trim().split("\n");
  const maps = lines.map((line) => {
    const [range, , , , , ...name] = line.split(/\s+/);
    const [lo, hi] = range.split("-").map((x) => BigInt(`0x${x}`));
    const path = name.join(" ");
    return { lo, hi, name: path === "" ? "anonymous memory" : path.split("/").pop()! };
  });
  const groups = new Map<string, { n: number; first: bigint }>();
  for (const [address] of start.words) {
    const m = maps.find((m) => m.lo <= address && address < m.hi);
    const name = m === undefined ? "unmapped memory" : `${m.name} at 0x${m.lo.toString(16)}`;
    const g = groups.get(name);
    if (g === undefined) groups.set(name, { n: 1, first: address - (m?.lo ?? 0n) });
    else g.n++;
  }
  const n = start.words.length;
  const parts = [...groups].map(([name, g]) =>
    `${g.n} in ${name} (first at +0x${g.first.toString(16)})`
  );
  return `${n} word${n === 1 ? "" : "s"} differ${n === 1 ? "s" : ""}: ${parts.join(", ")}`;
}

/** The copy's writable mappings outside the runtime's own memory, with their contents. */
function writableMemory(copy: Copy): Mapping[] {
  const lines = Deno.readTextFileSync(`/proc/${copy.pid}/maps`).trim().split("\n");
  const file = Deno.openSync(`/proc/${copy.pid}/mem`, { read: true });
  const out: Mapping[] = [];
  try {
    for (const line of lines) {
      const [range, perms, , , , ...name] = line.split(/\s+/);
      if (perms[1] !== "w") continue;
      const [start, end] = range.split("-").map((x) => parseInt(x, 16));
      // The line without the inode: equal mappings of two copies are equal lines.
      const id = `${range} ${perms} ${name.join(" ")}`;
      if (copy.ignored.some(([lo, hi]) => start < hi && lo < end)) {
        out.push({ line: id, start, bytes: new Uint8Array(0) });
        continue;
      }
      const bytes = new Uint8Array(end - start);
      file.seekSync(start, Deno.SeekMode.Start);
      let got = 0;
      while (got < bytes.length) {
        const n = file.readSync(bytes.subarray(got));
        if (n === null || n === 0) break;
        got += n;
      }
      out.push({ line: id, start, bytes });
    }
  } finally {
    file.close();
  }
  return out;
}
