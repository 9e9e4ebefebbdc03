/**
 * The exploration fixes of issue 8 on in-memory transition systems: a choice of N values costs
 * O(N) work (the batch insertion of values into a wakeup tree is the sequential one, sleep sets
 * by actor), and the other search fixes (tests/search_test.ts has the real programs).
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { type Event, makeEvent } from "../lib/explore/dpor/event.ts";
import { SleepSet } from "../lib/explore/dpor/sleep.ts";
import {
  insert,
  insertValues,
  ValueInsertion,
  WakeupNode,
} from "../lib/explore/dpor/wakeup_tree.ts";
import { Kind, type Point, type Transition } from "../lib/model/transition.ts";
import { PathPoints } from "../lib/explore/points.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";
import { rng } from "./support/random_programs.ts";

// ---- Item 3: a choice of N values ------------------------------------------------------------

/** A draws random(0, n - 1) and stores it in x; B stores into y. */
function randomValues(n: number): FakeProgram {
  return {
    actors: [
      {
        name: "draw",
        code: [
          { op: "random", min: 0, max: n - 1, into: "v" },
          { op: "store", var: "x", value: (r) => r.v },
        ],
      },
      { name: "other", code: [{ op: "store", var: "y", value: 1 }] },
    ],
  };
}

Deno.test("random(0, N-1): N executions under every reduction, N = 20,000 (was cubic in N)", async () => {
  // Before, every execution inserted the N-1 other values again, each insertion scanning
  // the N branches of the node: N = 20,000 would have taken hours; now it takes about a second.
  const n = 20_000;
  for (const reduction of ["odpor", "sdpor", "sleep"] as const) {
    const r = await exploreDpor(new FakeTarget(randomValues(n)), reduction);
    assert.equal(r.verdict, "ok", reduction);
    assert.equal(r.stats.executions, n, reduction);
    if (reduction !== "sleep") assert.equal(r.stats.sleepBlocked, 0, reduction);
  }
  // Each value's execution is its own trace: n with the exhaustive search too, times 3 orders.
  const none = await exploreDfs(new FakeTarget(randomValues(n)));
  assert.equal(none.stats.executions, 3 * n);
});

Deno.test("random(0, N-1): each node registers its values once (N wakeup insertions, not 2N)", async () => {
  // The first execution registers the N-1 other values behind B's store; the second (B's
  // store first) registers them again where the random now is: only value 0 is new there.
  const r = await exploreDpor(new FakeTarget(randomValues(50)), "odpor");
  assert.equal(r.stats.executions, 50);
  assert.equal(r.stats.wakeupInsertions, 50);
});

// ---- Batch insertion of values = sequential insertion ---------------------------------------

function tr(actor: number, kind: Kind, object = 0, choices = 1): Transition {
  return {
    actor,
    kind,
    enabled: true,
    ready: false,
    choices,
    object,
    arg0: 0n,
    arg1: BigInt(choices - 1),
    extras: [],
  };
}

const noComms = (): undefined => undefined;

/** The events of a small world: actor 1 draws among 6 values, actors 2-4 touch x and y. */
function world(next: () => number): { pick: () => Event; value: (alt: number) => Event } {
  const random = tr(1, Kind.random, 0, 6);
  const value = (alt: number): Event => makeEvent(random, alt, noComms);
  const others = [2, 3, 4].flatMap((a) => [
    makeEvent(tr(a, Kind.store, 0x1000), 0, noComms),
    makeEvent(tr(a, Kind.load, 0x1008), 0, noComms),
    makeEvent(tr(a, Kind.yield), 0, noComms),
  ]);
  const pick = (): Event =>
    next() < 0.3 ? value(Math.floor(next() * 6)) : others[Math.floor(next() * others.length)];
  return { pick, value };
}

function shape(node: WakeupNode): string {
  const parts: string[] = [];
  for (let i = 0; i < node.count; i++) {
    const c = node.child(i);
    parts.push(`${c.ev!.actor}.${c.ev!.alt}${c.count > 0 ? `(${shape(c)})` : ""}`);
  }
  return parts.join(" ");
}

function copy(from: WakeupNode, to: WakeupNode): void {
  for (let i = 0; i < from.count; i++) {
    to.append([from.child(i).ev!]);
    copy(from.child(i), to.child(to.count - 1));
  }
}

