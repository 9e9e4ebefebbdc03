/**
 * The liveness search (lib/liveness/) on the in-memory fake: exact verdicts and lassos for a
 * property that holds, one that fails with a cycle, `F p` failing on a run that ends without p
 * (stuttering), a property that only weak fairness makes hold, starvation at a mutex taken in
 * a loop (fails under both), non-progress cycles, safety violations met during the search,
 * deadlocks as finite runs, unknown propositions, and the depth limit.
 */

import assert from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import { type Fairness, type LivenessResult, searchLiveness } from "../lib/liveness/search.ts";
import { nonProgressAutomaton } from "../lib/liveness/progress.ts";
import { type Lasso, lassoTrace } from "../lib/liveness/lasso.ts";
import { formatLasso, lassoViolationJson } from "../lib/liveness/report.ts";
import { describeTransition } from "../lib/model/transition.ts";
import { type FakeProgram, FakeTarget } from "./support/fake_system.ts";

interface Run {
  fairness?: Fairness;
  deadlockIsFinite?: boolean;
  maxDepth?: number;
}

function ltl(program: FakeProgram, formula: string, run: Run = {}): Promise<LivenessResult> {
  return searchLiveness(new FakeTarget(program), {
    automaton: translateNegation(parseLtl(formula)),
    source: formula,
    ...run,
  });
}

/** The lasso's steps as "actor: transition", and where the cycle starts. */
function shape(target: FakeTarget, l: Lasso): { steps: string[]; cycleStart: number } {
  const { trace, cycleStart } = lassoTrace(l);
  const names = target.names;
  return {
    steps: trace.map((s) =>
      `${names.actors.get(s.step.actor)}: ${describeTransition(s.transition, names)}`
    ),
    cycleStart,
  };
}

/** One actor toggling x for ever: 1, 0, 1, 0... */
const toggler: FakeProgram = {
  props: { x: "x" },
  vars: { x: 0 },
  actors: [{
    name: "t",
    code: [{ op: "store", var: "x", value: 1 }, { op: "store", var: "x", value: 0 }, {
      op: "goto",
      to: 0,
    }],
  }],
};

Deno.test("a property that holds: G F x on x toggled for ever", async () => {
  const r = await ltl(toggler, "G F x");
  assert.equal(r.verdict, "ok");
  assert.equal(r.lasso, null);
  assert.equal(r.stats.programStates, 2);
  // !G F x = F G !x has 2 automaton states; the product reaches 3 of the 4 pairs.
  assert.equal(r.stats.states, 3);
  assert.equal((await ltl(toggler, "G F !x")).verdict, "ok");
  assert.equal((await ltl(toggler, "G (x -> X !x)")).verdict, "ok");
});

Deno.test("a property that fails: F G x, and its lasso (empty prefix, a 2-step cycle)", async () => {
  const target = new FakeTarget(toggler);
  const r = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F G x")),
    source: "F G x",
  });
  assert.equal(r.verdict, "violation");
  assert.ok(r.lasso !== null);
  assert.equal(r.violation, null);
  assert.deepEqual(shape(target, r.lasso), {
    steps: ["t: store(0x1000, 1)", "t: store(0x1000, 0)"],
    cycleStart: 0,
  });
  assert.equal(r.lasso.stutter, false);
  assert.deepEqual(r.lasso.propositions, ["x"]);
  assert.deepEqual(r.lasso.initial.propositions, [false]);
  assert.deepEqual(r.lasso.cycle.map((s) => s.after.propositions), [[true], [false]]);
});

