/**
 * The liveness search's memory: product states (a 64-bit program state hash and an automaton
 * state) in an open-addressing hash table of typed arrays — 16 bytes a slot, at most half
 * full — with each state's depth-first number (0 once its component is finished), the stack
 * of states whose component is still open (Tarjan's), and the set of distinct program states.
 * No JavaScript object per state: the search's cost per visited state is these arrays.
 */

export class ProductTable {
  private lo: Uint32Array;
  private hi: Uint32Array;
  /** Automaton state + 1 (0: the slot is empty). */
  private aut: Uint32Array;
  /** Depth-first number, 0 when the state's component is finished ("dead"). */
  private num: Uint32Array;
  private mask: number;
  count = 0;
  /** Slots of the states whose component is open, in the order they were first visited. */
  private live: Int32Array = new Int32Array(1024);
  liveSize = 0;

  constructor(capacity = 1 << 12) {
    const size = 1 << Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.aut = new Uint32Array(size);
    this.num = new Uint32Array(size);
    this.mask = size - 1;
  }

  private slotOf(lo: number, hi: number, q: number): number {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(q + 1, 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    let slot = h & this.mask;
    while (this.aut[slot] !== 0) {
      if (this.lo[slot] === lo && this.hi[slot] === hi && this.aut[slot] === q + 1) return slot;
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  /** The state's depth-first number: 0 when finished, -1 when never visited. */
  lookup(lo: number, hi: number, q: number): number {
    const slot = this.slotOf(lo, hi, q);
    return this.aut[slot] === 0 ? -1 : this.num[slot];
  }

  /** Adds a new state with its depth-first number and pushes it on the open stack. */
  insert(lo: number, hi: number, q: number, num: number): void {
    if ((this.count + 1) * 2 > this.lo.length) this.grow();
    const slot = this.slotOf(lo, hi, q);
    if (this.aut[slot] !== 0) throw new Error("internal: product state inserted twice");
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.aut[slot] = q + 1;
    this.num[slot] = num;
    this.count++;
    if (this.liveSize === this.live.length) {
      const bigger = new Int32Array(this.live.length * 2);
      bigger.set(this.live);
      this.live = bigger;
    }
    this.live[this.liveSize++] = slot;
  }

  /** Marks finished every open state numbered `from` or more (a component closed). */
  finishFrom(from: number): void {
    while (this.liveSize > 0) {
      const slot = this.live[this.liveSize - 1];
      if (this.num[slot] < from) break;
      this.num[slot] = 0;
      this.liveSize--;
    }
  }

  private grow(): void {
    const { lo, hi, aut, num } = this;
    const size = lo.length * 2;
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.aut = new Uint32Array(size);
    this.num = new Uint32Array(size);
    this.mask = size - 1;
    const moved = new Int32Array(lo.length).fill(-1);
    for (let old = 0; old < lo.length; old++) {
      if (aut[old] === 0) continue;
      const slot = this.slotOf(lo[old], hi[old], aut[old] - 1);
      this.lo[slot] = lo[old];
      this.hi[slot] = hi[old];
      this.aut[slot] = aut[old];
      this.num[slot] = num[old];
      moved[old] = slot;
    }
    for (let i = 0; i < this.liveSize; i++) this.live[i] = moved[this.live[i]];
  }

  /** Bytes held per stored state (slots, live stack), for the memory figures. */
  get bytes(): number {
    return this.lo.length * 16 + this.live.length * 4;
  }
}

/** A set of 64-bit program state hashes (8 bytes a slot, at most half full). */
export class HashSet64 {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private used: Uint8Array;
  private mask: number;
  count = 0;

  constructor(capacity = 1 << 12) {
    const size = 1 << Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
  }

  private slotOf(lo: number, hi: number): number {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0xcc9e2d51);
    h ^= h >>> 16;
    let slot = h & this.mask;
    while (this.used[slot] !== 0) {
      if (this.lo[slot] === lo && this.hi[slot] === hi) return slot;
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  /** Adds the hash; true when it was new. */
  add(lo: number, hi: number): boolean {
    const slot = this.slotOf(lo, hi);
    if (this.used[slot] !== 0) return false;
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.used[slot] = 1;
    this.count++;
    if (this.count * 2 > this.lo.length) this.grow();
    return true;
  }

  private grow(): void {
    const { lo, hi, used } = this;
    const size = lo.length * 2;
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (let i = 0; i < lo.length; i++) {
      if (used[i] === 0) continue;
      const slot = this.slotOf(lo[i], hi[i]);
      this.lo[slot] = lo[i];
      this.hi[slot] = hi[i];
      this.used[slot] = 1;
    }
  }

  get bytes(): number {
    return this.lo.length * 9;
  }
}
