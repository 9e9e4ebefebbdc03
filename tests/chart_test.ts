/**
 * The chart of a counterexample (lib/report/chart.ts, chart_svg.ts) on small hand-made traces:
 * its structure (lifelines, rows, arrows, lock and wait spans, marks, the cycle), coordinates
 * that grow down the steps and across the actors, every text escaped, well-formed and the same
 * bytes each time; a trace written before structured steps still draws.
 */

import assert from "node:assert/strict";
import type { TraceStep } from "../lib/explore/result.ts";
import { Kind, type NameTable, type Transition } from "../lib/model/transition.ts";
import { layoutChart } from "../lib/report/chart.ts";
import { chartSvg } from "../lib/report/chart_svg.ts";
import { escapeXml, num } from "../lib/report/svg.ts";
import type { TraceFile, TraceViolationJson } from "../lib/report/trace.ts";
import { blockedJson, traceStepsJson } from "../lib/report/trace_steps.ts";
import { transition } from "./support/transitions.ts";

const M = 2 ** 52 + 1;
const MUTEX = 1;

const t = transition;

const step = (transition: Transition, choice = 0): TraceStep => ({
  step: { actor: transition.actor, choice },
  transition,
});

const names: NameTable = {
  actors: new Map([[1, "alice"], [2, "bob"], [3, "carol"]]),
  objects: new Map([[M, "box"]]),
};

function traceOf(steps: readonly TraceStep[], violation: TraceViolationJson | null): TraceFile {
  return {
    format: "isomc-trace",
    version: 1,
    program: ["./app"],
    violation,
    timeout_ms: 10_000,
    steps: traceStepsJson(
      steps,
      names,
      (site) =>
        site > 0 ? { file: "app.c", path: "/src/app.c", line: site, function: "f" } : undefined,
    ),
  };
}

/** Tags balance: every element opened is closed, in order. */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing === "/") continue;
    if (closing === "/") {
      if (stack.pop() !== name) return false;
    } else {
      stack.push(name);
    }
  }
  return stack.length === 0;
}

const count = (svg: string, cls: string): number =>
  [...svg.matchAll(new RegExp(`class="${cls}"`, "g"))].length;

function increasing(xs: readonly number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]);
}

/** alice locks, sends to bob, bob receives; alice unlocks; bob locks; bob crashes. */
const exchange = [
  step(t(1, Kind.mutexLock, { object: MUTEX, site: 3 })), // 1
  step(t(1, Kind.isend, { object: M, arg0: 5n, arg1: 8n, site: 4 })), // 2
  step(t(2, Kind.irecv, { object: M, arg0: 6n, arg1: 8n, site: 10 })), // 3
  step(t(2, Kind.wait, { object: 6, arg0: BigInt(M), arg1: 1n, ready: true, site: 10 })), // 4
  step(t(1, Kind.wait, { object: 5, arg0: BigInt(M), ready: true, site: 4 })), // 5
  step(t(1, Kind.mutexUnlock, { object: MUTEX, arg0: 1n, site: 5 })), // 6
  step(t(2, Kind.mutexLock, { object: MUTEX, site: 11 })), // 7
];

