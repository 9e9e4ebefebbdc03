/**
 * What the DPOR search keeps alive (issue 10: memory must not grow with the number of
 * executions): a wakeup tree holds its pending branches, never the branches removed from it,
 * whose subtrees are whole explored parts of the search; the pending branches hold one object
 * per distinct event, not each its own execution's copies; and a whole search's live heap
 * (after a full collection, in a process of its own with `gc`) stays as it was early on.
 * Reachability is counted by walking every object reachable from the root, whatever the
 * fields are called.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WakeupNode } from "../lib/explore/dpor/wakeup_tree.ts";
import { type Event, SharedEvents } from "../lib/explore/dpor/event.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { Kind, type Transition } from "../lib/model/transition.ts";
import { FakeTarget } from "./support/fake_system.ts";
import { lastzero } from "./support/fake_programs.ts";
import { type FrontierSample, watchFrontier } from "./support/frontier.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

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

Deno.test("an ODPOR search's pending branches hold each distinct event once (lastzero(9), fake system)", async () => {
  const watch = watchFrontier(20);
  let executions = 0;
  try {
    executions = (await exploreDpor(new FakeTarget(lastzero(9)), "odpor")).stats.executions;
  } finally {
    watch.stop();
  }
  // (N + 3) 2^(N - 2) executions, one per trace (tests/dpor_fake_test.ts).
  assert.equal(executions, 12 * 128);
  assert.ok(watch.samples.length >= 70, `${watch.samples.length} samples`);
  // The frontier is not empty along the way: there are events to share.
  assert.ok(Math.max(...watch.samples.map((x) => x.nodes)) > 100);
  // Before, each pending branch held the events of the execution that found it: 2,000 and
  // more objects for a few hundred contents.
  const copies = watch.samples.filter((x) => x.objects !== x.contents);
  assert.deepEqual(copies.map((x) => [x.executions, x.objects, x.contents]), []);
});

Deno.test("the live heap of a long ODPOR search does not grow with its executions (lastzero(12), fake system)", async () => {
  // A process of its own, with gc: the figure is the live heap after a full collection.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      "bench/frontier.ts",
      "12",
      "--every=512",
      "--json",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    stats: { executions: number };
    samples: FrontierSample[];
  };
  assert.equal(r.stats.executions, 15 * 1024);
  const live = r.samples.map((x) => x.live!);
  assert.ok(live.length >= 25 && live.every((v) => v > 0), `${live.length} samples`);
  // The first tenth of the search against the rest: at most a small constant more (GC noise,
  // a deeper stack), whatever the number of executions behind it. Before, when each pending
  // branch held its own execution's events, 10.4 MiB then 18.2; after, 5.9 then 7.1.
  const tenth = Math.ceil(live.length / 10);
  const early = Math.max(...live.slice(0, tenth));
  const later = Math.max(...live.slice(tenth));
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  assert.ok(
    later <= early + 4 * 2 ** 20,
    `live heap: at most ${mib(early)} in the first tenth, ${mib(later)} after`,
  );
});

Deno.test("shared events: one object for events alike in every field, another for any field that differs", () => {
  const base: Transition = {
    actor: 2,
    kind: Kind.waitany,
    enabled: true,
    ready: false,
    choices: 2,
    object: 7,
    arg0: 1n,
    arg1: 2n,
    site: 0x1234,
    extras: [{ id: 5, ready: true }, { id: 6, ready: false }],
  };
  const ev = (t: Transition, more: Partial<Event> = {}): Event => ({
    actor: t.actor,
    alt: 5,
    transition: t,
    accesses: [{ cell: "recv:3", mode: "read" }],
    created: [],
    ...more,
  });
  const shared = new SharedEvents();
  const first = ev(base);
  assert.equal(shared.of(first), first);
  // Alike in every field, another object: the first one.
  assert.equal(shared.of(ev({ ...base, extras: base.extras.map((x) => ({ ...x })) })), first);
  const differing: Event[] = [
    ev(base, { alt: 6 }),
    ev(base, { created: [3] }),
    ev(base, { accesses: [{ cell: "recv:3", mode: "write" }] }),
    ev(base, { accesses: [{ cell: "recv:4", mode: "read" }] }),
    ev({ ...base, enabled: false }),
    ev({ ...base, ready: true }),
    ev({ ...base, spin: true }),
    ev({ ...base, spin: false }),
    ev({ ...base, choices: 3 }),
    ev({ ...base, object: 8 }),
    ev({ ...base, arg0: 2n }),
    ev({ ...base, arg1: 3n }),
    // Alike in the 32 bits the hash takes of a value (SharedEvents hashes without a string):
    // the same bucket, told apart by the comparison.
    ev({ ...base, arg0: 1n + 2n ** 32n }),
    ev({ ...base, arg1: 2n - 2n ** 40n }),
    ev({ ...base, fails: true }),
    ev({ ...base, site: 0x1235 }),
    ev({ ...base, site: undefined }),
    ev({ ...base, kind: Kind.random }),
    ev({ ...base, extras: [{ id: 5, ready: false }, { id: 6, ready: false }] }),
    ev({ ...base, extras: [{ id: 5, ready: true }] }),
  ];
  for (const d of differing) {
    assert.equal(
      shared.of(d),
      d,
      JSON.stringify(d, (_k, v) => typeof v === "bigint" ? `${v}` : v),
    );
  }
  // By position: the same object again is looked up, a new one at that position shared.
  const events = [first, differing[0]];
  assert.equal(shared.at(events, 1), differing[0]);
  assert.equal(shared.at([first, ev(base, { alt: 6 })], 1), differing[0]);
});
