/**
 * The liveness examples (examples/liveness/*.c) on real processes: each header states its
 * formula and its verdict, with and without weak fairness; the check gets that verdict, in the
 * counts the header derives, and every lasso found replays (`isomc replay`: its cycle comes back
 * to its first state). The examples that pass messages forever (the coordinators, the token
 * ring) have finitely many states because the runtime's memory is canonical (docs/state.md). A
 * real lasso goes through the pictures too: check --svg --html, then show and show --html of its
 * trace file.
 *
 * The counts are the program's states as compiled by `isomc cc` (-O0), and were derived apart
 * from isomc by tests/models/liveness_examples.py (`python3 tests/models/liveness_examples.py`):
 * an explicit-state model of each program over docs/semantics.md (FIFO matching at the post, a
 * wait enabled once matched, the local code after a transition run with it), its product with
 * the automaton `isomc ltl` prints, and Couvreur's search in isomc's order (actors by id, then
 * the automaton's transitions in order) give every count below; for coordinator_fixed.c the
 * model was also matched state for state with the graph of `isomc check --dot` (1,124 nodes,
 * each one model state, every edge one of the model's steps).
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { check } from "../lib/check.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import type { Fairness } from "../lib/liveness/search.ts";
import { replay } from "../lib/replay.ts";
import { buildLassoTrace } from "../lib/report/liveness.ts";
import { writeTrace } from "../lib/report/trace.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";

const dir = join(repoRoot, "examples", "liveness");

interface Run {
  readonly fairness: Fairness;
  readonly verdict: "ok" | "violation";
  /** Product and program states searched (for a violation: up to the lasso found). */
  readonly product: number;
  readonly program: number;
}

interface Example {
  readonly name: string;
  readonly formula: string;
  /** What the header's "Expected verdict:" line begins with. */
  readonly stated: string;
  readonly runs: readonly Run[];
}

const examples: readonly Example[] = [
  {
    name: "coordinator",
    formula: "G(request_1 -> F cs_1)",
    stated: "violation, liveness",
    // The search's order decides where it stops: its 73rd state closes the cycle in which
    // client 1's request was dropped (the model's search stops at the same one). Weak fairness
    // changes nothing: client 1 is blocked (at its wait for a grant) in that cycle.
    runs: [
      { fairness: "none", verdict: "violation", product: 73, program: 73 },
      { fairness: "weak", verdict: "violation", product: 73, program: 73 },
    ],
  },
  {
    name: "coordinator_fixed",
    formula: "G(request_1 -> F cs_1)",
    stated: "ok with --fairness=weak",
    // Weakly fair: the whole product is searched. 1,124 program states, where the live data
    // alone (the coordinator's place, busy, the queue's live slots, a message not yet read, the
    // pending grant; each client's place; the mailboxes) take 286 values: at -O0 each local of
    // coordinator() has its own slot in its frame, and the dead ones keep their last values
    // there, in the state the checker hashes — the message last read, the first branch's grant
    // (the client last granted at once), the second's and `next` (the one last taken from the
    // queue), `i` (how long the queue was then). Product: the
    // 1,124 with the automaton's first state and the 801 reached from a state where
    // request_1 && !cs_1 and kept while !cs_1: 1,925. Without fairness the search stops at its
    // 181st state, on a cycle that client 1 could leave but is never scheduled in.
    runs: [
      { fairness: "weak", verdict: "ok", product: 1925, program: 1124 },
      { fairness: "none", verdict: "violation", product: 181, program: 181 },
    ],
  },
  {
    name: "token_ring",
    formula: "G F token_at_0",
    stated: "ok, 72 program states",
    // 72 program states (tests/programs/canon/ring.c derives them: 24 per holder of the token).
    // F G !token_at_0's automaton: every state with its first state, and in its second the 48
    // reached by a step from one of the 40 where token_at_0 = 0: 120 product states.
    runs: [{ fairness: "none", verdict: "ok", product: 120, program: 72 }],
  },
  {
    name: "spin_wait",
    formula: "F served",
    stated: "violation, liveness without fairness",
    runs: [
      // (producer before its first store | between | done) x (consumer at its load | at its
      // yield), the consumer's second load once the flag is up, and its end: the lasso is found
      // after 7 of them; under weak fairness all 8 are searched.
      { fairness: "none", verdict: "violation", product: 7, program: 7 },
      { fairness: "weak", verdict: "ok", product: 8, program: 8 },
    ],
  },
];

function header(source: string, field: string): string {
  const m = source.match(new RegExp(`^ \\* ${field}:\\s+(.*)$`, "m"));
  assert.ok(m !== null, `no '${field}:' line`);
  return m[1].trim();
}

Deno.test("every liveness example is tested here, with the formula and verdict its header states", async () => {
  const files = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".c"))
    .map((e) => basename(e.name, ".c"))
    .sort();
  assert.deepEqual(files, examples.map((e) => e.name).sort());
  for (const e of examples) {
    const source = await Deno.readTextFile(join(dir, `${e.name}.c`));
    assert.equal(header(source, "Formula").split(/\s{2,}/)[0], e.formula, e.name);
    assert.ok(header(source, "Expected verdict").startsWith(e.stated), e.name);
  }
});

