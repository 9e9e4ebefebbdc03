/**
 * The incremental race analysis (lib/explore/dpor/happens_before.ts, HappensBefore): analysing
 * the executions of a search one after the other, reusing the prefix each shares with the one
 * before, gives exactly what a fresh analysis of each gives (links, clocks, races, their
 * reversals, the place of a pending event), on random programs' executions in the depth-first
 * order a search meets them, cut at random depths and with random extra width.
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { type Event, makeEvent } from "../lib/explore/dpor/event.ts";
import { type Analysis, analyze, HappensBefore } from "../lib/explore/dpor/happens_before.ts";
import { alternatives, pendingRaces, races, reversalIndices } from "../lib/explore/dpor/races.ts";
import type { CommInfo } from "../lib/model/independence.ts";
import { postOf } from "../lib/model/independence.ts";
import { FakeTarget } from "./support/fake_system.ts";
import { type Flavour, randomProgram, RecordingTarget, rng } from "./support/random_programs.ts";

/** Everything the search reads of an analysis, as plain values. */
function summary(a: Analysis, pending: readonly Event[]): unknown {
  return {
    width: a.width,
    actorIndex: [...a.actorIndex],
    base: [...a.base],
    enabler: [...a.enabler],
    conflicting: a.conflicting.slice(0, a.events.length).map((c) => [...c]),
    clocks: a.clocks.slice(0, a.events.length).map((c) =>
      Array.isArray(c) ? [...c] : [...c].sort((x, y) => x[0] - y[0])
    ),
    races: races(a).map((r) => [r.first, r.second, reversalIndices(a, r)]),
    alternatives: alternatives(a).map((x) => [x.at, x.indices.length]),
    pending: pending.map((ev) => {
      const l = a.after(ev);
      return [l.base, l.enabler, [...l.conflicting], pendingRaces(a, ev)];
    }),
  };
}

/**
 * The executions of an exhaustive search of `program`, in the order it found them, as the
 * DPOR stack holds them: the events of a prefix shared with the execution before are the same
 * objects (interned by the steps that reach them).
 */
async function executionsOf(flavour: Flavour, seed: number): Promise<Event[][] | null> {
  const recorder = new RecordingTarget(new FakeTarget(randomProgram(seed, flavour, 3, 3)));
  const r = await exploreDfs(recorder, { maxExecutions: 400 });
  if (r.verdict === "incomplete") return null;
  const comms = new Map<number, CommInfo>();
  for (const run of recorder.runs) {
    for (const e of run.events) {
      const p = postOf(e.transition);
      if (p !== null) comms.set(p.comm, { mailbox: p.mailbox, side: p.side });
    }
  }
  const spawners = new Set(
    recorder.runs.flatMap((r) => r.events.filter((e) => e.created.length > 0).map((e) => e.actor)),
  );
  const interned = new Map<string, Event>();
  return recorder.runs.map((run) => {
    let key = "";
    return run.events.map((e, k) => {
      key += ` ${run.steps[k].actor}.${run.steps[k].choice}`;
      let ev = interned.get(key);
      if (ev === undefined) {
        ev = makeEvent(
          e.transition,
          run.steps[k].choice,
          (c) => comms.get(c),
          e.created,
          spawners.has(e.actor),
        );
        interned.set(key, ev);
      }
      return ev;
    });
  });
}

Deno.test("the incremental analysis gives exactly the fresh one's links, clocks and races", async () => {
  const flavours: Flavour[] = ["memory", "locks", "sync", "mailbox", "spawn", "choices", "mixed"];
  let executions = 0;
  let reused = 0;
  let analysed = 0;
  for (const flavour of flavours) {
    for (let seed = 1; seed <= 25; seed++) {
      const runs = await executionsOf(flavour, seed);
      if (runs === null) continue;
      const next = rng(seed * 7919);
      const relation = new HappensBefore();
      for (let r = 0; r < runs.length; r++) {
        // Some executions are cut (as by the depth bound or a sleep-blocked node), some get
        // room for actors that did not run; the events just after a cut are pending there.
        let events = runs[r];
        if (next() < 0.3) events = events.slice(0, Math.floor(next() * (events.length + 1)));
        const minWidth = next() < 0.1 ? 1 + Math.floor(next() * 6) : 1;
        const pending = runs[r].slice(events.length, events.length + 1);
        const what = `${flavour} seed ${seed} execution ${r}`;
        const fresh = summary(analyze(events, minWidth), pending);
        const incremental = summary(
          (() => {
            const work = relation.analyzing(events, minWidth);
            while (true) {
              const step = work.next();
              if (step.done) return step.value;
            }
          })(),
          pending,
        );
        assert.deepEqual(incremental, fresh, what);
        executions++;
      }
      reused += relation.reused;
      analysed += relation.analysed;
    }
  }
  assert.ok(executions >= 2000, `only ${executions} executions compared`);
  // The prefixes were reused, not analysed again: a third of the events or more (the cuts
  // and widths above make many start over).
  assert.ok(2 * reused > analysed, `reused ${reused}, analysed ${analysed}`);
});

Deno.test("races of the new suffix only: the same search as with whole analyses, insertion for insertion", async () => {
  const flavours: Flavour[] = ["memory", "locks", "sync", "mailbox", "spawn", "choices", "mixed"];
  let compared = 0;
  for (const flavour of flavours) {
    for (let seed = 1; seed <= 20; seed++) {
      const program = randomProgram(seed, flavour, 2 + seed % 2, 3);
      for (const reduction of ["sdpor", "odpor"] as const) {
        for (const maxDepth of [undefined, 4]) {
          const run = async (wholeAnalysis: boolean): Promise<unknown> => {
            const recorder = new RecordingTarget(new FakeTarget(program));
            const r = await exploreDpor(recorder, reduction, {
              maxDepth,
              maxExecutions: 500,
              wholeAnalysis,
            });
            const { seconds: _, ...stats } = r.stats;
            return { verdict: r.verdict, stats, finals: [...recorder.finals].sort() };
          };
          const what = `${flavour} seed ${seed} ${reduction} max depth ${maxDepth}`;
          assert.deepEqual(await run(false), await run(true), what);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 7 * 20 * 4);
});
