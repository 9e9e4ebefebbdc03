/**
 * What a state's key is, for `--visited` and the known ends of main: the hash of its memory without the
 * dead parts of the stacks (native/src/checker/state/engine.zig maskedHash), mixed with its fd
 * table's text (lib/state/fds.ts fdTableKey) when it holds descriptors. One definition for
 * every strategy that compares states — memory snapshots and forked checkpoints — so that
 * both count the same states by construction; and the state itself as --exact-compare keeps
 * it.
 */

import type { ExactState } from "../explore/target.ts";
import type { StackInfo } from "../process/protocol.ts";
import { type FdEntry, fdTableKey } from "./fds.ts";
import type { Engine, PageStore, Snapshot } from "./native.ts";

/** A state's key and the fd table's text it was computed with. */
export interface StateKey {
  readonly key: bigint;
  readonly fds: string;
}

/**
 * The key of the state `engine`'s view holds (synced by the caller), with `stacks` (their
 * dead parts left out) and its descriptors `fds`.
 */
export function stateKey(
  engine: Engine,
  stacks: readonly StackInfo[],
  fds: readonly FdEntry[],
): StateKey {
  const text = fdTableKey(fds);
  return { key: withFdTable(engine.stateHash(stacks), fds.length === 0 ? null : text), fds: text };
}

/**
 * The key a final state's known end is filed under (lib/state/known_ends.ts): its memory with
 * every stack dead, and its descriptors.
 */
export function endKey(
  engine: Engine,
  stacks: readonly StackInfo[],
  fds: readonly FdEntry[],
): string {
  return `${engine.stateHash(deadStacks(stacks)).toString(16)} ${fdTableKey(fds)}`;
}

/** Every actor has finished: every stack is dead. */
export function deadStacks(stacks: readonly StackInfo[]): StackInfo[] {
  return stacks.map((s) => ({ ...s, sp: s.hi }));
}

/** A state's key: its memory's hash, mixed with its fd table's (fdTableKey text) if any. */
export function withFdTable(memory: bigint, fds: string | null): bigint {
  if (fds === null) return memory;
  // FNV-1a over the table's description, then mixed in: equal tables give equal keys.
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(fds)) {
    h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  }
  return BigInt.asUintN(64, memory ^ (h * 0x9e3779b97f4a7c15n));
}

/** A state of the program as --exact-compare keeps it. */
export class MemoryState implements ExactState {
  constructor(
    private readonly store: PageStore,
    private readonly snapshot: Snapshot,
    private readonly stacks: readonly StackInfo[],
    private readonly fds: string,
  ) {}

  equals(other: ExactState): boolean {
    if (!(other instanceof MemoryState)) return false;
    return this.fds === other.fds &&
      this.store.equal(this.snapshot, this.stacks, other.snapshot, other.stacks);
  }

  release(): void {
    this.store.release(this.snapshot);
  }
}