for (const e of examples) {
  for (const run of e.runs) {
    Deno.test({
      name: `examples/liveness/${e.name}.c, ${e.formula}, fairness ${run.fairness}: ${run.verdict}`,
      fn: async () => {
        const program = await buildProgram(`examples/liveness/${e.name}.c`);
        const property = {
          kind: "liveness" as const,
          automaton: translateNegation(parseLtl(e.formula)),
          formula: e.formula,
          fairness: run.fairness,
        };
        const r = await check(program, [], { liveness: property });
        assert.equal(r.violation, null, r.violation?.message);
        assert.equal(r.verdict, run.verdict);
        const s = r.liveness!.stats;
        assert.deepEqual([s.states, s.programStates], [run.product, run.program]);
        if (run.verdict === "ok") return;
        const lasso = r.liveness!.lasso!;
        const tmp = await Deno.makeTempDir({ prefix: "isomc-liveness-example-" });
        try {
          const trace = join(tmp, "trace.json");
          writeTrace(trace, buildLassoTrace([program], r.liveness!, lasso, r.names, 10_000));
          const again = await replay(trace, program, [], { quietProgram: true, verbose: false });
          assert.ok(again.reproduced, again.message);
          assert.equal(again.observed, "liveness");
        } finally {
          await Deno.remove(tmp, { recursive: true });
        }
      },
    });
  }
}

Deno.test({
  name:
    "examples/liveness/coordinator.c: in the lasso's cycle client 1 never enters, client 2 does",
  fn: async () => {
    const program = await buildProgram("examples/liveness/coordinator.c");
    const r = await runCli([
      "check",
      "--json",
      "--ltl=G(request_1 -> F cs_1)",
      "--trace-out=/dev/null",
      "--",
      program,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const v = JSON.parse(r.stdout).violation;
    const cycle = v.trace.slice(v.cycle_start);
    assert.ok(cycle.length > 0);
    assert.ok(
      cycle.every((s: { propositions: Record<string, number> }) =>
        s.propositions.request_1 === 1 && s.propositions.cs_1 === 0
      ),
    );
    assert.ok(cycle.some((s: { actor_name: string }) => s.actor_name === "client-2"));
    assert.ok(cycle.every((s: { actor_name: string }) => s.actor_name !== "client-1"));
  },
});

Deno.test("examples/liveness/spin_wait.c: check --svg --html draws the lasso, show says and draws it again from the trace", async () => {
  const program = await buildProgram("examples/liveness/spin_wait.c");
  const tmp = await Deno.makeTempDir({ prefix: "isomc-liveness-pictures-" });
  try {
    const at = (f: string): string => join(tmp, f);
    const r = await runCli([
      "check",
      "--ltl=F served",
      `--trace-out=${at("t.json")}`,
      `--svg=${at("c.svg")}`,
      `--html=${at("c.html")}`,
      "--",
      program,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const trace = JSON.parse(await Deno.readTextFile(at("t.json")));
    const v = trace.violation;
    const n = trace.steps.length;
    assert.equal(v.kind, "liveness");
    assert.equal(v.formula, "F served");
    assert.equal(v.fairness, "none");
    assert.deepEqual(v.initial_propositions, { served: 0 });
    // The cycle is the consumer's load and yield; each step has its line and propositions.
    const cycle = trace.steps.slice(v.cycle_start);
    assert.deepEqual(cycle.map((s: { transition: string }) => s.transition).sort(), [
      "load(ready)",
      "yield()",
    ]);
    for (const s of trace.steps) {
      assert.match(s.source, /^spin_wait\.c:\d+$/, s.transition);
      assert.deepEqual(s.propositions, { served: 0 });
    }
    for (const s of cycle) assert.equal(s.source, "spin_wait.c:29");

    // The chart brackets the cycle; the page marks its rows and shows the propositions.
    const svg = await Deno.readTextFile(at("c.svg"));
    assert.equal(svg.split('class="cycle"').length - 1, 1);
    assert.ok(svg.includes(`steps ${v.cycle_start + 1} to ${n} repeat forever`), svg);
    const page = await Deno.readTextFile(at("c.html"));
    assert.equal(page.split('<tr class="cycle">').length - 1, n - v.cycle_start);
    assert.ok(page.includes("<th>propositions</th>"));
    assert.ok(page.includes("initially: <code>served=0</code>"));
    assert.ok(page.includes("while (isomc_load(&amp;ready) == 0) isomc_yield();"));

    // show: the report's words from the trace file alone, and the same pictures.
    const shown = await runCli(["show", at("t.json")]);
    assert.equal(shown.code, 0, shown.stderr);
    const said = lines(r.stdout);
    const upTo = said.findIndex((l) => l.startsWith("Explored "));
    assert.deepEqual(lines(shown.stdout).slice(0, upTo + 1), said.slice(0, upTo + 1));
    assert.ok(said.includes(`     --- the cycle repeats from step ${v.cycle_start + 1} ---`));
    const drawn = await runCli([
      "show",
      `--svg=${at("s.svg")}`,
      `--html=${at("s.html")}`,
      at("t.json"),
    ]);
    assert.equal(drawn.code, 0, drawn.stderr);
    assert.equal(await Deno.readTextFile(at("s.svg")), svg);
    assert.equal(await Deno.readTextFile(at("s.html")), page);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