Deno.test("finite runs stutter: F x fails on a run that ends without x", async () => {
  const program: FakeProgram = {
    props: { x: "x" },
    actors: [{ name: "a", code: [{ op: "store", var: "y", value: 1 }] }],
  };
  const target = new FakeTarget(program);
  const r = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F x")),
    source: "F x",
  });
  assert.equal(r.verdict, "violation");
  assert.ok(r.lasso !== null);
  assert.equal(r.lasso.stutter, true);
  assert.deepEqual(shape(target, r.lasso), { steps: ["a: store(0x1000, 1)"], cycleStart: 1 });
  // The same run ending with x holds F x; G x fails on its first state.
  const setsX: FakeProgram = {
    props: { x: "x" },
    actors: [{ name: "a", code: [{ op: "store", var: "x", value: 1 }] }],
  };
  assert.equal((await ltl(setsX, "F x")).verdict, "ok");
  assert.equal((await ltl(setsX, "F G x")).verdict, "ok");
  assert.equal((await ltl(setsX, "G x")).verdict, "violation");
});

/** A spins yielding for ever; B would set `flag` once. */
const spinner: FakeProgram = {
  props: { flag: "flag" },
  actors: [
    { name: "A", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
    { name: "B", code: [{ op: "store", var: "flag", value: 1 }] },
  ],
};

Deno.test("weak fairness: F flag fails without it (A spins, B never moves) and holds with it", async () => {
  const target = new FakeTarget(spinner);
  const none = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F flag")),
    source: "F flag",
  });
  assert.equal(none.verdict, "violation");
  assert.deepEqual(shape(target, none.lasso!), { steps: ["A: yield()"], cycleStart: 0 });
  const weak = await ltl(spinner, "F flag", { fairness: "weak" });
  assert.equal(weak.verdict, "ok");
  assert.equal(weak.lasso, null);
});

/** A takes and releases m for ever; B wants m once, to set done. */
const starving: FakeProgram = {
  props: { done: "done" },
  actors: [
    {
      name: "A",
      code: [{ op: "lock", mutex: "m" }, { op: "unlock", mutex: "m" }, { op: "goto", to: 0 }],
    },
    {
      name: "B",
      code: [{ op: "lock", mutex: "m" }, { op: "store", var: "done", value: 1 }, {
        op: "unlock",
        mutex: "m",
      }],
    },
  ],
};

Deno.test("starvation at a mutex taken in a loop fails under both fairness settings", async () => {
  for (const fairness of ["none", "weak"] as const) {
    const target = new FakeTarget(starving);
    const r = await searchLiveness(target, {
      automaton: translateNegation(parseLtl("F done")),
      source: "F done",
      fairness,
    });
    assert.equal(r.verdict, "violation", fairness);
    const s = shape(target, r.lasso!);
    // B is disabled whenever A holds m: the cycle is fair although B never moves.
    assert.deepEqual(s.steps.slice(s.cycleStart), [
      "A: mutex_lock(mutex 1)",
      "A: mutex_unlock(mutex 1)",
    ], fairness);
    assert.ok(r.lasso!.cycle.every((c) => c.step.actor === 1));
  }
});

Deno.test("weak fairness: a cycle must let move every actor enabled all along it", async () => {
  // Both A and B spin; p is set by C once. With weak fairness C must move: F p holds.
  const program: FakeProgram = {
    props: { p: "p" },
    actors: [
      { name: "A", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
      { name: "B", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
      { name: "C", code: [{ op: "store", var: "p", value: 1 }] },
    ],
  };
  assert.equal((await ltl(program, "F p")).verdict, "violation");
  assert.equal((await ltl(program, "F p", { fairness: "weak" })).verdict, "ok");
  // G F a_moved: A must be seen to move infinitely often; B spinning alone is unfair to A.
  const turns: FakeProgram = {
    props: { a: "a" },
    actors: [
      {
        name: "A",
        code: [{ op: "store", var: "a", value: 1 }, { op: "store", var: "a", value: 0 }, {
          op: "goto",
          to: 0,
        }],
      },
      { name: "B", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
    ],
  };
  const target = new FakeTarget(turns);
  const unfair = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("G F a")),
    source: "G F a",
  });
  assert.equal(unfair.verdict, "violation");
  assert.ok(unfair.lasso!.cycle.every((c) => c.step.actor === 2));
  assert.equal((await ltl(turns, "G F a", { fairness: "weak" })).verdict, "ok");
  // F G !a fails under weak fairness too, with a fair cycle in which A moves.
  const t2 = new FakeTarget(turns);
  const fg = await searchLiveness(t2, {
    automaton: translateNegation(parseLtl("F G !a")),
    source: "F G !a",
    fairness: "weak",
  });
  assert.equal(fg.verdict, "violation");
  const cycle = fg.lasso!.cycle;
  assert.ok(cycle.some((c) => c.step.actor === 1) && cycle.some((c) => c.step.actor === 2));
});

