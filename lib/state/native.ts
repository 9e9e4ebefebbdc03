/**
 * Typed handles on the native snapshot engine (native/src/checker/state/): a page store shared
 * by everything one check snapshots, an engine per program process, and snapshots. Handles
 * are explicit resources: free() what you create, drop() what you snapshot.
 */

import { InputError, InternalError } from "../errors.ts";
import { native } from "../native/library.ts";
import type { MapOp, StackInfo } from "../process/protocol.ts";

export type TrackerKind = "uffd-wp" | "soft-dirty" | "none";
const trackerKinds: readonly TrackerKind[] = ["uffd-wp", "soft-dirty", "none"];

/** The engine failed because the program is gone (it crashed, exited or was killed). */
export class ProcessGone extends Error {
  override name = "ProcessGone";
}

/**
 * The program maps memory that a stateful restore cannot put back (a MAP_SHARED file, a SysV
 * segment, write-only memory: native/src/checker/state/maps.zig).
 */
export class UnrestorableMapping extends InputError {
  override name = "UnrestorableMapping";
}

/** The one line that refuses a mapping (`mapping` in words, from the native side). */
export function refusal(mapping: string, restore: "memory" | "fork"): string {
  const why = /SysV/.test(mapping)
    ? "other processes may attach it and it outlives the program"
    : /file/.test(mapping)
    ? "writing it back writes the file, which other processes may read"
    : "its content cannot be read from outside";
  return `the program maps ${mapping}, which --restore=${restore} cannot restore (${why}); use --restore=replay`;
}

const whyBuffer = new Uint8Array(512);
const whyLength = new BigUint64Array(1);

function whyText(n: number): string {
  return new TextDecoder().decode(whyBuffer.subarray(0, n));
}

function check(
  code: number,
  what: string,
  why?: () => string,
  restore: "memory" | "fork" = "memory",
): void {
  switch (code) {
    case 0:
      return;
    case -1:
      throw new ProcessGone(`${what}: the program is gone`);
    case -2:
      throw new InternalError(`${what}: the write tracker failed`);
    case -3:
      throw new InternalError(`${what}: out of memory`);
    case -4:
      throw new InternalError(`${what}: the program's mappings differ from the snapshot's`);
    case -5:
      throw new InternalError(`${what}: /proc/PID/maps could not be parsed`);
    case -6:
      throw new UnrestorableMapping(refusal(why?.() ?? "memory", restore));
    default:
      throw new InternalError(`${what}: native error ${code}`);
  }
}

export interface StoreStats {
  /** Distinct pages held now, and the most held at once. */
  pages: number;
  peakPages: number;
  /** References to pages from snapshots and views. */
  references: number;
  /** Pages read and submitted, and how many of them were already stored. */
  interned: number;
  deduplicated: number;
}

export class PageStore {
  private handle: Deno.PointerValue;

  constructor() {
    this.handle = native().isomc_store_new();
    if (this.handle === null) throw new InternalError("out of memory creating the page store");
  }

  get pointer(): NonNullable<Deno.PointerValue> {
    if (this.handle === null) throw new InternalError("the page store is freed");
    return this.handle;
  }

  stats(): StoreStats {
    const out = new BigUint64Array(5);
    native().isomc_store_stats(this.pointer, out);
    return {
      pages: Number(out[0]),
      references: Number(out[1]),
      interned: Number(out[2]),
      deduplicated: Number(out[3]),
      peakPages: Number(out[4]),
    };
  }

  /** A handle on `snapshot`'s content that outlives its engine; free it with release(). */
  keep(snapshot: Snapshot): Snapshot {
    const p = native().isomc_snapshot_clone(snapshot.pointer);
    if (p === null) throw new InternalError("out of memory keeping a snapshot");
    return new Snapshot(p, snapshot.hash);
  }

  release(snapshot: Snapshot): void {
    native().isomc_snapshot_free(this.pointer, snapshot.pointer);
  }

  /** Whether two snapshots hold the same state, the dead parts of their stacks zeroed. */
  equal(
    a: Snapshot,
    stacksA: readonly StackInfo[],
    b: Snapshot,
    stacksB: readonly StackInfo[],
  ): boolean {
    const ma = masksOf(stacksA);
    const mb = masksOf(stacksB);
    return native().isomc_snapshots_equal(
      this.pointer,
      a.pointer,
      ma,
      BigInt(stacksA.length),
      b.pointer,
      mb,
      BigInt(stacksB.length),
    );
  }

  free(): void {
    if (this.handle === null) return;
    native().isomc_store_free(this.handle);
    this.handle = null;
  }
}

