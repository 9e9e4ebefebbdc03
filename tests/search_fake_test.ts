/**
 * The exploration fixes of issue 8 on in-memory transition systems: a choice of N values costs
 * O(N) work (the batch insertion of values into a wakeup tree is the sequential one, sleep sets
 * by actor), and the other search fixes (tests/search_test.ts has the real programs).
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { explore } from "../lib/explore/explore.ts";
import { hashingSteps, runawaySteps, warningsOf } from "../lib/explore/result.ts";
import { directoryOf, type Event, makeEvent } from "../lib/explore/dpor/event.ts";
import { analyze, happensBefore, traceKey } from "../lib/explore/dpor/happens_before.ts";
import { SleepSet } from "../lib/explore/dpor/sleep.ts";
import {
  insert,
  insertValues,
  ValueInsertion,
  WakeupNode,
} from "../lib/explore/dpor/wakeup_tree.ts";
import { Kind, type Point, type Step, type Transition } from "../lib/model/transition.ts";
import type { Outcome, Target } from "../lib/explore/target.ts";
import { PathPoints } from "../lib/explore/points.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";
import { type Flavour, randomProgram, rng } from "./support/random_programs.ts";

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

// ---- Item 5: what --max-depth guarantees ------------------------------------------------------

/**
 * Records what a search under a depth bound reached: the terminal states (finished, failed,
 * deadlocked) and, for every step it took, the history of that step (the steps that happen
 * before it, as a Mazurkiewicz trace). A violation is a property of one step and its history
 * (a deadlock, of a terminal state), so a search finds every violation within the bound when
 * it reaches every such history and terminal state that the bounded exhaustive search reaches.
 */
class BoundedRecorder implements Target {
  readonly terminal = new Set<string>();
  /** Each step taken: the path up to it (steps and the points before each), and after it. */
  private readonly taken: { steps: Step[]; points: Point[]; after: Point | null }[] = [];
  private points: Point[] = [];
  private steps: Step[] = [];

  constructor(private readonly inner: FakeTarget) {}

  get names(): FakeTarget["names"] {
    return this.inner.names;
  }

  get counters(): FakeTarget["counters"] {
    return this.inner.counters;
  }

  async start(): Promise<Outcome> {
    this.steps = [];
    this.points = [];
    return this.note(await this.inner.start());
  }

  async execute(step: Step): Promise<Outcome> {
    this.steps.push(step);
    const o = this.note(await this.inner.execute(step));
    this.taken.push({
      steps: [...this.steps],
      points: this.points.slice(0, this.steps.length),
      after: o.kind === "point" ? o.point : null,
    });
    return o;
  }