Deno.test("a message, two locks, two waits, and the failing step of a crash", () => {
  const trace = traceOf(exchange, { kind: "crash", message: "SIGSEGV", actor: "bob" });
  const c = layoutChart(trace);
  assert.deepEqual(c.lifelines.map((l) => l.name), ["alice", "bob"]);
  assert.ok(increasing(c.lifelines.map((l) => l.x)));
  assert.ok(increasing(c.rows.map((r) => r.y)));
  assert.ok(c.rows.every((r, i) => r.x === c.lifelines[exchange[i].step.actor - 1].x));
  assert.deepEqual(c.rows.map((r) => r.source), [
    "app.c:3",
    "app.c:4",
    "app.c:10",
    "app.c:10",
    "app.c:4",
    "app.c:5",
    "app.c:11",
  ]);
  assert.deepEqual(c.rows.map((r) => r.failing), [false, false, false, false, false, false, true]);
  // The message goes from alice's send (step 2) to where bob's receive completed (step 4).
  assert.equal(c.arrows.length, 1);
  const [a] = c.arrows;
  assert.deepEqual([a.fromStep, a.toStep, a.label], [2, 4, "box"]);
  assert.deepEqual([a.x1, a.y1, a.x2, a.y2], [c.rows[1].x, c.rows[1].y, c.rows[3].x, c.rows[3].y]);
  const locks = c.spans.filter((s) => s.kind === "lock");
  assert.deepEqual(locks.map((s) => [s.x, s.y1, s.y2, s.open, s.label]), [
    [c.lifelines[0].x, c.rows[0].y, c.rows[5].y, false, "mutex 1"],
    [c.lifelines[1].x, c.rows[6].y, c.endY, true, "mutex 1"],
  ]);
  const waits = c.spans.filter((s) => s.kind === "wait");
  assert.deepEqual(waits.map((s) => [s.label, s.y1, s.y2]), [
    ["send", c.rows[1].y, c.rows[4].y],
    ["receive", c.rows[2].y, c.rows[3].y],
  ]);
  assert.deepEqual(c.marks.map((m) => [m.kind, m.x, m.text]), [[
    "violation",
    c.lifelines[1].x,
    "crash",
  ]]);
  assert.ok(c.endY > c.rows[6].y && c.messageY > c.endY && c.height > c.messageY);
  assert.deepEqual(c.message, ["crash in bob: SIGSEGV"]);
  assert.equal(c.cycle, null);

  const svg = chartSvg(trace);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(wellFormed(svg));
  assert.equal(count(svg, "lifeline"), 2);
  assert.equal(count(svg, "step") + count(svg, "step failing"), 7);
  assert.equal(count(svg, "step failing"), 1);
  assert.equal(count(svg, "arrow"), 1);
  assert.equal(count(svg, "lock"), 2);
  assert.equal(count(svg, "wait"), 2);
  assert.equal(count(svg, "mark violation"), 1);
  assert.equal(svg, chartSvg(trace), "the same trace, the same bytes");
});

Deno.test("a deadlock: each blocked actor marked at its wait, one that never stepped too", () => {
  const blocked = [
    t(1, Kind.mutexLock, { object: 2, arg0: 2n, enabled: false, site: 7 }),
    t(2, Kind.mutexLock, { object: 1, arg0: 1n, enabled: false, site: 8 }),
    t(3, Kind.wait, { object: 9, arg0: BigInt(M), enabled: false }),
  ];
  const steps = [
    step(t(1, Kind.mutexLock, { object: 1 })),
    step(t(2, Kind.mutexLock, { object: 2 })),
  ];
  const trace = traceOf(steps, {
    kind: "deadlock",
    message: "every unfinished actor is blocked",
    actor: null,
    blocked: blockedJson(blocked, names, (site) => ({ file: "d.c", path: "/d.c", line: site })),
  });
  const c = layoutChart(trace);
  assert.deepEqual(c.lifelines.map((l) => l.name), ["alice", "bob", "carol"]);
  assert.deepEqual(c.rows.map((r) => r.failing), [false, false], "no step failed");
  assert.deepEqual(
    c.marks.map((m) => [m.kind, m.x, m.text]),
    (trace.violation?.blocked ?? []).map((b, i) => [
      "blocked",
      c.lifelines[i].x,
      `waits: ${b.transition}`,
    ]),
  );
  assert.match(
    c.marks[0].detail,
    /^alice waits at mutex_lock\(mutex 2\) \(d\.c:7\): the mutex is held by bob$/,
  );
  // Both locks are still held at the end.
  assert.deepEqual(c.spans.map((s) => [s.kind, s.open]), [["lock", true], ["lock", true]]);
  assert.notEqual(c.spans[0].shade, c.spans[1].shade, "two mutexes, two colours");
  const svg = chartSvg(trace);
  assert.equal(count(svg, "mark blocked"), 3);
  assert.ok(wellFormed(svg));
});

Deno.test("cond_wait and barrier_wait: a wait span from the first half to the second", () => {
  const steps = [
    step(t(1, Kind.mutexLock, { object: 1 })), // 1
    step(t(1, Kind.condWait, { object: 3, arg0: 1n })), // 2: releases mutex 1
    step(t(2, Kind.condSignal, { object: 3, arg0: 1n })), // 3
    step(t(1, Kind.condWake, { object: 3, arg0: 1n })), // 4: takes mutex 1 back
    step(t(1, Kind.mutexUnlock, { object: 1 })), // 5
    step(t(1, Kind.barrierArrive, { object: 4, arg0: 2n, arg1: 0n })), // 6
    step(t(2, Kind.barrierArrive, { object: 4, arg0: 2n, arg1: 1n })), // 7
    step(t(1, Kind.barrierLeave, { object: 4 })), // 8
  ];
  const c = layoutChart(traceOf(steps, { kind: "assertion", message: "x", actor: "bob" }));
  const y = (n: number): number => c.rows[n - 1].y;
  assert.deepEqual(c.spans.map((s) => [s.kind, s.label, s.y1, s.y2, s.open]), [
    ["lock", "mutex 1", y(1), y(2), false],
    ["lock", "mutex 1", y(4), y(5), false],
    ["wait", "cond_wait", y(2), y(4), false],
    ["wait", "barrier", y(6), y(8), false],
  ]);
  // bob's barrier arrival has no leave in the trace, and bob is not blocked: no span.
  assert.equal(c.marks[0].x, c.lifelines[1].x, "the assertion is bob's");
});

