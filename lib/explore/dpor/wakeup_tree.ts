/**
 * Wakeup trees (ODPOR): at each state of the current execution, the ordered tree of event
 * sequences still to explore from it. A race reversal is inserted unless a branch already
 * explores something it starts; the leftmost branch is explored first.
 */

import { type Event, eventsDependent } from "./event.ts";

export class WakeupNode {
  /**
   * The branches below: none (a leaf), the one branch itself, or an array of them from `head`
   * on (explored ones leave from the front, in O(1)). Most nodes of a tree are leaves or links
   * of one sequence, which hold no array: an array is 56 bytes and more (17 slots once grown
   * by push from empty), a node 48 (lastzero(13) on the fake system: the trees' arrays took
   * more than their nodes, bench/README.md).
   */
  private below: WakeupNode | WakeupNode[] | null = null;
  private head = 0;
  constructor(public ev: Event | null) {}

  get count(): number {
    const b = this.below;
    if (b === null) return 0;
    if (b instanceof WakeupNode) return 1;
    return b.length - this.head;
  }

  /** The i-th branch below, in order (the leftmost is explored first). */
  child(i: number): WakeupNode {
    const b = this.below;
    if (b instanceof WakeupNode) {
      if (i !== 0) throw new Error(`internal: wakeup tree: no branch ${i} of 1`);
      return b;
    }
    return b![this.head + i];
  }

  /** Adds `child` (a whole subtree) as the new rightmost branch. */
  adopt(child: WakeupNode): void {
    const b = this.below;
    if (b === null) this.below = child;
    else if (b instanceof WakeupNode) {
      this.below = [b, child];
      this.head = 0;
    } else b.push(child);
  }

  /** Adds `sequence` as a new rightmost branch below this node. */
  append(sequence: readonly Event[]): void {
    if (sequence.length === 0) return;
    let node = new WakeupNode(sequence[0]);
    this.adopt(node);
    for (let k = 1; k < sequence.length; k++) {
      const child = new WakeupNode(sequence[k]);
      node.below = child;
      node = child;
    }
  }

  /**
   * Removes a branch (explored, or asleep where it starts). Its slot is cleared at once: a
   * removed branch holds its whole explored subtree (each explored node's tree is the branch
   * that led to it), and a node with few branches is never compacted, so the slots left
   * behind kept every execution explored alive (lastzero(13) on the fake system: the live
   * heap grew by 7 MiB per thousand executions).
   */
  remove(child: WakeupNode): void {
    const b = this.below;
    if (b === null) return;
    if (b instanceof WakeupNode) {
      if (b === child) this.below = null;
      return;
    }
    if (b.length > this.head && b[this.head] === child) {
      b[this.head] = removed;
      this.head++;
      if (this.head === b.length) {
        this.below = null;
        this.head = 0;
        return;
      }
      // Compact now and then, so that the array does not keep what left it.
      if (this.head > 64 && this.head * 2 > b.length) {
        this.below = b.slice(this.head);
        this.head = 0;
      }
      return;
    }
    const at = b.indexOf(child, this.head);
    if (at >= 0) b.splice(at, 1);
  }
}

/** A wakeup tree as plain data (a parallel job's root): each branch's event and its branches. */
export interface TreeData {
  readonly ev: Event | null;
  readonly below: readonly TreeData[];
}

/** The tree below `node` (its pending branches) as plain data. */
export function treeData(node: WakeupNode): TreeData {
  const below: TreeData[] = [];
  for (let i = 0; i < node.count; i++) below.push(treeData(node.child(i)));
  return { ev: node.ev, below };
}

export function treeFromData(data: TreeData): WakeupNode {
  const node = new WakeupNode(data.ev);
  for (const b of data.below) node.adopt(treeFromData(b));
  return node;
}

/** A canonical name of the tree below `node` (actors and alternatives), for memo keys. */
export function treeKey(node: WakeupNode): string {
  const parts: string[] = [];
  for (let i = 0; i < node.count; i++) {
    const c = node.child(i);
    parts.push(`${c.ev!.actor}.${c.ev!.alt}${c.count > 0 ? `(${treeKey(c)})` : ""}`);
  }
  return parts.join(" ");
}

/** What a removed branch's slot holds until the array is compacted. */
const removed = new WakeupNode(null);

/**
 * What fit answers: `conflict`, `independent`, or the position of the initial in the sequence
 * (a number, not an object per branch looked at: insertion walks many, issue 10).
 */
type Fit = number;
const conflict = -1;
const independent = -2;

/**
 * How a branch's first event `c` relates to `v`: it is v's first event of its actor and
 * nothing before it in v conflicts with it (an initial of v: descend, dropping it from v; its
 * position is returned); it is independent of all of v (a weak initial not in v); or neither.
 */
function fit(c: Event, v: readonly Event[]): Fit {
  for (let k = 0; k < v.length; k++) {
    const e = v[k];
    if (e.actor === c.actor) {
      if (e.alt !== c.alt) return conflict;
      for (let p = 0; p < k; p++) if (eventsDependent(v[p], e)) return conflict;
      return k;
    }
    if (eventsDependent(e, c)) return conflict;
  }
  return independent;
}