  async restore(path: readonly Step[]): Promise<void> {
    await this.inner.restore(path);
    this.steps = [...path];
    this.points.length = path.length + 1;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The histories of every step taken, as trace keys (steps of actors that create actors are
   * all dependent, as in the explorers). */
  histories(): Set<string> {
    const events = this.taken.map((t) => this.events(t, new Set()));
    const spawners = new Set(
      events.flatMap((evs) => evs.filter((e) => e.created.length > 0).map((e) => e.actor)),
    );
    const out = new Set<string>();
    for (const t of this.taken) {
      const evs = this.events(t, spawners);
      const a = analyze(evs);
      const last = evs.length - 1;
      const history = evs.filter((_, i) => happensBefore(a, i, last));
      out.add(traceKey(analyze(history)));
    }
    return out;
  }

  private events(
    t: { steps: Step[]; points: Point[]; after: Point | null },
    spawners: ReadonlySet<number>,
  ): Event[] {
    // Comm ids come back once released: a waitany's comms are looked up among the posts
    // before it on this path (event.ts directoryOf), as the explorers do.
    const out: Event[] = [];
    const directory = directoryOf(out);
    t.steps.forEach((step, k) => {
      const before = t.points[k];
      const after = k + 1 < t.steps.length ? t.points[k + 1] : t.after;
      const known = new Set(before.transitions.map((x) => x.actor));
      const created = after === null
        ? []
        : after.transitions.map((x) => x.actor).filter((x) => !known.has(x));
      const transition = before.transitions.find((x) => x.actor === step.actor)!;
      out.push(makeEvent(transition, step.choice, directory, created, spawners.has(step.actor)));
    });
    return out;
  }

  private note(o: Outcome): Outcome {
    if (o.kind === "point") this.points[this.steps.length] = o.point;
    const stuck = o.kind === "point" && !o.point.transitions.some((t) => t.enabled);
    if (o.kind !== "point" || stuck) this.terminal.add(`${o.kind} ${this.inner.stateKey()}`);
    return o;
  }
}

/** A's three steps then a failed assertion, against C storing 1 and 0 into z forever. */
const starve: FakeProgram = {
  actors: [
    {
      name: "C",
      code: [
        { op: "store", var: "z", value: 1 },
        { op: "store", var: "z", value: 0 },
        { op: "goto", to: 0 },
      ],
    },
    {
      name: "A",
      code: [
        { op: "yield" },
        { op: "yield" },
        { op: "yield" },
        { op: "assert", check: () => false, message: "reached" },
      ],
    },
  ],
};

Deno.test("--max-depth=3 and 4: the 3-step assertion an endless actor hides is found by every search", async () => {
  for (const maxDepth of [3, 4, 7]) {
    const none = await exploreDfs(new FakeTarget(starve), { maxDepth });
    assert.equal(none.violation?.message, "reached", `none, ${maxDepth}`);
    for (const reduction of ["odpor", "sdpor", "sleep"] as const) {
      const r = await exploreDpor(new FakeTarget(starve), reduction, { maxDepth });
      assert.equal(r.verdict, "violation", `${reduction}, max depth ${maxDepth}`);
      assert.equal(r.violation?.message, "reached");
      assert.ok(r.violation!.trace.length <= maxDepth);
    }
  }
});

Deno.test("random programs under depth bounds: every reduction reaches every step's history and every end the bounded exhaustive search reaches", async () => {
  const flavours: Flavour[] = ["memory", "locks", "sync", "mailbox", "spawn", "choices", "mixed"];
  let compared = 0;
  let cut = 0;
  for (const flavour of flavours) {
    for (let seed = 1; seed <= 15; seed++) {
      const program = randomProgram(seed, flavour);
      for (const bound of [1, 2, 4, 6]) {
        const none = new BoundedRecorder(new FakeTarget(program));
        const full = await exploreDfs(none, { maxDepth: bound, maxExecutions: 3000 });
        if (full.incomplete === "max-executions") continue;
        compared++;
        if (full.incomplete === "max-depth") cut++;
        const what = `${flavour} seed ${seed} bound ${bound}`;
        for (const reduction of ["odpor", "sdpor", "sleep"] as const) {
          const mine = new BoundedRecorder(new FakeTarget(program));
          const r = await exploreDpor(mine, reduction, { maxDepth: bound });
          assert.equal(r.verdict, full.verdict, `${what} ${reduction}`);
          assert.equal(r.incomplete, full.incomplete, `${what} ${reduction}`);
          if (full.verdict === "violation") continue;
          assert.deepEqual(
            [...mine.terminal].sort(),
            [...none.terminal].sort(),
            `${what} ${reduction}`,
          );
          const reached = mine.histories();
          const missed = [...none.histories()].filter((h) => !reached.has(h));
          assert.deepEqual(missed, [], `${what} ${reduction}: histories never reached`);
          if (reduction === "odpor") assert.ok(r.stats.executions <= full.stats.executions, what);
        }
      }
    }
  }
  assert.ok(compared >= 350, `only ${compared} bounded searches compared`);
  assert.ok(cut >= 200, `only ${cut} of them cut`);
});

// ---- Item 2: executions that never end -------------------------------------------------------

/** The fake system with state hashes (of its whole state), which a search turns on and off. */
class Hashing extends FakeTarget {
  on = false;
  /** How often the search asked for hashes. */
  asked = 0;

