/**
 * The points of the current path of a depth-first search, kept as one current point and, per
 * depth, only what changed from the point above (an undo log): a step usually changes the
 * pending transition of the actor that moved, so memory grows with depth plus actors, not with
 * their product, as a point per depth would (1,000 actors 3,000 steps deep took 1.7 GB).
 */

import type { Point, Transition } from "../model/transition.ts";

/** How to undo one change: the actor's transition before it (undefined: it had none). */
interface Change {
  readonly actor: number;
  readonly before: Transition | undefined;
}

export class PathPoints {
  /** The top point's transitions, in actor order. */
  private readonly current: Transition[] = [];
  /** undo[d]: the changes that made point d out of point d - 1 (point 0: out of nothing). */
  private readonly undo: Change[][] = [];
  private readonly steps: number[] = [];

  /** Transitions held, the current point's and the undo log's: depth plus actors, typically. */
  get held(): number {
    let n = this.current.length;
    for (const changes of this.undo) n += changes.length;
    return n;
  }

  /** How many points the path has. */
  get length(): number {
    return this.undo.length;
  }

  /**
   * The top point. The object is a view: it changes with the next push or pop, so it must not
   * be kept beyond them.
   */
  get top(): Point {
    return { steps: this.steps[this.steps.length - 1], transitions: this.current };
  }

  /** The point just reached becomes the top. */
  push(point: Point): void {
    const changes: Change[] = [];
    const next = point.transitions;
    const cur = this.current;
    let i = 0;
    let j = 0;
    const merged: Transition[] = [];
    while (i < cur.length || j < next.length) {
      const a = i < cur.length ? cur[i] : undefined;
      const b = j < next.length ? next[j] : undefined;
      if (b === undefined || (a !== undefined && a.actor < b.actor)) {
        changes.push({ actor: a!.actor, before: a });
        i++;
      } else if (a === undefined || b.actor < a.actor) {
        changes.push({ actor: b.actor, before: undefined });
        merged.push(b);
        j++;
      } else {
        if (sameTransition(a, b)) {
          merged.push(a);
        } else {
          changes.push({ actor: a.actor, before: a });
          merged.push(b);
        }
        i++;
        j++;
      }
    }
    cur.length = 0;
    for (const t of merged) cur.push(t);
    this.undo.push(changes);
    this.steps.push(point.steps);
  }

  /** Back to the point above the top. */
  pop(): void {
    const changes = this.undo.pop();
    this.steps.pop();
    if (changes === undefined) throw new Error("internal: pop of an empty path");
    for (const c of changes) {
      const at = position(this.current, c.actor);
      const here = at < this.current.length && this.current[at].actor === c.actor;
      if (c.before === undefined) {
        if (here) this.current.splice(at, 1);
      } else if (here) {
        this.current[at] = c.before;
      } else {
        this.current.splice(at, 0, c.before);
      }
    }
  }

  /** Pops points until `length` are left. */
  truncate(length: number): void {
    while (this.undo.length > length) this.pop();
  }
}

/** The index of `actor` in `ts` (sorted by actor), or where it would go. */
function position(ts: readonly Transition[], actor: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid].actor < actor) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every field the search reads: an actor that did not move keeps its transition, but whether a
 * compare-exchange fails changes with the others' writes (docs/independence.md).
 */
function sameTransition(a: Transition, b: Transition): boolean {
  // A STATE's record that repeats the actor's last is the same object (decode.ts, RecordCache).
  if (a === b) return true;
  if (
    a.kind !== b.kind || a.enabled !== b.enabled || a.ready !== b.ready ||
    a.fails !== b.fails || a.spin !== b.spin || a.site !== b.site ||
    a.choices !== b.choices || a.object !== b.object || a.arg0 !== b.arg0 ||
    a.arg1 !== b.arg1 || a.extras.length !== b.extras.length
  ) {
    return false;
  }
  for (let k = 0; k < a.extras.length; k++) {
    if (a.extras[k].id !== b.extras[k].id || a.extras[k].ready !== b.extras[k].ready) {
      return false;
    }
  }
  return true;
}