/**
 * Inserts `sequence` below `root` (JACM 2017, insert[E](w, wut)); returns whether a branch was
 * added. It descends through the first branch whose event is a weak initial of what is left of
 * the sequence (dropping that event from it when it is in it); reaching a leaf means an
 * execution already scheduled explores it. Descending through a branch independent of the
 * whole rest matters: stopping there, as Nidhugg's implementation does, loses executions when
 * the only race that leads to them below that branch is cut by a sleep set (the random
 * program tests found such a case with two trylocks).
 */
export function insert(
  root: WakeupNode,
  sequence: readonly Event[],
  room = Infinity,
): boolean {
  return insertFrom(root, [...sequence], room);
}

/**
 * insert(), `room` being the steps left below `root` before a depth bound: a branch independent
 * of the rest of the sequence is a weak initial of it only when the rest still fits below it.
 */
function insertFrom(root: WakeupNode, v: Event[], room = Infinity): boolean {
  let node = root;
  let used = 0;
  while (true) {
    if (node.count === 0) return false;
    let next: WakeupNode | null = null;
    for (let i = 0; i < node.count; i++) {
      const child = node.child(i);
      const f = fit(child.ev!, v);
      if (f === conflict) continue;
      if (f === independent && used + 1 + v.length > room) continue;
      if (f >= 0) {
        if (v.length === 1) return false;
        v.splice(f, 1);
      }
      next = child;
      break;
    }
    if (next === null) {
      node.append(v);
      return true;
    }
    node = next;
    used++;
  }
}

/**
 * Inserts, for each event of `values` in turn, the sequence `prefix` then that event, exactly
 * as that many calls of insert would, in one walk of the tree. The values are the other
 * alternatives of one actor's transition (a random's other values), and `prefix` has no event
 * of that actor (it is notdep of the event); then a branch of another actor fits every value
 * alike, and a branch of that actor fits its own value only, so N values cost one walk and a
 * lookup per branch instead of N walks. Returns how many sequences were added.
 */
export function insertValues(
  root: WakeupNode,
  prefix: readonly Event[],
  values: readonly Event[],
  room = Infinity,
): number {
  return new ValueInsertion(root, prefix, room).insert(values);
}

/**
 * The other values of one event inserted slice after slice (insertValues over consecutive
 * slices of the values is insertValues over all of them). The leaves a slice adds are values
 * of the actor that no later slice holds, so later slices skip them instead of scanning them:
 * each slice costs the tree as it was, not the values inserted before it.
 */
export class ValueInsertion {
  /** Where this insertion's own leaves start, at each node that got some. */
  private readonly ownLeavesFrom = new Map<WakeupNode, number>();

  constructor(
    private readonly root: WakeupNode,
    private readonly prefix: readonly Event[],
    /** Steps left below the root before a depth bound (see insert). */
    private readonly room = Infinity,
  ) {}

  insert(values: readonly Event[]): number {
    let added = 0;
    const work: { node: WakeupNode; used: number; v: Event[]; values: Event[] }[] = [
      { node: this.root, used: 0, v: [...this.prefix], values: [...values] },
    ];
    while (work.length > 0) {
      const { node, used, v, values: left } = work.pop()!;
      if (left.length === 0 || node.count === 0) continue;
      const actor = left[0].actor;
      // Whether an event of the prefix conflicts with the actor's transition (every value's).
      const blocked = v.some((e) => eventsDependent(e, left[0]));
      const unclaimed = new Map(left.map((ev) => [ev.alt, ev]));
      const end = this.ownLeavesFrom.get(node) ?? node.count;
      for (let i = 0; i < end && unclaimed.size > 0; i++) {
        const child = node.child(i);
        const c = child.ev!;
        if (c.actor === actor) {
          const ev = blocked ? undefined : unclaimed.get(c.alt);
          if (ev === undefined) continue;
          unclaimed.delete(c.alt);
          // The value is this branch: what is left to insert below it is the prefix alone.
          if (v.length > 0 && insertFrom(child, [...v], this.room - used - 1)) added++;
          continue;
        }
        const f = fit(c, [...v, left[0]]);
        if (f === conflict) continue;
        if (f === independent && used + 2 + v.length > this.room) continue;
        const rest = [...v];
        if (f >= 0) rest.splice(f, 1);
        work.push({ node: child, used: used + 1, v: rest, values: [...unclaimed.values()] });
        unclaimed.clear();
      }
      // The first value left starts a new branch; the others, inserted after it, descend along
      // its prefix and end as its siblings there.
      let at = node;
      for (const ev of unclaimed.values()) {
        if (at === node && v.length > 0) {
          node.append([...v, ev]);
          at = node.child(node.count - 1);
          for (let k = 1; k < v.length; k++) at = at.child(0);
          if (!this.ownLeavesFrom.has(at)) this.ownLeavesFrom.set(at, 0);
        } else {
          if (!this.ownLeavesFrom.has(at)) this.ownLeavesFrom.set(at, at.count);
          at.append([ev]);
        }
        added++;
      }
    }
    return added;
  }
}