Deno.test("non-progress cycles: a cycle passing no isomc_progress() marker", async () => {
  const progressing: FakeProgram = {
    actors: [{ name: "B", code: [{ op: "yield" }, { op: "progress" }, { op: "goto", to: 0 }] }],
  };
  const search = (p: FakeProgram, fairness: Fairness = "none") => {
    const target = new FakeTarget(p);
    return searchLiveness(target, {
      automaton: nonProgressAutomaton(),
      source: "non-progress",
      fairness,
    }).then((r) => ({ r, target }));
  };
  assert.equal((await search(progressing)).r.verdict, "ok");
  const livelock: FakeProgram = {
    actors: [
      { name: "A", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
      progressing.actors[0],
    ],
  };
  const { r, target } = await search(livelock);
  assert.equal(r.verdict, "violation");
  const s = shape(target, r.lasso!);
  assert.deepEqual(s.steps.slice(s.cycleStart), ["A: yield()"]);
  // Under weak fairness B must move too, and it passes the marker: no non-progress cycle.
  assert.equal((await search(livelock, "weak")).r.verdict, "ok");
  // A run that ends does not loop: its stutter is no non-progress cycle (as with SPIN's -l).
  const ends: FakeProgram = { actors: [{ name: "A", code: [{ op: "yield" }, { op: "yield" }] }] };
  assert.equal((await search(ends)).r.verdict, "ok");
});

Deno.test("safety violations are still found during a liveness search", async () => {
  const failing: FakeProgram = {
    props: { x: "x" },
    actors: [{
      name: "a",
      code: [{ op: "store", var: "x", value: 1 }, {
        op: "assert",
        check: () => false,
        message: "boom",
      }],
    }],
  };
  const r = await ltl(failing, "G F x");
  assert.equal(r.verdict, "violation");
  assert.equal(r.lasso, null);
  assert.equal(r.violation?.kind, "assertion");
  assert.equal(r.violation?.trace.length, 1);
});

/** Two actors locking two mutexes in opposite orders: a deadlock is reachable. */
const crossed: FakeProgram = {
  props: { done: "done" },
  actors: [
    {
      name: "a",
      code: [
        { op: "lock", mutex: "m" },
        { op: "lock", mutex: "n" },
        {
          op: "store",
          var: "done",
          value: 1,
        },
        { op: "unlock", mutex: "n" },
        { op: "unlock", mutex: "m" },
      ],
    },
    {
      name: "b",
      code: [{ op: "lock", mutex: "n" }, { op: "lock", mutex: "m" }, { op: "unlock", mutex: "m" }, {
        op: "unlock",
        mutex: "n",
      }],
    },
  ],
};

Deno.test("deadlocks: a violation by default, a finite run that stutters on request", async () => {
  const r = await ltl(crossed, "F done");
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation?.kind, "deadlock");
  const target = new FakeTarget(crossed);
  const finite = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F done")),
    source: "F done",
    deadlockIsFinite: true,
  });
  assert.equal(finite.violation, null);
  assert.equal(finite.lasso?.stutter, true);
  assert.deepEqual(shape(target, finite.lasso!).steps, [
    "a: mutex_lock(mutex 1)",
    "b: mutex_lock(mutex 2)",
  ]);
  // A property every run satisfies, the deadlocked one included.
  assert.equal(
    (await ltl(crossed, "G (done -> G done)", { deadlockIsFinite: true })).verdict,
    "ok",
  );
});

