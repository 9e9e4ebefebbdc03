/**
 * What a liveness search costs the target beyond its steps (issue 9's performance aim): on a
 * deep path (a torus of counters, whose depth-first path holds every state) a restore must not
 * cost the path's depth — neither in path comparisons (the search promises the target the
 * steps it is known to be on, Target.restore's `known`), nor in replayed steps (the memory
 * target keeps a snapshot every --snapshot-spacing steps of the path and leaves new ones along
 * a long replay). Counts are exact; the replay bound is the spacing's. Speed itself is measured
 * in bench/ (bench/README.md, "Liveness on real programs"), never timed here.
 */

import assert from "node:assert/strict";
import { check } from "../lib/check.ts";
import { exploreDfs } from "../lib/explore/dfs.ts";
import type { Outcome, PropositionValues, Target, TargetCounters } from "../lib/explore/target.ts";
import type { NameTable } from "../lib/model/transition.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import { searchLiveness } from "../lib/liveness/search.ts";
import type { Step } from "../lib/model/transition.ts";
import { defaultSnapshotSpacing } from "../lib/state/memory_target.ts";
import { buildProgram } from "./support/build.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";

/** n actors each counting modulo `mod` forever, a load then a store a round. */
function counters(n: number, mod: number): FakeProgram {
  return {
    props: { z: "never_set" },
    vars: Object.fromEntries([
      ["never_set", 0],
      ...Array.from({ length: n }, (_, i) => [`c${i}`, 0]),
    ]),
    actors: Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      code: [
        // The register is cleared after each round, so that it holds no state of its own.
        { op: "set" as const, reg: "r", value: 0 },
        { op: "load" as const, var: `c${i}`, into: "r" },
        { op: "store" as const, var: `c${i}`, value: (regs) => (regs.r + 1) % mod },
        { op: "goto" as const, to: 0 },
      ],
    })),
  };
}

/** A FakeTarget that checks every `known` promise against the path it is really on. */
class Promised implements Target {
  readonly inner: FakeTarget;
  private path: Step[] = [];
  restores = 0;
  promised = 0;
  requested = 0;
  broken: string[] = [];

  constructor(program: FakeProgram) {
    this.inner = new FakeTarget(program);
  }
  get names(): NameTable {
    return this.inner.names;
  }
  get counters(): TargetCounters {
    return this.inner.counters;
  }
  async start(): Promise<Outcome> {
    this.path = [];
    return await this.inner.start();
  }
  async execute(step: Step): Promise<Outcome> {
    this.path.push(step);
    return await this.inner.execute(step);
  }
  async restore(path: readonly Step[], known = 0): Promise<void> {
    this.restores++;
    this.promised += known;
    this.requested += path.length;
    if (known > path.length || known > this.path.length) {
      this.broken.push(`known ${known} beyond ${path.length}/${this.path.length}`);
    }
    for (let i = 0; i < Math.min(known, path.length, this.path.length); i++) {
      const a = path[i], b = this.path[i];
      if (a.actor !== b.actor || a.choice !== b.choice) {
        this.broken.push(`step ${i} of a restore promised ${known}`);
        break;
      }
    }
    this.path = [...path];
    await this.inner.restore(path);
  }
  stateHash(): bigint | null {
    return this.inner.stateHash();
  }
  propositions(): PropositionValues | null {
    return this.inner.propositions();
  }
  progressed(): boolean {
    return this.inner.progressed();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

Deno.test("the liveness search promises a restore only steps the target is on, nearly all of them", async () => {
  for (const [n, mod, formula] of [[3, 3, "G !z"], [2, 4, "G !z"], [3, 2, "G F z"]] as const) {
    const target = new Promised(counters(n, mod));
    const r = await searchLiveness(target, {
      automaton: translateNegation(parseLtl(formula)),
      source: formula,
    });
    assert.deepEqual(target.broken, [], formula);
    if (formula === "G !z") {
      // Each actor: its counter and whether it has loaded it, (2 mod)^n states, all reachable.
      assert.equal(r.verdict, "ok");
      assert.equal(r.stats.states, (2 * mod) ** n);
      assert.equal(r.stats.programStates, (2 * mod) ** n);
    } else {
      // !G F z = F G !z: its first automaton state, then the accepting one with z false forever.
      assert.equal(r.verdict, "violation");
      assert.ok(r.lasso !== null);
    }
    if (r.verdict !== "ok") continue; // the lasso's restores (buildLasso) promise nothing
    // The search restores to the frames of its own path: it knows all but the last step.
    assert.ok(target.restores > 0);
    assert.ok(
      target.promised >= target.requested - target.restores,
      JSON.stringify({ r: target.restores, p: target.promised, q: target.requested }),
    );
  }
});

Deno.test("the safety search with visited states promises a restore its whole path, rightly", async () => {
  const target = new Promised(counters(3, 3));
  const r = await exploreDfs(target, { visited: true });
  assert.deepEqual(target.broken, []);
  assert.equal(r.verdict, "ok");
  // Every state is explored once (216); the first of its three steps continues the path.
  assert.equal(r.stats.states, 216);
  assert.ok(target.restores > 0);
  assert.equal(target.promised, target.requested);
});

Deno.test("counters.c 9 under --ltl: 9^3 states, 2 restores a state, each replaying under the spacing", async () => {
  // Optimised, as in bench/: unoptimised, the actors' frames hold words the counters do not
  // determine, which tell apart more states (1,000 at N = 9).
  const program = await buildProgram("tests/programs/liveness/counters.c", ["-O2"]);
  const formula = "G !wrapped_all";
  const r = await check(program, ["9"], {
    liveness: {
      kind: "liveness",
      automaton: translateNegation(parseLtl(formula)),
      formula,
      fairness: "none",
    },
  });
  assert.equal(r.verdict, "ok");
  const s = r.liveness!.stats;
  // Three counters modulo 9, a store a step: 729 states, each with 3 successors, the first
  // explored from it, the two others after a restore to it. The path holds every state.
  assert.equal(s.states, 729, JSON.stringify({ s, state: r.state }));
  assert.equal(s.programStates, 729);
  assert.equal(s.transitions, 3 * 729);
  assert.equal(s.maxDepth, 728);
  assert.equal(s.restores, 2 * 729);
  assert.equal(s.restarts, 1);
  // Every restore starts from a snapshot fewer than the spacing's steps above its state. When
  // every state kept its snapshot, the cap of 256 thinned them on this 728-deep path and the
  // restores replayed 21,877 steps.
  assert.ok(
    s.replayedTransitions < (defaultSnapshotSpacing - 1) * s.restores,
    JSON.stringify({ s, state: r.state }),
  );
  // A snapshot of every state (its hash), and at most one for each replayed step besides.
  assert.ok(r.state!.snapshots <= s.transitions + 1 + s.replayedTransitions);
});
