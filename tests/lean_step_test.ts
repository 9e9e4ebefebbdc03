/**
 * The lean step's data structures (issue 10): footprints shared per cell
 * (lib/model/independence.ts), alternatives kept as bits (lib/explore/dpor/alts.ts), sleep sets
 * that share their table until added to and backtrack sets made on first use (sleep.ts,
 * event.ts), the race watch's detector fed only steps that can race (race_watch.ts). Each is
 * checked against what it replaced: a fresh footprint, a Set of alternatives, a sleep set
 * copied at every step, the search's counts without the watch.
 */

import assert from "node:assert/strict";
import { type Access, accessesOf } from "../lib/model/independence.ts";
import { Kind, type Transition } from "../lib/model/transition.ts";
import { altsAdd, altsCopy, altsHas, altsList, altsOf } from "../lib/explore/dpor/alts.ts";
import { type Event, EventSet } from "../lib/explore/dpor/event.ts";
import { SleepSet, wakesAll } from "../lib/explore/dpor/sleep.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { RaceWatch } from "../lib/explore/race_watch.ts";
import type { ExplorationResult } from "../lib/explore/result.ts";
import { type FakeActor, type FakeProgram, FakeTarget, type Instr } from "./support/fake_system.ts";
import { lastzero } from "./support/fake_programs.ts";
import { transition } from "./support/transitions.ts";

/** A transition of `actor` on `object` (tests/support/transitions.ts), `arg1` its access bits. */
function tr(actor: number, kind: Kind, object: number, arg1 = 0n): Transition {
  return transition(actor, kind, { object, arg1 });
}

const noComms = (): undefined => undefined;

Deno.test("a cell's footprint is made once and shared, with the content a fresh one has", () => {
  const a = accessesOf(tr(1, Kind.store, 0x1000), noComms);
  const b = accessesOf(tr(2, Kind.store, 0x1000), noComms);
  assert.equal(a, b, "the same array for the same cell and mode");
  assert.deepEqual(a, [{ cell: "mem:4096", mode: "write" }]);
  const load = accessesOf(tr(1, Kind.load, 0x1000), noComms);
  assert.deepEqual(load, [{ cell: "mem:4096", mode: "read" }]);
  assert.notEqual(load, a);
  assert.deepEqual(accessesOf(tr(1, Kind.mutexLock, 3), noComms), [
    { cell: "mutex:3", mode: "write" },
  ]);
  assert.deepEqual(accessesOf(tr(1, Kind.semGetvalue, 3), noComms), [
    { cell: "sem:3", mode: "read" },
  ]);
  assert.deepEqual(accessesOf(tr(1, Kind.semRelease, 3), noComms), [
    { cell: "sem:3", mode: "write" },
  ]);
  assert.deepEqual(accessesOf(tr(1, Kind.irecv, 7), noComms), [
    { cell: "recv:7", mode: "write" },
  ]);
  // A spawner's footprint adds the spawn cell without touching the shared one.
  const spawner = accessesOf(tr(1, Kind.store, 0x1000), noComms, true);
  assert.deepEqual(spawner, [
    { cell: "mem:4096", mode: "write" },
    { cell: "spawn", mode: "write" },
  ]);
  assert.deepEqual(a, [{ cell: "mem:4096", mode: "write" }]);
  assert.deepEqual(accessesOf(tr(1, Kind.yield, 0), noComms, true), [
    { cell: "spawn", mode: "write" },
  ]);
});

Deno.test("a memory access's footprint is one cell per byte, shared by address and size", () => {
  const w4 = accessesOf(tr(1, Kind.write, 0x2000, 4n), noComms);
  const cells = (xs: readonly Access[]): string[] => xs.map((x) => `${x.mode} ${x.cell}`);
  assert.deepEqual(cells(w4), [
    "write mem:8192",
    "write mem:8193",
    "write mem:8194",
    "write mem:8195",
  ]);
  assert.equal(accessesOf(tr(2, Kind.write, 0x2000, 4n), noComms), w4);
  const r2 = accessesOf(tr(1, Kind.read, 0x2000, 2n), noComms);
  assert.deepEqual(cells(r2), ["read mem:8192", "read mem:8193"]);
  // Past the addresses it keeps, a footprint is made each time, with the same content.
  const high = 2 ** 45;
  const h1 = accessesOf(tr(1, Kind.write, high, 2n), noComms);
  const h2 = accessesOf(tr(1, Kind.write, high, 2n), noComms);
  assert.notEqual(h1, h2);
  assert.deepEqual(h1, h2);
  assert.deepEqual(cells(h1), [`write mem:${high}`, `write mem:${high + 1}`]);
});

