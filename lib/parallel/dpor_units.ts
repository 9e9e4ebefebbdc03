/**
 * The answers cache of the sdpor/odpor coordinator (dpor_coordinator.ts): every job is kept by
 * its inputs (probe or subtree, prefix, sleep set, wakeup tree), so that an answer run ahead is
 * used only when the frontier asks for the very inputs it ran with (docs/parallel.md, "sdpor
 * and odpor"). A unit is made the first time its inputs are asked for, handed out once, and
 * forgotten once the frontier uses its answer.
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

export class UnitCache {
  private units = new Map<string, Unit>();

  constructor(private readonly attempt: () => Attempt) {}

  /** The job of these inputs, kept by them (made, pending, the first time they are asked for). */
  unit(
    probe: boolean,
    id: readonly number[],
    prefix: readonly Step[],
    sleep: SleepSet,
    tree: WakeupNode,
  ): Unit {
    const treeAt = probe ? "" : treeKey(tree);
    const key = `${probe ? "p" : "x"}|${prefixKey(prefix)}|${sleep.key()}|${treeAt}`;
    const u = this.units.get(key);
    if (u !== undefined) return u;
    const { spawners, epoch } = this.attempt();
    const made: Unit = {
      key,
      job: null,
      make: (): Job => {
        // Made when handed out: a unit is only found by its inputs' current name, so the tree
        // is still the one named (trees only grow; a grown one is another unit).
        if (!probe && treeKey(tree) !== treeAt) {
          throw new Error("internal: parallel: a job's wakeup tree changed under its name");
        }
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
            tree: probe ? { ev: null, below: [] } : treeData(tree),
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
