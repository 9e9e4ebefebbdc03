/**
 * The LTL grammar (lib/ltl/parser.ts): precedence and associativity, SPIN's spellings, the
 * printer's round trip, and the never-claim reader's statements (if/fi, skip, atomic assert,
 * labels), compared by language with the translator.
 */

import assert from "node:assert/strict";
import { formatFormula } from "../lib/ltl/formula.ts";
import { parseLtl, unknownPropositionError } from "../lib/ltl/parser.ts";
import { parseNever } from "../lib/ltl/never.ts";
import { translate } from "../lib/ltl/translate.ts";
import { accepts, isEmpty, product } from "../lib/ltl/emptiness.ts";
import { holdsOn } from "../lib/ltl/evaluate.ts";
import { randomFormula, randomLasso } from "./support/random_ltl.ts";

const show = (s: string): string => formatFormula(parseLtl(s));

Deno.test("precedence: ! X F G, then U R W, &&, ||, ->, <->; binary operators right-associative", () => {
  assert.deepEqual(parseLtl("!p && q || r -> s <-> t"), parseLtl("(((!p) && q) || r -> s) <-> t"));
  assert.equal(show("((!p && q) || r)"), "!p && q || r");
  assert.equal(show("p && (q || r)"), "p && (q || r)");
  assert.deepEqual(parseLtl("p U q U r"), parseLtl("p U (q U r)"));
  assert.deepEqual(parseLtl("p -> q -> r"), parseLtl("p -> (q -> r)"));
  assert.deepEqual(parseLtl("F p U q"), parseLtl("(F p) U q"));
  assert.deepEqual(parseLtl("p U q && r"), parseLtl("(p U q) && r"));
  assert.deepEqual(parseLtl("X X p"), parseLtl("X(X(p))"));
  assert.deepEqual(parseLtl("G F p"), parseLtl("[]<>p"));
});

Deno.test("SPIN's spellings and the alternatives mean the same", () => {
  const same: [string, string][] = [
    ["[]p", "G p"],
    ["<>p", "F p"],
    ["p V q", "p R q"],
    ["p /\\ q", "p && q"],
    ["p \\/ q", "p || q"],
    ["p & q", "p && q"],
    ["p | q", "p || q"],
    ["~p", "!p"],
    ["p => q", "p -> q"],
    ["p --> q", "p -> q"],
    ["p <=> q", "p <-> q"],
  ];
  for (const [a, b] of same) assert.deepEqual(parseLtl(a), parseLtl(b), a);
  // Letters are operators only alone: Fx, GF, Up are proposition names.
  assert.deepEqual(parseLtl("Fx"), { op: "prop", name: "Fx" });
  assert.deepEqual(parseLtl("F x"), { op: "F", arg: { op: "prop", name: "x" } });
  assert.deepEqual(parseLtl("in_cs.0"), { op: "prop", name: "in_cs.0" });
});

Deno.test("the printer's output parses back to the same formula (200 random formulas)", () => {
  for (let seed = 0; seed < 200; seed++) {
    const f = randomFormula(seed, 4);
    assert.deepEqual(parseLtl(formatFormula(f)), f, formatFormula(f));
  }
});

Deno.test("unknown propositions: named, with the registered ones listed", () => {
  const f = "G(waiting -> F in_cs)";
  assert.equal(unknownPropositionError(f, parseLtl(f), ["waiting", "in_cs"]), null);
  assert.equal(
    unknownPropositionError(f, parseLtl(f), ["waiting"])?.message,
    "unknown proposition 'in_cs' in 'G(waiting -> F in_cs)' (registered: waiting)",
  );
  assert.equal(
    unknownPropositionError(f, parseLtl(f), ["x"])?.message,
    "unknown propositions 'waiting', 'in_cs' in 'G(waiting -> F in_cs)' (registered: x)",
  );
});

Deno.test("never claims: if/fi, skip, atomic assert, several labels, comments", () => {
  /** The claim describes the violations of `formula`: compared on 500 random lassos. */
  const equivalent = (claim: string, formula: string): void => {
    const a = parseNever(claim);
    const f = parseLtl(formula);
    assert.ok(isEmpty(product(a, translate(f))), `claim and ${formula} overlap`);
    for (let seed = 0; seed < 500; seed++) {
      const w = randomLasso(seed, ["p", "q"]);
      assert.equal(accepts(a, w), !holdsOn(f, w), JSON.stringify(w));
    }
  };
  // spin -f '!(p U q)': accepting init, an atomic assert, accept_all: skip.
  equivalent(
    `never  {    /* !(p U q) */
accept_init:
T0_init:
	do
	:: (! ((q))) -> goto T0_init
	:: atomic { (! ((p)) && ! ((q))) -> assert(!(! ((p)) && ! ((q)))) }
	od;
accept_all:
	skip
}`,
    "p U q",
  );
  // A claim for F G !p written with if/fi, a guard statement, // comments.
  const fg = `never { // F G !p
start:
  if
  :: (1) -> goto start
  :: (!p) -> goto accept_loop
  fi;
accept_loop:
  do
  :: (!p)   /* a guard alone: the option loops */
  od
}`;
  equivalent(fg, "G F p");
  // A guard as a statement reads one letter, then the next statement follows.
  equivalent("never {\n  (p);\n  (q);\naccept: do :: (1) od\n}", "!(p && X q)");
  // Errors say file:line.
  assert.throws(
    () => parseNever("never {\n do\n :: (p) -> goto X\n od\n}", "c.pml"),
    /c\.pml:3: goto X: no such label/,
  );
  assert.throws(() => parseNever("never {\n do\n :: p -> \n od\n}", "c.pml"), /c\.pml:4: /);
  assert.throws(() => parseNever("int x;", "c.pml"), /c\.pml:1: no 'never \{' in the file/);
});
