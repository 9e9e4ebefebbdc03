/**
 * The answers cache of the sdpor/odpor coordinator (dpor_coordinator.ts): every job is kept by
 * its inputs (probe or subtree, prefix, sleep set, wakeup tree), so that an answer run ahead is
 * used only when the frontier asks for the very inputs it ran with (docs/parallel.md, "sdpor
 * and odpor"). A unit is made the first time its inputs are asked for, handed out once, and
 * forgotten once the frontier uses its answer.
 *
 * The wakeup tree is named by a 64-bit hash of its shape (treeHash): the prediction names up
 * to 64 trees after every answer, and their full text (treeKey) was the coordinator's largest
 * cost (readers(13), 2 workers: 179 ms of its 810; bench/README.md, "Parallel, part 3"). The
 * hash only finds a unit; the frontier's own lookups (`exact`) compare the tree's full text
 * with the one the job ran with, so two trees of one hash never share an answer.
 */

import type { SleepSet } from "../explore/dpor/sleep.ts";
import { treeData, treeKey, type WakeupNode } from "../explore/dpor/wakeup_tree.ts";
import type { Step } from "../model/transition.ts";
import type { Job, JobOutcome } from "./job.ts";

/** A job, kept by its inputs. */
export interface Unit {
  readonly key: string;
  /** Made when first handed out (a prediction asks for many it never hands out). */
  job: Job | null;
  readonly make: () => Job;
  /**
   * The wakeup tree it stands for (subtree jobs; a probe's is not an input), and once made,
   * that tree's full text (treeKey): what the job runs with.
   */
  tree: WakeupNode;
  treeText: string | null;
  state: "pending" | "running" | "done";
  worker: number | null;
  outcome: JobOutcome | null;
  /**
   * --max-executions: the executions the job may run (null: the search's bound). The frontier
   * asks again with what is left of the bound when an answer ran past it (dpor_coordinator.ts).
   */
  limit: number | null;
  /**
   * A subtree job guessed below a node the frontier has not decided the cut for
   * (dpor_predict.ts) while it was still pending: counted when handed out and when used.
   */
  guessed?: boolean;
}

/** What every job of one attempt shares (the attempt's spawners and epoch). */
export interface Attempt {
  readonly spawners: readonly number[];
  readonly epoch: number;
}

/** The name of a prefix (its steps), as the cache and the cut know it. */
export function prefixKey(prefix: readonly Step[]): string {
  return prefix.map((s) => `${s.actor}.${s.choice}`).join(" ");
}

/**
 * A 64-bit name of the tree below `node` (its branches' actors and alternatives, in order, and
 * their shapes), as 16 hex digits: two 32-bit FNV-1a lanes over a preorder walk, no string
 * built on the way (treeKey is the exact name).
 */
export function treeHash(node: WakeupNode): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const mix = (x: number): void => {
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995);
    b ^= b >>> 15;
  };
  const walk = (n: WakeupNode): void => {
    const count = n.count;
    mix(count);
    for (let i = 0; i < count; i++) {
      const c = n.child(i);
      mix(c.ev!.actor);
      mix(c.ev!.alt);
      walk(c);
    }
  };
  walk(node);
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

export class UnitCache {
  private units = new Map<string, Unit>();

  /** `hash`: the trees' names (a test gives one that collides). */
  constructor(
    private readonly attempt: () => Attempt,
    private readonly hash: (tree: WakeupNode) => string = treeHash,
  ) {}

  /**
   * The job of these inputs, kept by them (made, pending, the first time they are asked for).
   * `exact`: the frontier asks, to use the answer; a unit of the same key whose tree differs
   * (a hash collision) is replaced by one of this tree (its answer, if any, is not used).
   */
  unit(
    probe: boolean,
    id: readonly number[],
    prefix: readonly Step[],
    sleep: SleepSet,
    tree: WakeupNode,
    exact = false,
  ): Unit {
    const treeAt = probe ? "" : this.hash(tree);
    const key = `${probe ? "p" : "x"}|${prefixKey(prefix)}|${sleep.key()}|${treeAt}`;
    const u = this.units.get(key);
    if (u !== undefined) {
      if (!exact || probe) return u;
      // Not handed out yet: nothing ran, it stands for the frontier's tree from now on.
      if (u.treeText === null) u.tree = tree;
      if (u.treeText === null || u.treeText === treeKey(tree)) return u;
    }
    const { spawners, epoch } = this.attempt();
    const made: Unit = {
      key,
      job: null,
      tree,
      treeText: null,
      make: (): Job => {
        // Made when handed out: a unit is only found by its inputs' current name, so the tree
        // is still the one named (trees only grow; a grown one is another unit).
        if (!probe && this.hash(made.tree) !== treeAt) {
          throw new Error("internal: parallel: a job's wakeup tree changed under its name");
        }
        if (!probe) made.treeText = treeKey(made.tree);
        return {
          id,
          prefix,
          spawners,
          epoch,
          key,
          ...(made.limit === null ? {} : { maxExecutions: made.limit }),
          dpor: {
            probe,
            sleep: sleep.toData(),
            tree: probe ? { ev: null, below: [] } : treeData(made.tree),
          },
        };
      },
      state: "pending",
      worker: null,
      outcome: null,
      limit: null,
    };
    this.units.set(key, made);
    return made;
  }

  /** The unit of a job handed out (by the key it carries), if the cache still has it. */
  byKey(key: string | undefined): Unit | undefined {
    return this.units.get(key ?? "");
  }

  /** Forgets `u` (used, or dropped: asked for again, it is made anew). */
  delete(u: Unit): void {
    this.units.delete(u.key);
  }

  /**
   * Asks for `u` again with at most `limit` executions (--max-executions: its answer ran past
   * what is left of the bound, and the sequential search stops inside its subtree).
   */
  again(u: Unit, limit: number): void {
    u.limit = limit;
    u.job = null;
    u.treeText = null;
    u.outcome = null;
    u.state = "pending";
    u.worker = null;
  }

  /** The search is over: only what still runs is kept (to be told to stop). */
  keepRunning(): void {
    this.units = new Map([...this.units].filter(([, u]) => u.state === "running"));
  }

  clear(): void {
    this.units = new Map();
  }

  values(): IterableIterator<Unit> {
    return this.units.values();
  }

  count(state: Unit["state"]): number {
    let n = 0;
    for (const u of this.units.values()) if (u.state === state) n++;
    return n;
  }
}
