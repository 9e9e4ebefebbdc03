/**
 * The on-the-fly liveness search cross-checked on random looping programs of the fake and
 * random formulas: its verdict equals the emptiness of the explicit product of the whole
 * state graph with the automaton (lib/ltl/emptiness.ts, another algorithm), and every lasso it
 * gives is real — replayed on a fresh target its cycle comes back to its first state, the
 * word of its propositions is accepted by the automaton, the formula is false on it (direct
 * evaluation), and under weak fairness every actor enabled all along the cycle moves in it.
 */

import assert from "node:assert/strict";
import { formatFormula, not } from "../lib/ltl/formula.ts";
import type { Automaton, AutState } from "../lib/ltl/automaton.ts";
import { accepts, isEmpty, product } from "../lib/ltl/emptiness.ts";
import { holdsOn } from "../lib/ltl/evaluate.ts";
import { translate } from "../lib/ltl/translate.ts";
import { searchLiveness } from "../lib/liveness/search.ts";
import type { Lasso } from "../lib/liveness/lasso.ts";
import { enabledSteps, type Point, type Step } from "../lib/model/transition.ts";
import type { Outcome } from "../lib/explore/target.ts";
import { type FakeProgram, FakeTarget, type Instr } from "./support/fake_system.ts";
import { randomFormula } from "./support/random_ltl.ts";
import { rng } from "./support/random_programs.ts";

const props = ["p", "q"];

/** 2 or 3 actors storing 0/1 into x and y, some taking a mutex, most looping for ever. */
function loopingProgram(seed: number): FakeProgram {
  const next = rng(seed);
  const n = 2 + Math.floor(next() * 2);
  const actors = Array.from({ length: n }, (_, i) => {
    const code: Instr[] = [];
    const len = 1 + Math.floor(next() * 3);
    for (let k = 0; k < len; k++) {
      const r = next();
      if (r < 0.6) {
        code.push({ op: "store", var: next() < 0.5 ? "x" : "y", value: next() < 0.5 ? 0 : 1 });
      } else if (r < 0.8) code.push({ op: "yield" });
      else code.push({ op: "lock", mutex: "m" }, { op: "unlock", mutex: "m" });
    }
    if (next() < 0.7) code.push({ op: "goto", to: 0 });
    return { name: `a${i}`, code };
  });
  return { actors, vars: { x: 0, y: 0 }, props: { p: "x", q: "y" } };
}

/** The program's whole state graph as an automaton: each state's letter on its edges. */
async function programAutomaton(program: FakeProgram): Promise<Automaton> {
  const target = new FakeTarget(program);
  const ids = new Map<bigint, number>();
  const states: AutState[] = [];
  const paths: Step[][] = [];
  const letter = (): number => {
    const v = target.propositions()!;
    return props.reduce((m, p, i) => (v.values[v.names.indexOf(p)] ? m | (1 << i) : m), 0);
  };
  const full = (1 << props.length) - 1;
  const edgesOf: { to: number; letter: number }[][] = [];
  const visit = (o: Outcome, path: Step[]): number => {
    const key = o.kind === "done" ? -BigInt(letter()) - 1n : target.stateHash()!;
    let id = ids.get(key);
    if (id === undefined) {
      id = paths.length;
      ids.set(key, id);
      paths.push(path);
      edgesOf.push(o.kind === "done" ? [{ to: id, letter: letter() }] : []);
    }
    return id;
  };
  visit(await target.start(), []);
  for (let i = 0; i < paths.length; i++) {
    const point = await pointAt(target, paths[i]);
    if (point === null) continue; // done: its stutter loop is already there
    const here = letter();
    const steps = enabledSteps(point);
    if (steps.length === 0) throw new Error("no deadlock expected");
    for (const step of steps) {
      await target.restore(paths[i]);
      const o = await target.execute(step);
      if (o.kind === "violation") throw new Error("no violation expected");
      edgesOf[i].push({ to: visit(o, [...paths[i], step]), letter: here });
    }
  }
  for (let i = 0; i < paths.length; i++) {
    states.push({
      label: `${i}`,
      edges: edgesOf[i].map((e) => ({ pos: e.letter, neg: full & ~e.letter, acc: 0, to: e.to })),
    });
  }
  return { props, accSets: 0, initial: 0, states };
}

/** Goes to the end of `path`; its point (null when the run is done there). */
async function pointAt(target: FakeTarget, path: readonly Step[]): Promise<Point | null> {
  let o: Outcome = await target.start();
  for (const s of path) o = await target.execute(s);
  return o.kind === "point" ? o.point : null;
}

/** Replays the lasso; returns its word, after checking the cycle comes back to its start. */
async function replay(
  program: FakeProgram,
  l: Lasso,
): Promise<{ prefix: string[][]; cycle: string[][] }> {
  const target = new FakeTarget(program);
  const letter = (): string[] => {
    const v = target.propositions()!;
    return v.names.filter((_, i) => v.values[i]);
  };
  await target.start();
  const prefix: string[][] = [];
  for (const s of l.prefix) {
    prefix.push(letter());
    await target.execute(s.step);
  }
  if (l.stutter) return { prefix, cycle: [letter()] };
  const start = target.stateHash();
  const cycle: string[][] = [];
  for (const s of l.cycle) {
    cycle.push(letter());
    await target.execute(s.step);
  }
  assert.equal(target.stateHash(), start, "the cycle comes back to its first state");
  return { prefix, cycle };
}

Deno.test("random programs x random formulas: verdicts equal the explicit product's, lassos are real", async () => {
  let violations = 0;
  let holds = 0;
  for (let seed = 0; seed < 400; seed++) {
    const program = loopingProgram(seed);
    const f = randomFormula(seed * 7 + 1, 3, props);
    const negation = translate(not(f));
    const where = `seed ${seed}: ${formatFormula(f)}`;
    const explicitEmpty = isEmpty(product(negation, await programAutomaton(program)));
    for (const fairness of ["none", "weak"] as const) {
      const r = await searchLiveness(new FakeTarget(program), {
        automaton: negation,
        source: formatFormula(f),
        fairness,
      });
      assert.notEqual(r.verdict, "incomplete", where);
      assert.equal(r.violation, null, where);
      if (fairness === "none") assert.equal(r.lasso === null, explicitEmpty, where);
      // Fairness only removes counterexamples.
      if (fairness === "weak" && explicitEmpty) assert.equal(r.lasso, null, where);
      if (r.lasso === null) {
        holds++;
        continue;
      }
      violations++;
      const word = await replay(program, r.lasso);
      assert.ok(accepts(negation, word), `${where}: the automaton accepts the lasso`);
      assert.equal(holdsOn(f, word), false, `${where}: the formula is false on the lasso`);
      if (fairness === "weak" && !r.lasso.stutter) {
        const target = new FakeTarget(program);
        let o = await target.start();
        for (const s of r.lasso.prefix) o = await target.execute(s.step);
        let enabled = -1n;
        let movers = 0n;
        for (const s of r.lasso.cycle) {
          if (o.kind !== "point") throw new Error("cycle through an end");
          let here = 0n;
          for (const t of o.point.transitions) if (t.enabled) here |= 1n << BigInt(t.actor);
          enabled &= here;
          movers |= 1n << BigInt(s.step.actor);
          o = await target.execute(s.step);
        }
        assert.equal(enabled & ~movers, 0n, `${where}: the cycle is weakly fair`);
      }
    }
  }
  // Both verdicts are well represented.
  assert.ok(violations > 200 && holds > 100, `${violations} violations, ${holds} holds`);
});