  hashStates(on: boolean): boolean {
    this.on = on;
    if (on) this.asked++;
    return true;
  }

  override stateHash(): bigint | null {
    if (!this.on) return null;
    let h = 0xcbf29ce484222325n;
    for (const ch of this.stateKey()) {
      h = BigInt.asUintN(64, (h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n);
    }
    return h;
  }
}

/** One actor storing 1, 2, 3... forever: its executions never end and never repeat a state. */
const counter: FakeProgram = {
  actors: [{
    name: "counter",
    code: [
      { op: "set", reg: "i", value: (r) => (r.i ?? 0) + 1 },
      { op: "store", var: "c", value: (r) => r.i },
      { op: "goto", to: 0 },
    ],
  }],
};

Deno.test("an execution that repeats its state: odpor starts over statefully and finds the 3-step assertion", async () => {
  const target = new Hashing(starve);
  const r = await explore(target, "odpor", { fallback: true });
  assert.equal(r.fallback, "stateful");
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.message, "reached");
  // C alone stores 1 then 0: the state after two more of its steps is the same.
  assert.equal(r.endless?.kind, "repeats");
  assert.deepEqual(r.endless?.actors, [1]);
  const [later, earlier] = r.endless!.steps;
  assert.equal(later - earlier, 2);
  // Hashes were asked for only once the execution was deeper than 1,000 steps.
  assert.ok(earlier >= hashingSteps, `hashed from step ${earlier}`);
});

Deno.test("without the fallback (or with a target that cannot hash) the endless execution stops at the runaway bound", async () => {
  // The default bound (100,000 steps) once; a smaller one, as an option, for the rest.
  const first = await explore(new FakeTarget(starve), "odpor", { fallback: true });
  assert.equal(first.incomplete, "runaway");
  assert.deepEqual(first.endless?.steps, [runawaySteps]);
  assert.equal(first.stats.maxDepth, runawaySteps);
  const runaway = { runawaySteps: 5000 };
  for (const target of [new Hashing(starve), new FakeTarget(starve)]) {
    const fallback = !(target instanceof Hashing);
    const r = await explore(target, "odpor", { ...runaway, fallback });
    assert.equal(r.verdict, "incomplete");
    assert.equal(r.incomplete, "runaway");
    assert.equal(r.endless?.kind, "too-deep");
    assert.deepEqual(r.endless?.steps, [5000]);
    assert.deepEqual(r.endless?.actors, [1]);
  }
  // The exhaustive search too, with or without visited states, for a state that never repeats.
  for (const visited of [false, true]) {
    const r = await explore(new Hashing(counter), "none", { ...runaway, visited });
    assert.equal(r.incomplete, "runaway");
    assert.equal(r.endless?.kind, "too-deep");
  }
});

Deno.test("a counter forever under odpor with the fallback: no repeat, so the runaway bound, then a warning-free report", async () => {
  const target = new Hashing(counter);
  const r = await explore(target, "odpor", { fallback: true, runawaySteps: 5000 });
  assert.equal(r.incomplete, "runaway");
  assert.equal(r.fallback ?? null, null);
  assert.equal(target.asked, 1);
  assert.deepEqual(warningsOf(r), []);
});

Deno.test("no execution ever ends: ok, with a warning pointing at liveness", async () => {
  const spin: FakeProgram = {
    actors: [{
      name: "waiter",
      code: [{ op: "load", var: "flag", into: "f" }, { op: "goto", to: 0, when: (r) => r.f === 0 }],
    }],
  };
  const r = await explore(new Hashing(spin), "odpor", { fallback: true });
  assert.equal(r.verdict, "ok");
  assert.equal(r.fallback, "stateful");
  assert.equal(r.stats.executions, 0);
  assert.deepEqual(warningsOf(r).map((w) => w.kind), ["no-execution-ended"]);
  assert.match(warningsOf(r)[0].message, /liveness/);
  // A program whose executions end gets no warning.
  assert.deepEqual(warningsOf(await explore(new FakeTarget(starve), "none", { maxDepth: 2 })), []);
});
