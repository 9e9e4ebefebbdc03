/**
 * The LTL translator (lib/ltl/): exact automata for known formulas, acceptance compared with
 * the direct evaluation of formulas on thousands of random lassos, the simplifications
 * language-preserving, and the cross-check against two independent translators, SPIN (`spin
 * -f`, read back through our never-claim parser) and LBT (`lbt`, LBTT output): on seeded random
 * formulas over 3 propositions, our automaton for φ times theirs for ¬φ accepts nothing, and
 * ours for ¬φ times theirs for φ neither — language equivalence.
 */

import assert from "node:assert/strict";
import { InputError } from "../lib/errors.ts";
import { formatFormula, type Formula, not } from "../lib/ltl/formula.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translate, translateNegation } from "../lib/ltl/translate.ts";
import { accepts, isEmpty, product } from "../lib/ltl/emptiness.ts";
import { holdsOn } from "../lib/ltl/evaluate.ts";
import { parseNever } from "../lib/ltl/never.ts";
import { type Automaton, edgeCount } from "../lib/ltl/automaton.ts";
import { parseLbtt } from "./support/lbtt.ts";
import {
  foldConstants,
  lbtSyntax,
  randomFormula,
  randomLasso,
  spinSyntax,
  threeProps,
} from "./support/random_ltl.ts";

const size = (a: Automaton): [number, number, number] => [
  a.states.length,
  edgeCount(a),
  a.accSets,
];

Deno.test("known formulas: states, transitions and acceptance sets after simplification", () => {
  const cases: [string, [number, number, number]][] = [
    ["G F p", [1, 2, 1]],
    ["F G p", [2, 3, 1]],
    ["p U q", [2, 3, 1]],
    ["G p", [1, 1, 0]],
    ["F p", [2, 3, 1]],
    ["X p", [3, 3, 0]],
    ["true", [1, 1, 0]],
    ["false", [1, 0, 0]],
    ["p && !p", [1, 0, 0]],
    ["G (p -> F q)", [2, 5, 1]],
    ["G F p && G F q", [1, 4, 2]],
    ["p W q", [2, 3, 0]],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(size(translate(parseLtl(text))), expected, text);
  }
  // The automaton a search uses is the negation's: !G F p = F G !p.
  assert.deepEqual(size(translateNegation(parseLtl("G F p"))), [2, 3, 1]);
  assert.deepEqual(size(translateNegation(parseLtl("G (waiting -> F in_cs)"))), [2, 3, 1]);
});

Deno.test("acceptance on random lassos agrees with evaluating the formula (200 x 20)", () => {
  let checked = 0;
  for (let seed = 0; seed < 200; seed++) {
    const f = randomFormula(seed, 4);
    const a = translate(f);
    const raw = translate(f, { raw: true });
    for (let k = 0; k < 20; k++) {
      const w = randomLasso(seed * 1000 + k);
      const expected = holdsOn(f, w);
      const where = `${formatFormula(f)} on ${JSON.stringify(w)}`;
      assert.equal(accepts(a, w), expected, where);
      assert.equal(accepts(raw, w), expected, `unsimplified: ${where}`);
      checked++;
    }
  }
  assert.equal(checked, 4000);
});

Deno.test("the evaluator on lassos: hand-computed cases", () => {
  const w = (prefix: string[][], cycle: string[][]) => ({ prefix, cycle });
  const at = (f: string, word: ReturnType<typeof w>): boolean => holdsOn(parseLtl(f), word);
  assert.equal(at("F p", w([[], []], [[]])), false); // a run that never has p
  assert.equal(at("F p", w([[], ["p"]], [[]])), true);
  assert.equal(at("G F p", w([["p"]], [[]])), false);
  assert.equal(at("G F p", w([], [[], ["p"]])), true);
  assert.equal(at("F G p", w([[]], [["p"]])), true);
  assert.equal(at("p U q", w([["p"], ["p"]], [["q"]])), true);
  assert.equal(at("p U q", w([["p"], []], [["q"]])), false);
  assert.equal(at("p W q", w([], [["p"]])), true);
  assert.equal(at("p U q", w([], [["p"]])), false);
  assert.equal(at("q R p", w([], [["p"]])), true);
  assert.equal(at("X X p", w([[], []], [["p"]])), true);
  assert.equal(at("G (p -> X q)", w([], [["p"], ["q"]])), true);
  assert.equal(at("G (p -> X q)", w([], [["p"], ["p"]])), false);
});

const decoder = new TextDecoder();

async function tool(name: string, args: string[], input?: string): Promise<string> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(name, {
      args,
      stdin: input === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(
      `the cross-check needs '${name}' (Debian package ${name}; .ci/run installs it): ${e}`,
    );
  }
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(
      `${name} ${args.join(" ")} failed (${out.code}): ${decoder.decode(out.stderr)}`,
    );
  }
  return decoder.decode(out.stdout);
}

function equivalent(
  ours: Automaton,
  oursNeg: Automaton,
  theirs: Automaton,
  theirsNeg: Automaton,
  f: Formula,
  who: string,
): void {
  assert.ok(
    isEmpty(product(ours, theirsNeg)),
    `${who}: ours(φ) x theirs(¬φ) for ${formatFormula(f)}`,
  );
  assert.ok(
    isEmpty(product(oursNeg, theirs)),
    `${who}: ours(¬φ) x theirs(φ) for ${formatFormula(f)}`,
  );
}

Deno.test("cross-check with SPIN: 250 random formulas without X, language-equivalent", async () => {
  let compared = 0;
  for (let seed = 0; seed < 250; seed++) {
    const f = randomFormula(seed, 3, threeProps, true);
    const spin = async (g: Formula): Promise<Automaton> =>
      parseNever(await tool("spin", ["-f", spinSyntax(g)]), `spin -f ${spinSyntax(g)}`);
    equivalent(translate(f), translate(not(f)), await spin(f), await spin(not(f)), f, "spin");
    compared++;
  }
  assert.equal(compared, 250);
});

Deno.test("cross-check with LBT: 300 random formulas with X, U, R, W, <->, language-equivalent", async () => {
  let compared = 0;
  for (let seed = 0; seed < 300; seed++) {
    const f = randomFormula(seed, 4);
    const lbt = async (g: Formula): Promise<Automaton> =>
      parseLbtt(await tool("lbt", [], lbtSyntax(foldConstants(g), threeProps) + "\n"), threeProps);
    equivalent(translate(f), translate(not(f)), await lbt(f), await lbt(not(f)), f, "lbt");
    compared++;
  }
  assert.equal(compared, 300);
});

Deno.test("the emptiness check itself: known empty and non-empty products", () => {
  const a = (s: string): Automaton => translate(parseLtl(s));
  assert.ok(isEmpty(product(a("G p"), a("F !p"))));
  assert.ok(!isEmpty(product(a("G F p"), a("G F !p"))));
  assert.ok(isEmpty(product(a("F G p"), a("G F !p"))));
  assert.ok(!isEmpty(product(a("p U q"), a("!p"))));
  assert.ok(isEmpty(product(a("X p"), a("X !p"))));
});

Deno.test("a formula whose automaton would be exponentially large is refused with one line", () => {
  const many = Array.from({ length: 13 }, (_, i) => `F p${i}`).join(" && ");
  assert.throws(
    () => translate(parseLtl(many)),
    (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^the formula's automaton is too large/);
      return true;
    },
  );
  // Eight eventualities are fine (2^8 ways to satisfy the first state).
  const eight = Array.from({ length: 8 }, (_, i) => `F p${i}`).join(" && ");
  assert.equal(translate(parseLtl(eight)).states.length, 256);
});