/** The dead part of each stack, [lo, sp), as (lo, sp) pairs. */
function masksOf(stacks: readonly StackInfo[]): BigUint64Array {
  const masks = new BigUint64Array(stacks.length * 2);
  stacks.forEach((s, i) => {
    masks[2 * i] = BigInt(s.lo);
    masks[2 * i + 1] = BigInt(s.sp);
  });
  return masks;
}

export class Snapshot {
  constructor(readonly pointer: NonNullable<Deno.PointerValue>, readonly hash: bigint) {}
}

export interface EngineStats {
  syncs: number;
  snapshots: number;
  restores: number;
  mapsReads: number;
  relayouts: number;
  pagesRead: number;
  pagesWritten: number;
  bytesRead: number;
  bytesWritten: number;
  readCalls: number;
  writeCalls: number;
  syncSeconds: number;
  restoreSeconds: number;
}

export interface EngineOptions {
  readonly pid: number;
  readonly pidfd: number;
  /** The program's userfaultfd (its number in the program), or -1. */
  readonly uffd: number;
  /** Ranges that are not program state (the runtime's control memory, the maestro's stack). */
  readonly ignored: readonly (readonly [number, number])[];
  /** The best tracker allowed. */
  readonly tracker?: TrackerKind;
  /** The strategy a refused mapping is named with (default memory). */
  readonly restore?: "memory" | "fork";
}

/** The snapshot engine of one program process. */
export class Engine {
  private handle: Deno.PointerValue;
  private readonly restoreName: "memory" | "fork";

  constructor(readonly store: PageStore, options: EngineOptions) {
    this.restoreName = options.restore ?? "memory";
    const ignored = new BigUint64Array(options.ignored.length * 2);
    options.ignored.forEach(([a, b], i) => {
      ignored[2 * i] = BigInt(a);
      ignored[2 * i + 1] = BigInt(b);
    });
    const err = new Int32Array(1);
    this.handle = native().isomc_engine_new(
      store.pointer,
      options.pid,
      options.pidfd,
      options.uffd,
      ignored,
      BigInt(options.ignored.length),
      trackerKinds.indexOf(options.tracker ?? "uffd-wp"),
      err,
      whyBuffer,
      BigInt(whyBuffer.length),
      whyLength,
    );
    if (this.handle === null) {
      check(
        err[0],
        "starting the snapshot engine",
        () => whyText(Number(whyLength[0])),
        this.restoreName,
      );
    }
  }

  /** check() for a call of this engine: a refusal names the mapping the engine refused. */
  private check(code: number, what: string): void {
    check(code, what, () => {
      const n = Number(
        native().isomc_engine_why(this.pointer, whyBuffer, BigInt(whyBuffer.length)),
      );
      return whyText(n);
    }, this.restoreName);
  }

  private get pointer(): NonNullable<Deno.PointerValue> {
    if (this.handle === null) throw new InternalError("the snapshot engine is freed");
    return this.handle;
  }

  get tracker(): TrackerKind {
    return trackerKinds[native().isomc_engine_tracker(this.pointer)];
  }

  /** Snapshots the program as it is now (it must be stopped at a scheduling point). */
  snapshot(mapsChanged: boolean): Snapshot {
    const err = new Int32Array(1);
    const p = native().isomc_engine_snapshot(this.pointer, mapsChanged, err);
    if (p === null) {
      this.check(err[0], "taking a snapshot");
      throw new InternalError("taking a snapshot failed");
    }
    return new Snapshot(p, native().isomc_snapshot_hash(p) as bigint);
  }

  /** Brings the engine's view up to date with the program (stopped at a scheduling point). */
  sync(mapsChanged: boolean): void {
    this.check(native().isomc_engine_sync(this.pointer, mapsChanged), "reading the program");
  }

  /**
   * The 4-byte words at `addresses` (each a multiple of 4), unsigned: from the engine's view
   * when `fromView` (it is the program's state now: no system call for a page it holds), else
   * from the program; or the index of the first address that cannot be read.
   */
  readWords(addresses: readonly number[], fromView: boolean): Uint32Array | number {
    const addrs = new BigUint64Array(addresses.map((a) => BigInt(a)));
    const out = new Uint32Array(addresses.length);
    const rc = Number(
      native().isomc_engine_read_words(
        this.pointer,
        addrs,
        BigInt(addresses.length),
        fromView,
        out,
      ),
    );
    if (rc > 0) return rc - 1;
    this.check(rc, "reading propositions");
    return out;
  }