Deno.test("alternatives as bits: small, large and negative ones, copies independent", () => {
  const values = [0, 1, 5, 30, 31, 32, 1000, 2 ** 31, -1];
  for (const first of values) {
    const alts = altsOf(first);
    const model = new Set([first]);
    for (const v of values) {
      assert.equal(altsHas(alts, v), model.has(v), `${v} after ${first}`);
    }
    for (const v of [30, 31, 7, 1000, -1]) {
      altsAdd(alts, v);
      model.add(v);
    }
    const copy = altsCopy(alts);
    altsAdd(copy, 12);
    altsAdd(copy, 4096);
    assert.equal(altsHas(alts, 12), model.has(12));
    assert.equal(altsHas(alts, 4096), false);
    assert.deepEqual(altsList(alts), [...model].sort((x, y) => x - y));
    assert.equal(altsHas(copy, 12), true);
    assert.equal(altsHas(copy, 4096), true);
  }
});

function event(actor: number, alt: number, cell: string, mode: "read" | "write"): Event {
  const t = tr(actor, Kind.store, 0);
  return { actor, alt, transition: t, accesses: [{ cell, mode }], created: [] };
}

/** The sleep set as it was: per actor, one event and a Set of alternatives, copied per step. */
class ModelSleep {
  constructor(readonly byActor = new Map<number, { rep: Event; alts: Set<number> }>()) {}
  has(ev: Event): boolean {
    return this.byActor.get(ev.actor)?.alts.has(ev.alt) ?? false;
  }
  add(ev: Event): void {
    const s = this.byActor.get(ev.actor);
    if (s === undefined) this.byActor.set(ev.actor, { rep: ev, alts: new Set([ev.alt]) });
    else s.alts.add(ev.alt);
  }
  after(ev: Event): ModelSleep {
    const next = new Map<number, { rep: Event; alts: Set<number> }>();
    for (const [actor, s] of this.byActor) {
      const dep = actor === ev.actor ||
        s.rep.accesses.some((x) =>
          ev.accesses.some((y) => x.cell === y.cell && (x.mode === "write" || y.mode === "write"))
        );
      if (!dep) next.set(actor, { rep: s.rep, alts: new Set(s.alts) });
    }
    return new ModelSleep(next);
  }
}

Deno.test("sleep sets that share their table until added to equal sets copied at each step", () => {
  // A seeded walk: sets derived by after() from sets still added to later, as the nodes of a
  // search's stack are (a node's set gets its explored branches after its child's was made).
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const cells = ["x", "y", "z"];
  const randomEvent = (): Event =>
    event(random(5), [0, 0, 1, 31, 40][random(5)], cells[random(3)], random(2) ? "read" : "write");
  for (let round = 0; round < 200; round++) {
    const sets: [SleepSet, ModelSleep][] = [[SleepSet.empty(), new ModelSleep()]];
    for (let op = 0; op < 40; op++) {
      const [s, m] = sets[random(sets.length)];
      const ev = randomEvent();
      if (random(2) === 0) {
        s.add(ev);
        m.add(ev);
      } else {
        sets.push([s.after(ev), m.after(ev)]);
      }
      for (const [s2, m2] of sets) {
        for (let actor = 0; actor < 5; actor++) {
          for (const alt of [0, 1, 31, 40]) {
            const probe = event(actor, alt, "x", "read");
            assert.equal(s2.has(probe), m2.has(probe), `round ${round}, op ${op}`);
          }
        }
        assert.equal(s2.isEmpty, m2.byActor.size === 0);
        const probe = randomEvent();
        const expected = [...m2.after(probe).byActor.keys()].sort((x, y) => x - y);
        assert.deepEqual(s2.actorsAfter(probe), expected);
      }
    }
  }
});

/** wakesAll as it was: the model set stepped through after() for each event of the sequence. */
function modelWakesAll(sleep: ModelSleep, sequence: readonly Event[], room: number): boolean {
  let asleep = sleep;
  for (const ev of sequence) {
    if (asleep.byActor.size === 0) return true;
    if (asleep.has(ev)) return false;
    asleep = asleep.after(ev);
  }
  return asleep.byActor.size === 0 || sequence.length + 1 > room;
}

