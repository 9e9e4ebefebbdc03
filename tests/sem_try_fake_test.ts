/**
 * sem_trywait and sem_getvalue (docs/independence.md, rows 9 and 26) on the in-memory fake:
 * a trywait is always enabled and its result depends on the value, so it is dependent with
 * the posts, waits and tries of its semaphore; a getvalue reads the value, dependent with them
 * and independent of other getvalues. Exact counts on small programs, then random programs
 * where every reduction must find what the exhaustive search finds (one execution per
 * Mazurkiewicz trace for sleep and odpor).
 */

import assert from "node:assert/strict";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { type DporReduction, exploreDpor } from "../lib/explore/dpor/explorer.ts";
import { type FakeActor, type FakeProgram, FakeTarget, type Instr } from "./support/fake_system.ts";
import { RecordingTarget, rng } from "./support/random_programs.ts";

/** Executions under the exhaustive search and under odpor, checking the final states agree. */
async function counts(program: FakeProgram): Promise<{ none: number; odpor: number }> {
  const none = new RecordingTarget(new FakeTarget(program));
  const full = await exploreDfs(none);
  const reduced = new RecordingTarget(new FakeTarget(program));
  const r = await exploreDpor(reduced, "odpor");
  assert.equal(r.verdict, full.verdict);
  assert.deepEqual([...reduced.finals].sort(), [...none.finals].sort());
  assert.equal(r.stats.executions, none.traces().size);
  return { none: full.stats.executions, odpor: r.stats.executions };
}

Deno.test("a trywait and a post of its semaphore: dependent, 2 traces (it gets it or not)", async () => {
  const program: FakeProgram = {
    actors: [
      { name: "T", code: [{ op: "sem_trywait", sem: "s", into: "got" }] },
      { name: "P", code: [{ op: "sem_release", sem: "s" }] },
    ],
  };
  assert.deepEqual(await counts(program), { none: 2, odpor: 2 });
});

Deno.test("two trywaits of a semaphore at 1: dependent, 2 traces (who gets it)", async () => {
  const program: FakeProgram = {
    sems: { s: 1 },
    actors: [
      { name: "A", code: [{ op: "sem_trywait", sem: "s", into: "got" }] },
      { name: "B", code: [{ op: "sem_trywait", sem: "s", into: "got" }] },
    ],
  };
  assert.deepEqual(await counts(program), { none: 2, odpor: 2 });
});

Deno.test("two getvalues commute (1 trace); a getvalue and a post do not (2)", async () => {
  const reads: FakeProgram = {
    actors: [
      { name: "A", code: [{ op: "sem_getvalue", sem: "s", into: "v" }] },
      { name: "B", code: [{ op: "sem_getvalue", sem: "s", into: "v" }] },
    ],
  };
  assert.deepEqual(await counts(reads), { none: 2, odpor: 1 });
  const readPost: FakeProgram = {
    actors: [
      { name: "A", code: [{ op: "sem_getvalue", sem: "s", into: "v" }] },
      { name: "P", code: [{ op: "sem_release", sem: "s" }] },
    ],
  };
  assert.deepEqual(await counts(readPost), { none: 2, odpor: 2 });
});

function semProgram(seed: number): FakeProgram {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const actors: FakeActor[] = [];
  const nActors = 2 + Math.floor(next() * 2);
  let reg = 0;
  for (let i = 0; i < nActors; i++) {
    const code: Instr[] = [];
    const n = 1 + Math.floor(next() * 3);
    for (let k = 0; k < n; k++) {
      const sem = pick(["s", "s", "t"]);
      switch (pick(["try", "try", "get", "post", "wait", "store"])) {
        case "try":
          code.push({ op: "sem_trywait", sem, into: `r${reg++}` });
          break;
        case "get":
          code.push({ op: "sem_getvalue", sem, into: `r${reg++}` });
          break;
        case "post":
          code.push({ op: "sem_release", sem });
          break;
        case "wait":
          code.push({ op: "sem_acquire", sem });
          break;
        default:
          code.push({ op: "store", var: "x", value: i + 1 });
      }
    }
    actors.push({ name: `A${i}`, code });
  }
  return { actors, sems: { s: Math.floor(next() * 2) } };
}

Deno.test("random programs of trywaits, getvalues, posts and waits: every reduction finds what exhaustive search finds", async () => {
  let compared = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const program = semProgram(seed);
    const none = new RecordingTarget(new FakeTarget(program));
    const full = await exploreDfs(none);
    compared++;
    const traces = full.verdict === "ok" ? none.traces().size : 0;
    for (const reduction of ["sleep", "sdpor", "odpor"] as DporReduction[]) {
      const recorder = new RecordingTarget(new FakeTarget(program));
      const r = await exploreDpor(recorder, reduction);
      const what = `seed ${seed} ${reduction}`;
      assert.equal(r.verdict, full.verdict, what);
      assert.equal(r.violation?.kind, full.violation?.kind, what);
      if (full.verdict !== "ok") continue;
      assert.deepEqual([...recorder.finals].sort(), [...none.finals].sort(), what);
      if (reduction !== "sdpor") assert.equal(r.stats.executions, traces, what);
    }
  }
  assert.equal(compared, 150);
});