Deno.test("unknown propositions: one line naming it and the registered ones, at the first state", async () => {
  await assert.rejects(
    () => ltl(toggler, "G F (x && waiting)"),
    (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.equal(
        e.message,
        "unknown proposition 'waiting' in 'G F (x && waiting)' (registered: x)",
      );
      return true;
    },
  );
  await assert.rejects(
    () => ltl({ actors: toggler.actors }, "F y"),
    /unknown proposition 'y' in 'F y' \(the program registers none \(isomc_prop\)\)/,
  );
});

Deno.test("the depth limit makes an endless state space an incomplete verdict", async () => {
  const counter: FakeProgram = {
    props: { x: "x" },
    actors: [{ name: "c", code: [{ op: "fetch_add", var: "x", delta: 1 }, { op: "goto", to: 0 }] }],
  };
  const r = await ltl(counter, "G !x", { maxDepth: 20 });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.incomplete, "max-depth");
  assert.equal(r.stats.programStates, 21);
});

Deno.test("lasso reports: numbered steps, propositions, the cycle marker; JSON with cycle_start", async () => {
  const target = new FakeTarget(toggler);
  const r = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F G x")),
    source: "F G x",
  });
  assert.equal(
    formatLasso(r.lasso!, target.names),
    [
      "Counterexample (0 steps, then a cycle of 2 steps repeated forever):",
      "     initially: x=0",
      "     --- the cycle repeats from step 1 ---",
      "  1. t: store(0x1000, 1)    [x=1]",
      "  2. t: store(0x1000, 0)    [x=0]",
      "     => back to the state before step 1: steps 1..2 repeat forever",
    ].join("\n"),
  );
  const json = lassoViolationJson(r.lasso!, target.names, "F G x");
  assert.equal(json.kind, "liveness");
  assert.equal(json.cycle_start, 0);
  assert.equal(json.formula, "F G x");
  assert.deepEqual(json.trace.map((s) => s.step), [1, 2]);
  // A stuttering end: the cycle starts after the last step.
  const ends: FakeProgram = {
    props: { x: "x" },
    vars: { x: 0 },
    actors: [{ name: "a", code: [{ op: "yield" }] }],
  };
  const t2 = new FakeTarget(ends);
  const r2 = await searchLiveness(t2, {
    automaton: translateNegation(parseLtl("F x")),
    source: "F x",
  });
  assert.equal(
    formatLasso(r2.lasso!, t2.names),
    [
      "Counterexample (1 step, then the last state forever):",
      "     initially: x=0",
      "  1. a: yield()    [x=0]",
      "     => the run ends here (or deadlocks): its last state repeats forever",
    ].join("\n"),
  );
  const j2 = lassoViolationJson(r2.lasso!, t2.names, "F x");
  assert.equal(j2.cycle_start, 1);
  assert.equal(j2.stutter, true);
});

Deno.test("a lasso found before a failing branch was explored: the cycle avoids it", async () => {
  // A spins (its self-loop closes an accepting cycle at once); B's first step fails an
  // assertion, a step the search had not tried when it stopped, met again building the cycle.
  const program: FakeProgram = {
    props: { q: "q" },
    vars: { q: 0 },
    actors: [
      { name: "A", code: [{ op: "yield" }, { op: "goto", to: 0 }] },
      { name: "B", code: [{ op: "yield" }, { op: "assert", check: () => false, message: "b" }] },
    ],
  };
  const target = new FakeTarget(program);
  const r = await searchLiveness(target, {
    automaton: translateNegation(parseLtl("F q")),
    source: "F q",
  });
  assert.equal(r.verdict, "violation");
  assert.equal(r.violation, null);
  assert.deepEqual(shape(target, r.lasso!), { steps: ["A: yield()"], cycleStart: 0 });
});