Deno.test("wakesAll without a set per event answers as stepping through after() did", () => {
  let seed = 777;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const cells = ["x", "y", "z"];
  const randomEvent = (): Event =>
    event(random(5), [0, 0, 1, 31, 40][random(5)], cells[random(3)], random(2) ? "read" : "write");
  const answers = [0, 0];
  for (let round = 0; round < 3000; round++) {
    const s = SleepSet.empty();
    const m = new ModelSleep();
    for (let k = random(5); k > 0; k--) {
      const ev = randomEvent();
      s.add(ev);
      m.add(ev);
    }
    // Also from a set made by after(), whose table it shares with its parent.
    const probe = randomEvent();
    const [s2, m2] = random(3) === 0 ? [s.after(probe), m.after(probe)] : [s, m];
    const sequence = Array.from({ length: random(7) }, randomEvent);
    const room = [Infinity, 0, 1, 3, 6][random(5)];
    const expected = modelWakesAll(m2, sequence, room);
    assert.equal(wakesAll(s2, sequence, room), expected, `round ${round}`);
    answers[expected ? 1 : 0]++;
  }
  // Both answers are well represented.
  assert.ok(answers[0] > 500 && answers[1] > 500, `${answers}`);
});

Deno.test("a backtrack set made on first use holds small and large alternatives", () => {
  const set = new EventSet();
  const e = (actor: number, alt: number): Event => event(actor, alt, "x", "write");
  assert.equal(set.has(e(1, 0)), false);
  set.add(e(1, 0));
  set.add(e(1, 40));
  set.add(e(2, 3));
  assert.equal(set.has(e(1, 0)), true);
  assert.equal(set.has(e(1, 40)), true);
  assert.equal(set.has(e(1, 3)), false);
  assert.equal(set.has(e(2, 3)), true);
  assert.equal(set.has(e(2, 0)), false);
  assert.equal(set.has(e(3, 0)), false);
});

Deno.test("the race watch feeds no step of a program without plain accesses, and no step twice", async () => {
  // lastzero's loads and stores are steps with no plain access: nothing can race, so nothing is
  // fed (before: every step, and the whole path again at every restore). The counts are those
  // of the search without the watch.
  const plain = await exploreDpor(new FakeTarget(lastzero(6)), "odpor", {});
  const watch = new RaceWatch(new FakeTarget(lastzero(6)));
  const watched = await exploreDpor(watch, "odpor", {});
  assert.equal(watched.verdict, "ok");
  assert.deepEqual(countsOf(watched), countsOf(plain));
  assert.equal(watch.stepsFed, 0);
});

Deno.test("plain accesses under a mutex: fed once each along the path, counts unchanged", async () => {
  const worker = (name: string): FakeActor => ({
    name,
    code: [
      { op: "lock", mutex: "m" },
      { op: "plain", var: "x", write: false },
      { op: "plain", var: "x", write: true },
      { op: "unlock", mutex: "m" },
      { op: "yield" },
      { op: "yield" },
    ],
  });
  const program: FakeProgram = { actors: [worker("t1"), worker("t2"), worker("t3")] };
  const plain = await exploreDpor(new FakeTarget(program), "odpor", {});
  const watch = new RaceWatch(new FakeTarget(program));
  const watched = await exploreDpor(watch, "odpor", {});
  assert.equal(watched.verdict, "ok");
  assert.deepEqual(countsOf(watched), countsOf(plain));
  // Each step is fed at most once per execution it ends up in (after a restore, only what the
  // detector had not seen of the new path): at most the transitions run.
  assert.ok(watch.stepsFed > 0);
  assert.ok(watch.stepsFed <= watched.stats.transitions, `${watch.stepsFed} fed`);
  // Unsynchronised, the same accesses race, under the lazy feeding as before.
  const bare: FakeProgram = {
    actors: [1, 2].map((k) => ({
      name: `t${k}`,
      code: [{ op: "yield" }, { op: "plain", var: "x", write: true }, { op: "yield" }] as Instr[],
    })),
  };
  const racy = await exploreDpor(new RaceWatch(new FakeTarget(bare)), "odpor", {});
  assert.equal(racy.verdict, "violation");
  assert.equal(racy.violation?.kind, "data-race");
});

function countsOf(r: ExplorationResult): number[] {
  const s = r.stats;
  return [s.executions, s.transitions, s.states, s.sleepBlocked, s.wakeupInsertions];
}