  /** The hash of the last snapshot's memory without the dead part of the stacks. */
  stateHash(stacks: readonly StackInfo[]): bigint {
    const masks = masksOf(stacks);
    return native().isomc_engine_masked_hash(this.pointer, masks, BigInt(stacks.length)) as bigint;
  }

  drop(snapshot: Snapshot): void {
    native().isomc_engine_drop(this.pointer, snapshot.pointer);
  }

  /**
   * The mapping changes the runtime must make before `snapshot` can be restored: from the
   * program's maps read now (`reread`), or from the engine's view of them.
   */
  plan(snapshot: Snapshot, reread: boolean): MapOp[] {
    let cap = 64;
    while (true) {
      const out = new BigUint64Array(cap * 3);
      const n = native().isomc_engine_plan(
        this.pointer,
        snapshot.pointer,
        reread,
        out,
        BigInt(cap),
      );
      if (n <= -1000) {
        cap = -n - 1000;
        continue;
      }
      this.check(n < 0 ? n : 0, "planning a restore");
      const ops: MapOp[] = [];
      for (let i = 0; i < n; i++) {
        ops.push({
          map: out[3 * i] === 1n,
          start: Number(out[3 * i + 1]),
          end: Number(out[3 * i + 2]),
        });
      }
      return ops;
    }
  }

  /**
   * Writes back the pages that differ from `snapshot` (mappings must already match). `clean`:
   * the program has not run since the engine's last sync or restore, so no page was written
   * since and the write tracker is not asked (never with `mapsChanged`, which MAP caused).
   */
  restore(snapshot: Snapshot, mapsChanged: boolean, clean = false): void {
    this.check(
      native().isomc_engine_restore(this.pointer, snapshot.pointer, mapsChanged, clean),
      "restoring",
    );
  }

  stats(): EngineStats {
    const o = new BigUint64Array(13);
    native().isomc_engine_stats(this.pointer, o);
    const n = (i: number): number => Number(o[i]);
    return {
      syncs: n(0),
      snapshots: n(1),
      restores: n(2),
      mapsReads: n(3),
      relayouts: n(4),
      pagesRead: n(5),
      pagesWritten: n(6),
      bytesRead: n(7),
      bytesWritten: n(8),
      readCalls: n(9),
      writeCalls: n(10),
      syncSeconds: n(11) / 1e9,
      restoreSeconds: n(12) / 1e9,
    };
  }

  free(): void {
    if (this.handle === null) return;
    native().isomc_engine_free(this.handle);
    this.handle = null;
  }
}

/**
 * The shared memory of a checkpoint (--restore=fork): a forked copy shares it with its
 * checkpoint, so it is saved when the checkpoint freezes and written back into every copy
 * forked from it (native/src/checker/state/shared.zig). free() it.
 */
export class SharedImage {
  private handle: Deno.PointerValue;

  private constructor(handle: NonNullable<Deno.PointerValue>) {
    this.handle = handle;
  }

  /** Saves the shared memory of process `pid` (stopped), minus the `ignored` ranges. */
  static save(pid: number, ignored: readonly (readonly [number, number])[]): SharedImage {
    const ranges = new BigUint64Array(ignored.length * 2);
    ignored.forEach(([a, b], i) => {
      ranges[2 * i] = BigInt(a);
      ranges[2 * i + 1] = BigInt(b);
    });
    const err = new Int32Array(1);
    const p = native().isomc_shared_save(
      pid,
      ranges,
      BigInt(ignored.length),
      err,
      whyBuffer,
      BigInt(whyBuffer.length),
      whyLength,
    );
    if (p === null) {
      if (err[0] === -6) {
        throw new UnrestorableMapping(refusal(whyText(Number(whyLength[0])), "fork"));
      }
      check(err[0], "saving a checkpoint's shared memory");
      throw new InternalError("saving a checkpoint's shared memory failed");
    }
    return new SharedImage(p);
  }

  private get pointer(): NonNullable<Deno.PointerValue> {
    if (this.handle === null) throw new InternalError("the shared memory image is freed");
    return this.handle;
  }

  /** Pages it holds (0: the program maps no shared memory). */
  get pages(): number {
    return Number(native().isomc_shared_pages(this.pointer));
  }

  /** Writes the saved memory into `pid`, a copy forked from the checkpoint. */
  restore(pid: number): void {
    check(native().isomc_shared_restore(this.pointer, pid), "restoring shared memory");
  }

  free(): void {
    if (this.handle === null) return;
    native().isomc_shared_free(this.handle);
    this.handle = null;
  }
}
