/**
 * The structured steps of a trace file (lib/report/trace_steps.ts): kind, object, arguments,
 * source, and what matched — each post's FIFO partner on its mailbox, each completion's post,
 * with comm ids that come back once completed — on hand-made transitions, then on a real
 * program through the CLI, where the trace file and `--json` hold the same steps.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { TraceStep } from "../lib/explore/result.ts";
import { Kind, type NameTable, type Transition } from "../lib/model/transition.ts";
import { kindSlug, traceStepsJson } from "../lib/report/trace_steps.ts";
import { readTrace } from "../lib/report/trace.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { runCli } from "./support/cli.ts";
import { transition } from "./support/transitions.ts";

const M = 2 ** 52 + 7;

const t = transition;

function step(transition: Transition, choice = 0): TraceStep {
  return { step: { actor: transition.actor, choice }, transition };
}

const names: NameTable = {
  actors: new Map([[1, "a"], [2, "b"], [3, "c"]]),
  objects: new Map([[M, "box"]]),
  symbol: (address) => address === 0x4000 ? "counter" : undefined,
};

Deno.test("kind names are the protocol's: mutex_lock, fetch_add, cond_wake, barrier_leave", () => {
  assert.deepEqual(
    [Kind.mutexLock, Kind.fetchAdd, Kind.condWake, Kind.barrierLeave, Kind.yield].map(kindSlug),
    ["mutex_lock", "fetch_add", "cond_wake", "barrier_leave", "yield"],
  );
});

Deno.test("each post's FIFO partner and each completion's post, with a comm id used twice", () => {
  const trace = [
    step(t(2, Kind.irecv, { object: M, arg0: 10n, arg1: 8n })), // 1
    step(t(1, Kind.isend, { object: M, arg0: 20n, arg1: 8n })), // 2: matches 1
    step(t(3, Kind.isend, { object: M, arg0: 30n, arg1: 8n })), // 3: matches 5
    step(t(2, Kind.wait, { object: 10, arg0: BigInt(M), arg1: 1n, ready: true })), // 4: takes 1
    step(t(2, Kind.irecv, { object: M, arg0: 10n, arg1: 8n })), // 5: comm 10 again
    step(t(1, Kind.wait, { object: 20, arg0: BigInt(M), ready: true })), // 6: takes 2
    step(
      t(2, Kind.waitany, { arg0: 1n, extras: [{ id: 10, ready: true }] }),
      0,
    ), // 7: takes 5
    step(t(3, Kind.test, { object: 30, arg0: BigInt(M), ready: false })), // 8: takes nothing
    step(t(3, Kind.test, { object: 30, arg0: BigInt(M), ready: true })), // 9: takes 3
    step(t(1, Kind.isend, { object: M, arg0: 21n, arg1: 8n })), // 10: no receive
    step(t(1, Kind.store, { object: 0x4000, arg0: -5n, site: 0x1234 })), // 11
    step(t(3, Kind.random, { arg0: 3n, arg1: 9n, choices: 7 }), 4), // 12
  ];
  const steps = traceStepsJson(trace, names);
  const matched = steps.map((s) => [s.step, s.kind, s.comm, s.mailbox, s.partner, s.completes]);
  assert.deepEqual(matched, [
    [1, "irecv", 10, M, 2, undefined],
    [2, "isend", 20, M, 1, undefined],
    [3, "isend", 30, M, 5, undefined],
    [4, "wait", 10, M, 2, 1],
    [5, "irecv", 10, M, 3, undefined],
    [6, "wait", 20, M, 1, 2],
    [7, "waitany", 10, M, 3, 5],
    [8, "test", undefined, undefined, undefined, undefined],
    [9, "test", 30, M, 5, 3],
    [10, "isend", 21, M, null, undefined],
    [11, "store", undefined, undefined, undefined, undefined],
    [12, "random", undefined, undefined, undefined, undefined],
  ]);
  assert.equal(steps[0].object_name, "box");
  assert.equal(steps[0].transition, "irecv(mailbox 'box', 8-byte buffer) -> comm 10");
  assert.deepEqual(steps[6].comms, [{ comm: 10, ready: true }]);
  assert.deepEqual(
    [steps[10].object_name, steps[10].arg0, steps[10].transition],
    ["counter", "-5", "store(counter, -5)"],
  );
  assert.equal(steps[11].value, "7");
  // No resolver: no source, whatever the site.
  assert.equal(steps[10].source, undefined);
  const located = traceStepsJson(
    trace,
    names,
    (site) => site === 0x1234 ? { file: "dir/x.c", path: "/src/dir/x.c", line: 4 } : undefined,
  );
  assert.equal(located[10].source, "x.c:4");
  assert.deepEqual(located[10].location, { file: "dir/x.c", path: "/src/dir/x.c", line: 4 });
});

Deno.test("a real exchange: the trace file and --json hold the same matched steps", async () => {
  const program = await buildProgram(join(repoRoot, "tests/programs/report/exchange.c"));
  const dir = await Deno.makeTempDir({ prefix: "isomc-steps-" });
  try {
    const r = await runCli(["check", "--json", "--trace-out=t.json", "--", program], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    const trace = readTrace(join(dir, "t.json"));
    assert.deepEqual(trace.steps, j.trace);
    const steps = trace.steps;
    const posts = steps.filter((s) => s.kind === "isend" || s.kind === "irecv");
    assert.equal(posts.length, 8, "2 sends and 2 receives each way");
    for (const p of posts) {
      // Every post has a partner of the other side, on the same mailbox, of the other actor.
      assert.ok(typeof p.partner === "number", `step ${p.step}`);
      const q = steps[p.partner - 1];
      assert.equal(q.partner, p.step);
      assert.equal(q.mailbox, p.mailbox);
      assert.notEqual(q.kind, p.kind);
      assert.notEqual(q.actor, p.actor);
    }
    // FIFO: the k-th send on a mailbox matches its k-th receive.
    for (const mailbox of new Set(posts.map((p) => p.mailbox))) {
      const on = posts.filter((p) => p.mailbox === mailbox);
      const sends = on.filter((p) => p.kind === "isend").map((p) => p.step);
      const receives = on.filter((p) => p.kind === "irecv").map((p) => p.step);
      assert.deepEqual(sends.map((s) => steps[s - 1].partner), receives);
    }
    const waits = steps.filter((s) => s.kind === "wait");
    assert.equal(waits.length, 8);
    for (const w of waits) {
      assert.ok(typeof w.completes === "number");
      const post = steps[w.completes - 1];
      assert.equal(post.actor, w.actor);
      assert.equal(post.comm, w.comm);
      assert.equal(w.partner, post.partner);
      // Both halves of isomc_send / isomc_recv are at the one call.
      assert.equal(w.source, post.source);
      assert.match(w.source ?? "", /^exchange\.c:\d+$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