Deno.test("a lasso: the cycle bracketed from its first step to the last, no failing step", () => {
  const steps = [
    step(t(1, Kind.yield)),
    step(t(2, Kind.store, { object: 0x10, arg0: 1n })),
    step(t(1, Kind.yield)),
    step(t(2, Kind.store, { object: 0x10, arg0: 0n })),
  ];
  const liveness = (cycle: number): TraceViolationJson => ({
    kind: "liveness",
    message: "an execution that violates G F done",
    actor: null,
    cycle_start: cycle,
    formula: "G F done",
  });
  const c = layoutChart(traceOf(steps, liveness(2)));
  assert.ok(c.cycle !== null);
  assert.equal(c.cycle.fromStep, 3);
  assert.ok(c.cycle.y1 < c.rows[2].y && c.rows[2].y - c.cycle.y1 < 30);
  assert.ok(c.cycle.y2 > c.rows[3].y && c.cycle.y2 < c.endY);
  assert.ok(c.rows.every((r) => !r.failing));
  assert.deepEqual(c.marks, []);
  assert.ok(c.gutter.numberX > 28, "room for the bracket");
  const svg = chartSvg(traceOf(steps, liveness(2)));
  assert.equal(count(svg, "cycle"), 1);
  // A run that ends, its last state repeated: no bracket, a mark.
  const stutter = layoutChart(traceOf(steps, { ...liveness(4), stutter: true }));
  assert.equal(stutter.cycle, null);
  assert.deepEqual(stutter.marks.map((m) => m.kind), ["stutter"]);
});

Deno.test("every text is escaped: names, transitions, messages, control characters", () => {
  const evil = '<b onload="x">&\'\x1b[31m';
  const trace: TraceFile = {
    format: "isomc-trace",
    version: 1,
    program: [],
    violation: { kind: "assertion", message: `</svg><script>${evil}`, actor: evil },
    timeout_ms: 10_000,
    steps: [{
      step: 1,
      actor: 1,
      choice: 0,
      actor_name: evil,
      transition: `</text>${evil}`,
      source: evil,
    }],
  };
  const svg = chartSvg(trace);
  assert.ok(wellFormed(svg));
  assert.doesNotMatch(svg, /<b |<script|<\/svg></);
  assert.ok(!svg.includes("\x1b"), "no raw control character");
  assert.ok(svg.includes(escapeXml(evil)));
  assert.ok(svg.includes("&lt;b onload=&quot;x&quot;&gt;&amp;&#39;\\x1b[31m"));
  assert.equal(num(1 / 3), "0.3");
  assert.equal(num(-0.01), "0");
  assert.throws(() => num(NaN), RangeError);
});

Deno.test("a trace written before structured steps: lifelines and rows, nothing more", () => {
  const trace: TraceFile = {
    format: "isomc-trace",
    version: 1,
    program: ["./old"],
    violation: { kind: "exit", message: "actor b called exit(3)", actor: "b" },
    timeout_ms: 10_000,
    steps: [
      {
        step: 1,
        actor: 2,
        choice: 0,
        actor_name: "b",
        transition: "isend(mailbox 'm', 1 bytes) -> comm 1",
      },
      { step: 2, actor: 1, choice: 0, actor_name: "a", transition: "mutex_lock(mutex 1)" },
    ],
  };
  const c = layoutChart(trace);
  assert.deepEqual(c.lifelines.map((l) => l.name), ["a", "b"], "by actor id");
  assert.deepEqual([c.arrows.length, c.spans.length], [0, 0]);
  assert.deepEqual(c.rows.map((r) => r.source), [undefined, undefined]);
  assert.equal(c.marks[0].x, c.lifelines[1].x);
  assert.ok(wellFormed(chartSvg(trace)));
  // A violation without steps, in main: one lifeline, the mark on it.
  const bare = layoutChart({
    ...trace,
    steps: [],
    violation: { kind: "assertion", message: "m", actor: "main" },
  });
  assert.deepEqual(bare.lifelines.map((l) => l.name), ["main"]);
  assert.equal(bare.marks[0].x, bare.lifelines[0].x);
});
