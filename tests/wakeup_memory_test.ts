/**
 * What the DPOR search keeps alive (issue 10: memory must not grow with the number of
 * executions): a wakeup tree holds its pending branches, never the branches removed from it,
 * whose subtrees are whole explored parts of the search. Reachability is counted by walking
 * every object reachable from the root, whatever the fields are called.
 */

import assert from "node:assert/strict";
import { WakeupNode } from "../lib/explore/dpor/wakeup_tree.ts";
import type { Event } from "../lib/explore/dpor/event.ts";
import { Kind, type Transition } from "../lib/model/transition.ts";

/** The events reachable from `root` through any chain of object fields and array slots. */
function reachableEvents(root: object): Set<Event> {
  const seen = new Set<object>();
  const events = new Set<Event>();
  const stack: object[] = [root];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (!(x instanceof WakeupNode) && "alt" in x && "actor" in x) events.add(x as Event);
    for (const v of Object.values(x)) if (typeof v === "object" && v !== null) stack.push(v);
  }
  return events;
}

function event(actor: number): Event {
  const transition = { actor, kind: Kind.yield, choices: 1 } as unknown as Transition;
  return { actor, alt: 0, transition, accesses: [], created: [] };
}

Deno.test("a wakeup tree keeps no branch removed from it, nor what lay below one", () => {
  const root = new WakeupNode(null);
  const explored = [event(1), event(2), event(3)];
  const pending = event(4);
  root.append([explored[0], explored[1]]);
  root.append([explored[2]]);
  root.append([pending]);
  // The first two branches are explored in turn, the way the search removes them.
  root.remove(root.child(0));
  root.remove(root.child(0));
  assert.equal(root.count, 1);
  assert.deepEqual([...reachableEvents(root)], [pending]);
  // A branch removed from the middle (asleep where it starts) goes too.
  const asleep = event(5);
  root.append([asleep]);
  root.append([event(6)]);
  root.remove(root.child(1));
  assert.equal(reachableEvents(root).has(asleep), false);
  assert.equal(root.count, 2);
});
