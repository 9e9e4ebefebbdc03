/**
 * `isomc ltl` through the real CLI: the automaton of the negation as text and as Graphviz,
 * SPIN never claims with --never, and bad input as one line with exit 2 (the formula quoted
 * and the position marked; the claim's file and line).
 */

import assert from "node:assert/strict";
import { lines, runCli } from "./support/cli.ts";

Deno.test("isomc ltl FORMULA prints the automaton of the negation", async () => {
  const r = await runCli(["ltl", "G(waiting -> F in_cs)"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.deepEqual(lines(r.stdout), [
    "automaton of !(G (waiting -> F in_cs)): the executions that violate the formula",
    "2 states, 3 transitions, 1 acceptance set: a run is accepted when it takes transitions marked {0} infinitely often",
    "state 0 (initial): F (waiting && G !in_cs)",
    "  waiting && !in_cs -> 1",
    "  true -> 0",
    "state 1: G !in_cs",
    "  !in_cs -> 1 {0}",
  ]);
  const dot = await runCli(["ltl", "--dot", "[]<>p"]);
  assert.equal(dot.code, 0);
  assert.match(dot.stdout, /^digraph automaton \{\n/);
  assert.match(dot.stdout, /1 -> 1 \[label="!p \{0\}", style=bold\];/);
  assert.match(dot.stdout, /\}\n$/);
});

Deno.test("isomc ltl: a bad formula is one line quoting it, the position marked; exit 2", async () => {
  const cases: [string, string][] = [
    ["G(p -> F q", "isomc: bad formula: missing ')' at column 11: 'G(p -> F q<here>'"],
    [
      "p && && q",
      "isomc: bad formula: expected a proposition, 'true', 'false', '(' or a unary operator, not '&&' at column 6: 'p && <here>&& q'",
    ],
    ["p q", "isomc: bad formula: unexpected 'q' after a complete formula at column 3: 'p <here>q'"],
    ["G (p # q)", "isomc: bad formula: unexpected '#' at column 6: 'G (p <here># q)'"],
    ["", "isomc: bad formula: empty formula at column 1: '<here>'"],
  ];
  for (const [formula, message] of cases) {
    const r = await runCli(["ltl", formula]);
    assert.equal(r.code, 2, formula);
    assert.equal(r.stdout, "");
    assert.deepEqual(lines(r.stderr), [message]);
  }
  const none = await runCli(["ltl"]);
  assert.equal(none.code, 2);
  assert.equal(lines(none.stderr).length, 1);
});

Deno.test("isomc ltl --never=FILE reads a SPIN never claim; its errors name file:line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "isomc-ltl-" });
  try {
    const claim = `${dir}/claim.pml`;
    await Deno.writeTextFile(
      claim,
      `never {    /* !([]<>p) */
T0_init:
	do
	:: (! ((p))) -> goto accept_S4
	:: (1) -> goto T0_init
	od;
accept_S4:
	do
	:: (! ((p))) -> goto accept_S4
	od;
}
`,
    );
    const r = await runCli(["ltl", `--never=${claim}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 states, 3 transitions, 1 acceptance set/);
    assert.match(r.stdout, /state 1: accept_S4\n {2}!p -> 1 \{0\}/);
    const bad = `${dir}/bad.pml`;
    await Deno.writeTextFile(bad, "never {\nT0:\n  do\n  :: (p) -> goto T9\n  od\n}\n");
    const e = await runCli(["ltl", `--never=${bad}`]);
    assert.equal(e.code, 2);
    assert.deepEqual(lines(e.stderr), [`isomc: ${bad}:4: goto T9: no such label`]);
    await Deno.writeTextFile(bad, "never {\nT0:\n  do\n  :: (p > 1) -> goto T0\n  od\n}\n");
    const e2 = await runCli(["ltl", `--never=${bad}`]);
    assert.equal(e2.code, 2);
    assert.deepEqual(lines(e2.stderr), [`isomc: ${bad}:4: unexpected '>'`]);
    const missing = await runCli(["ltl", `--never=${dir}/nothing.pml`]);
    assert.equal(missing.code, 2);
    assert.equal(lines(missing.stderr).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isomc help ltl and isomc ltl --help show the grammar", async () => {
  for (const args of [["help", "ltl"], ["ltl", "--help"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: isomc ltl/);
    assert.match(r.stdout, /U {2}R {2}W/);
  }
});
