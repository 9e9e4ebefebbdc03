/**
 * Equal states are recognised in message-passing programs (issue 9, item 6): the runtime's
 * memory is canonical (docs/state.md, "What is canonical"), so programs whose behaviour is
 * periodic have finite state graphs and `--reduction=none --visited` checks them completely,
 * with no --max-depth. Each program's header comment derives its number of distinct states;
 * before the runtime's memory was canonical, the rings and the ping-pong ran until --max-depth
 * and the others had more states than they have.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

async function program(name: string): Promise<string> {
  return await buildProgram(join(repoRoot, `tests/programs/canon/${name}.c`));
}

const programs: readonly { name: string; what: string; states: number }[] = [
  { name: "ring", what: "a token round a ring of 3 with send/recv, forever", states: 72 },
  {
    name: "ring_async",
    what: "the ring with isend/irecv/wait and pre-posted receives",
    states: 64,
  },
  { name: "ring_malloc", what: "the ring with a malloc'd token freed by its receiver", states: 72 },
  { name: "pingpong", what: "a ping-pong forever, the hits modulo 4", states: 32 },
  {
    name: "prodcons",
    what: "a producer and a consumer forever, one slot, two condition variables",
    states: 60,
  },
  { name: "lookups", what: "mailboxes looked up in either order", states: 9 },
  { name: "printers", what: "two actors printing the same line in either order", states: 9 },
];

for (const p of programs) {
  Deno.test(`${p.what}: ok, exactly ${p.states} distinct states`, async () => {
    const binary = await program(p.name);
    const r = await check(binary, [], { reduction: "none", restore: "memory" });
    assert.equal(r.violation, null, r.violation?.message);
    assert.equal(r.verdict, "ok");
    assert.equal(r.incomplete, null);
    assert.equal(r.stats.states, p.states);
    // Main's end runs from a final state or is reused: the same state either way.
    const everyEnd = await check(binary, [], {
      reduction: "none",
      restore: "memory",
      everyEnd: true,
    });
    assert.equal(everyEnd.stats.states, p.states);
    // Every state was recognised by its memory, not merely by a colliding hash.
    const exact = await check(binary, [], {
      reduction: "none",
      restore: "memory",
      exactCompare: true,
    });
    assert.equal(exact.stats.states, p.states);
    assert.equal(exact.stats.pruned, r.stats.pruned);
    assert.equal(exact.stats.hashCollisions, 0);
  });
}

Deno.test("isomc check --reduction=none on the token ring: exit 0, ok, 72 states, no depth bound", async () => {
  const binary = await program("ring");
  const cli = await runCli(["check", "--reduction=none", "--json", "--", binary]);
  assert.equal(cli.code, 0, cli.stderr);
  const out = JSON.parse(cli.stdout);
  assert.equal(out.verdict, "ok");
  assert.equal(out.incomplete, null);
  assert.equal(out.stats.states, 72);
  // A lap of the ring is 12 transitions; the longest path without a repeated state is longer.
  assert.ok(out.stats.max_depth > 12);
});