Deno.test("insertValues builds the tree that inserting each value in turn builds, in slices too", () => {
  let checked = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const next = rng(seed);
    const { pick, value } = world(next);
    const tree = new WakeupNode(null);
    for (let k = 0; k < 1 + Math.floor(next() * 6); k++) {
      const seq = Array.from({ length: 1 + Math.floor(next() * 4) }, pick);
      if (next() < 0.5) tree.append(seq);
      else insert(tree, seq);
    }
    // notdep of a value never holds an event of the value's actor.
    const prefix = Array.from({ length: Math.floor(next() * 3) }, pick).filter((e) =>
      e.actor !== 1
    );
    const taken = Math.floor(next() * 6);
    const values = [0, 1, 2, 3, 4, 5].filter((v) => v !== taken).map(value);
    const one = new WakeupNode(null);
    copy(tree, one);
    let sequential = 0;
    for (const v of values) if (insert(one, [...prefix, v])) sequential++;
    const batch = new WakeupNode(null);
    copy(tree, batch);
    const added = insertValues(batch, prefix, values);
    assert.equal(shape(batch), shape(one), `seed ${seed}`);
    assert.equal(added, sequential, `seed ${seed}`);
    // Slice after slice, as the explorer registers millions of values, the same again.
    const sliced = new WakeupNode(null);
    copy(tree, sliced);
    const insertion = new ValueInsertion(sliced, prefix);
    let inSlices = 0;
    for (let from = 0; from < values.length;) {
      const to = from + 1 + Math.floor(next() * 3);
      inSlices += insertion.insert(values.slice(from, to));
      from = to;
    }
    assert.equal(shape(sliced), shape(one), `seed ${seed}, in slices`);
    assert.equal(inSlices, sequential, `seed ${seed}, in slices`);
    checked++;
  }
  assert.equal(checked, 400);
});

Deno.test("sleep sets by actor: membership, waking by dependence, copy on write", () => {
  const random = tr(1, Kind.random, 0, 3);
  const [v0, v1, v2] = [0, 1, 2].map((c) => makeEvent(random, c, noComms));
  const store = makeEvent(tr(2, Kind.store, 0x1000), 0, noComms);
  const load = makeEvent(tr(3, Kind.load, 0x1000), 0, noComms);
  const s = SleepSet.empty();
  s.add(v0);
  s.add(store);
  assert.ok(s.has(v0) && !s.has(v1) && s.has(store));
  // A load of x wakes the store of x; a step of actor 1 wakes its other values.
  const afterLoad = s.after(load);
  assert.ok(afterLoad.has(v0) && !afterLoad.has(store));
  const afterValue = s.after(v2);
  assert.ok(!afterValue.has(v0) && afterValue.has(store));
  // Adding to the next state's set leaves this one as it was, and the other way round.
  afterLoad.add(v1);
  assert.ok(afterLoad.has(v1) && !s.has(v1));
  s.add(v2);
  assert.ok(s.has(v2) && !afterLoad.has(v2));
});

// ---- Item 4: memory grows with depth plus actors ---------------------------------------------

function yieldTransition(actor: number, arg0 = 0n): Transition {
  return { ...tr(actor, Kind.yield), arg0 };
}

Deno.test("the path's points: an undo log over one point, restored exactly when popped", () => {
  const points = new PathPoints();
  const actors = 1000;
  const depth = 3000;
  let current = Array.from({ length: actors }, (_, i) => yieldTransition(i + 1));
  const seen: Point[] = [];
  for (let d = 0; d < depth; d++) {
    const point = { steps: d, transitions: current };
    seen.push(point);
    points.push(point);
    // The next step changes one actor's transition; every few steps an actor finishes.
    const moved = (d * 7) % current.length;
    current = current.map((t, i) => i === moved ? yieldTransition(t.actor, BigInt(d + 1)) : t)
      .filter((_, i) => d % 5 !== 4 || i !== moved);
  }
  // A point per depth would hold depth x actors transitions: 3 million here.
  assert.ok(points.held <= depth + 2 * actors, `${points.held} transitions held`);
  for (let d = depth - 1; d >= 0; d--) {
    assert.deepEqual(points.top.transitions, seen[d].transitions, `depth ${d}`);
    points.pop();
  }
  assert.equal(points.length, 0);
});

/** n actors each doing store; yield; store on a counter of its own (issue 8's program). */
function ownCounters(n: number): FakeProgram {
  return {
    actors: Array.from({ length: n }, (_, i) => ({
      name: `w${i}`,
      code: [
        { op: "store" as const, var: `c${i}`, value: 1 },
        { op: "yield" as const },
        { op: "store" as const, var: `c${i}`, value: 2 },
      ],
    })),
  };
}

Deno.test("1,000 actors with counters of their own: one execution 3,000 deep, by every search", async () => {
  const r = await exploreDpor(new FakeTarget(ownCounters(1000)), "odpor");
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.executions, 1);
  assert.equal(r.stats.maxDepth, 3000);
  const first = await exploreDfs(new FakeTarget(ownCounters(1000)), { maxExecutions: 3 });
  assert.equal(first.incomplete, "max-executions");
  assert.equal(first.stats.maxDepth, 3000);
});
