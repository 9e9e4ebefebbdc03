/**
 * The pending frontier of a DPOR search, measured from outside (issue 10: memory must not grow
 * with the number of executions): every N-th time the search goes back to a node
 * (ExecutionStack.nextBranch), the branches of the wakeup trees of every node on the stack, as
 * the number of pending sequences (leaves), their total length, the tree nodes, the events
 * they hold, how many distinct event objects and distinct contents those are, how many are the
 * current execution's own, per stack depth; and, where the process has `gc`
 * (--v8-flags=--expose-gc), the live heap after a full collection. Used by
 * tests/wakeup_memory_test.ts and bench/frontier.ts (and the real checker's probe,
 * bench/breakdown/probe.ts).
 */

import { writeHeapSnapshot } from "node:v8";
import { ExecutionStack, type Node } from "../../lib/explore/dpor/stack.ts";
import type { Event } from "../../lib/explore/dpor/event.ts";
import type { WakeupNode } from "../../lib/explore/dpor/wakeup_tree.ts";

export interface FrontierSample {
  /** Calls of nextBranch so far (one per execution ended, about). */
  readonly backs: number;
  readonly executions: number;
  /** The stack's depth when sampled. */
  readonly depth: number;
  /** Pending sequences (leaves of the trees below the stack's nodes). */
  readonly sequences: number;
  /** Their total length (each leaf's distance from its node on the stack). */
  readonly length: number;
  /** Tree nodes below the stack's nodes (each holds one event). */
  readonly nodes: number;
  /** Distinct event objects those nodes hold, and distinct contents among them. */
  readonly objects: number;
  readonly contents: number;
  /** Of the objects, those that are the current execution's events (on the stack). */
  readonly onStack: number;
  /** The deepest pending leaf (stack depth of its node plus its sequence's length). */
  readonly reach: number;
  /** Nodes per stack depth. */
  readonly perDepth: readonly number[];
  /** Live heap after a full collection, bytes (null without --expose-gc). */
  readonly live: number | null;
}

export interface FrontierWatch {
  readonly samples: FrontierSample[];
  /** Puts nextBranch back as it was. */
  readonly stop: () => void;
}

/** An event's whole content (two events with the same are interchangeable). */
function contentOf(ev: Event): string {
  return JSON.stringify(ev, (_k, v) => typeof v === "bigint" ? `${v}n` : v);
}

function sample(stack: ExecutionStack, backs: number, executions: number): FrontierSample {
  const objects = new Set<Event>();
  const contents = new Set<string>();
  const onStackSet = new Set<Event>(stack.events);
  const perDepth: number[] = [];
  let sequences = 0, length = 0, nodes = 0, reach = 0;
  const nodesOf: readonly Node[] = stack.nodes;
  nodesOf.forEach((n, depth) => {
    let here = 0;
    // The branch being explored from a node is the next node's tree (ExecutionStack.ran): its
    // event ran, and what is below it is counted there.
    const walk = (t: WakeupNode, d: number): void => {
      for (let i = 0; i < t.count; i++) {
        const c = t.child(i);
        if (c === n.current) continue;
        here++;
        if (c.ev !== null && !objects.has(c.ev)) {
          objects.add(c.ev);
          contents.add(contentOf(c.ev));
        }
        if (c.count === 0) {
          sequences++;
          length += d + 1;
          reach = Math.max(reach, depth + d + 1);
        } else walk(c, d + 1);
      }
    };
    walk(n.tree, 0);
    perDepth.push(here);
    nodes += here;
  });
  let onStack = 0;
  for (const ev of objects) if (onStackSet.has(ev)) onStack++;
  const gc = (globalThis as { gc?: () => void }).gc;
  let live: number | null = null;
  if (gc !== undefined) {
    gc();
    live = Deno.memoryUsage().heapUsed;
  }
  return {
    backs,
    executions,
    depth: stack.nodes.length,
    sequences,
    length,
    nodes,
    objects: objects.size,
    contents: contents.size,
    onStack,
    reach,
    perDepth,
    live,
  };
}

/**
 * Samples the frontier every `every` calls of nextBranch, and at the `snapshotAt`-th sample
 * writes a heap snapshot (its path in `snapshots`).
 */
export function watchFrontier(
  every: number,
  snapshotAt = 0,
  snapshots: string[] = [],
): FrontierWatch {
  const proto = ExecutionStack.prototype;
  const original = proto.nextBranch;
  const watch: FrontierWatch = {
    samples: [],
    stop: () => {
      proto.nextBranch = original;
    },
  };
  let backs = 0;
  proto.nextBranch = function (this: ExecutionStack): ReturnType<typeof original> {
    if (++backs % every === 0) {
      const stats = Reflect.get(this, "stats") as { executions: number };
      watch.samples.push(sample(this, backs, stats.executions));
      if (watch.samples.length === snapshotAt) snapshots.push(writeHeapSnapshot());
    }
    return original.call(this);
  };
  return watch;
}
