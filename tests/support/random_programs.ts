/**
 * Small random programs for the fake system (seeded), and a target wrapper that records what
 * each explored execution reached: its final state and its Mazurkiewicz trace. The reduction
 * tests compare the exhaustive search with the reduced ones on many of them.
 */

import { type Point, type Step, transitionOf } from "../../lib/model/transition.ts";
import type { Outcome, Target } from "../../lib/explore/target.ts";
import { directoryOf, type Event, makeEvent } from "../../lib/explore/dpor/event.ts";
import { analyze, traceKey } from "../../lib/explore/dpor/happens_before.ts";
import type { FakeActor, FakeProgram, FakeTarget, Instr } from "./fake_system.ts";

/** mulberry32: a tiny seeded generator, so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Flavour = "memory" | "locks" | "sync" | "mailbox" | "spawn" | "choices" | "mixed";

/** A random program of 2 to 1 + maxActors actors, each with 1 to maxOps operations. */
export function randomProgram(
  seed: number,
  flavour: Flavour,
  maxActors = 2,
  maxOps = 3,
): FakeProgram {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const nActors = 2 + Math.floor(next() * maxActors);
  const vars = ["x", "y"];
  const actors: FakeActor[] = [];
  let regCount = 0;
  const reg = (): string => `r${regCount++}`;
  const kinds: Record<Flavour, string[]> = {
    memory: ["load", "store", "fetch_add", "cas", "yield", "random"],
    locks: ["load", "store", "cs", "trylock", "cs2"],
    sync: ["sem", "cond", "barrier", "store", "load"],
    mailbox: ["send", "recv", "test", "waitany", "store"],
    spawn: ["load", "store", "spawn", "random3"],
    choices: ["load", "store", "random", "random3", "waitany", "send", "cs"],
    mixed: ["load", "store", "cs", "sem", "send", "recv", "random", "cas", "spawn"],
  };
  // Mailbox traffic is balanced per mailbox so that most programs terminate.
  const sends: Record<string, number> = { m: 0, n: 0 };
  const recvs: Record<string, number> = { m: 0, n: 0 };
  let waiters = 0;
  const barrierUsers: number[] = [];
  let semReleases = 0;
  let semAcquires = 0;
  for (let i = 0; i < nActors; i++) {
    const code: Instr[] = [];
    const n = 1 + Math.floor(next() * maxOps);
    for (let k = 0; k < n; k++) {
      const kind = pick(kinds[flavour]);
      const v = pick(vars);
      switch (kind) {
        case "load":
          code.push({ op: "load", var: v, into: reg() });
          break;
        case "store":
          code.push({ op: "store", var: v, value: 1 + Math.floor(next() * 2) });
          break;
        case "fetch_add":
          code.push({ op: "fetch_add", var: v, delta: 1, into: reg() });
          break;
        case "cas":
          code.push({ op: "cas", var: v, expected: 0, desired: i + 1, into: reg() });
          break;
        case "yield":
          code.push({ op: "yield" });
          break;
        case "random": {
          const r = reg();
          code.push({ op: "random", min: 0, max: 1, into: r });
          code.push({ op: "store", var: v, value: (regs) => regs[r] + 5 });
          break;
        }
        case "random3": {
          const r = reg();
          code.push({ op: "random", min: 0, max: 2, into: r });
          code.push({ op: "goto", to: code.length + 2, when: (regs) => regs[r] === 1 });
          code.push({ op: "store", var: v, value: 4 });
          break;
        }
        case "spawn": {
          const w = pick(vars);
          code.push({
            op: "spawn",
            actor: {
              name: `child${i}`,
              code: [{ op: "load", var: w, into: "c" }, { op: "store", var: pick(vars), value: 7 }],
            },
          });
          code.push({ op: "store", var: w, value: 8 });
          break;
        }
        case "cs":
        case "cs2": {
          const m = kind === "cs" ? "a" : pick(["a", "b"]);
          code.push({ op: "lock", mutex: m });
          code.push({ op: "load", var: v, into: reg() });
          if (kind === "cs2" && next() < 0.5) {
            const m2 = m === "a" ? "b" : "a";
            code.push({ op: "lock", mutex: m2 });
            code.push({ op: "store", var: v, value: i + 3 });
            code.push({ op: "unlock", mutex: m2 });
          } else {
            code.push({ op: "store", var: v, value: i + 3 });
          }
          code.push({ op: "unlock", mutex: m });
          break;
        }
        case "trylock": {
          const t = reg();
          const at = code.length;
          code.push({ op: "trylock", mutex: "a", into: t });
          code.push({ op: "goto", to: at + 4, when: (regs) => regs[t] === 0 });
          code.push({ op: "store", var: v, value: 9 });
          code.push({ op: "unlock", mutex: "a" });
          break;
        }
        case "sem":
          if (next() < 0.5) {
            code.push({ op: "sem_acquire", sem: "s" });
            semAcquires++;
          } else {
            code.push({ op: "sem_release", sem: "s" });
            semReleases++;
          }
          break;
        case "cond":
          if (next() < 0.5) {
            // while (!f) cond_wait(c, a), under a.
            const t = reg();
            const at = code.length;
            code.push({ op: "lock", mutex: "a" });
            code.push({ op: "load", var: "f", into: t });
            code.push({ op: "goto", to: at + 5, when: (regs) => regs[t] !== 0 });
            code.push({ op: "cond_wait", cond: "c", mutex: "a" });
            code.push({ op: "goto", to: at + 1 });
            code.push({ op: "unlock", mutex: "a" });
            waiters++;
          } else {
            code.push({ op: "lock", mutex: "a" });
            code.push({ op: "store", var: "f", value: 1 });
            code.push({ op: next() < 0.5 ? "cond_signal" : "cond_broadcast", cond: "c" });
            code.push({ op: "unlock", mutex: "a" });
          }
          break;
        case "barrier":
          if (!barrierUsers.includes(i)) {
            barrierUsers.push(i);
            code.push({ op: "barrier", barrier: "b", into: reg() });
          }
          break;
        case "send": {
          const c = reg();
          const mb = pick(["m", "n"]);
          code.push({ op: "isend", mailbox: mb, value: 10 + i, comm: c });
          code.push({ op: "wait", comm: c });
          sends[mb]++;
          break;
        }
        case "recv": {
          const c = reg();
          const mb = pick(["m", "n"]);
          code.push({ op: "irecv", mailbox: mb, comm: c, into: reg() });
          code.push({ op: "wait", comm: c });
          recvs[mb]++;
          break;
        }
        case "test": {
          const c = reg();
          const t = reg();
          code.push({ op: "irecv", mailbox: "m", comm: c, into: reg() });
          code.push({ op: "test", comm: c, into: t });
          code.push({ op: "goto", to: code.length + 2, when: (regs) => regs[t] === 1 });
          code.push({ op: "wait", comm: c });
          recvs.m++;
          break;
        }
        case "waitany": {
          const c1 = reg();
          const c2 = reg();
          code.push({ op: "irecv", mailbox: "m", comm: c1, into: reg() });
          code.push({ op: "irecv", mailbox: "n", comm: c2, into: reg() });
          code.push({ op: "waitany", comms: [c1, c2], into: reg() });
          code.push({ op: "waitany", comms: [c1, c2], into: reg() });
          recvs.m++;
          recvs.n++;
          break;
        }
      }
    }
    actors.push({ name: `a${i}`, code });
  }
  // Balance: an extra actor posts what is missing, so that most programs can finish.
  const extra: Instr[] = [];
  for (const mb of ["m", "n"]) {
    for (; sends[mb] < recvs[mb]; sends[mb]++) {
      extra.push({ op: "isend", mailbox: mb, value: 7, comm: `e${extra.length}` });
    }
    for (; recvs[mb] < sends[mb]; recvs[mb]++) {
      const k = extra.length;
      extra.push({ op: "irecv", mailbox: mb, comm: `e${k}`, into: `g${k}` });
    }
  }
  for (; semReleases < semAcquires; semReleases++) extra.push({ op: "sem_release", sem: "s" });
  if (waiters > 0) {
    extra.push({ op: "lock", mutex: "a" });
    extra.push({ op: "store", var: "f", value: 1 });
    extra.push({ op: "cond_broadcast", cond: "c" });
    extra.push({ op: "unlock", mutex: "a" });
  }
  if (extra.length > 0) actors.push({ name: "extra", code: extra });
  return { actors, barriers: { b: Math.max(barrierUsers.length, 1) } };
}

/**
 * Wraps a FakeTarget and records every completed execution: its final state, its steps and its
 * events (as the DPOR explorers build them), from which `traces` counts Mazurkiewicz traces.
 */
export class RecordingTarget implements Target {
  readonly finals = new Set<string>();
  /** Every completed execution: its steps and its events. */
  readonly runs: { steps: Step[]; events: Event[]; tag: string }[] = [];
  /** Set by a test on each run recorded (a parallel job's attempt, tests/parallel_test.ts). */
  tag = "";
  private points: Point[] = [];
  private steps: Step[] = [];

  /** `keep`: a new start does not forget the runs (a parallel worker starts once per job). */
  constructor(private readonly inner: FakeTarget, private readonly keep = false) {}

  get names(): Target["names"] {
    return this.inner.names;
  }
  get counters(): Target["counters"] {
    return this.inner.counters;
  }

  /** A search begins (or begins again, when a DPOR search starts over): forget the last one. */
  async start(): Promise<Outcome> {
    this.points = [];
    this.steps = [];
    if (!this.keep) {
      this.finals.clear();
      this.runs.length = 0;
    }
    return this.note(await this.inner.start());
  }

  async execute(step: Step): Promise<Outcome> {
    this.steps.push(step);
    return this.note(await this.inner.execute(step));
  }

  async restore(path: readonly Step[]): Promise<void> {
    await this.inner.restore(path);
    this.steps = [...path];
    this.points.length = path.length + 1;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  stateHash(): bigint | null {
    return this.inner.stateHash();
  }

  /**
   * How many completed executions each trace had, by trace. Steps of the actors that created
   * actors in any execution are dependent, as in the explorers.
   */
  traces(runs = this.runs, spawners = spawnersOf(runs)): Map<string, number> {
    const out = new Map<string, number>();
    for (const run of runs) {
      const events: Event[] = [];
      run.events.forEach((e, k) => {
        events.push(
          makeEvent(
            e.transition,
            run.steps[k].choice,
            directoryOf(events),
            e.created,
            spawners.has(e.actor),
          ),
        );
      });
      const key = traceKey(analyze(events));
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }

  private note(o: Outcome): Outcome {
    if (o.kind === "point") this.points[this.steps.length] = o.point;
    if (o.kind === "done") {
      this.finals.add(this.inner.finalState());
      this.runs.push({ steps: [...this.steps], events: this.events(o), tag: this.tag });
    }
    return o;
  }

  private events(end: Outcome): Event[] {
    const events: Event[] = [];
    this.steps.forEach((step, k) => {
      const before = this.points[k];
      const after = k + 1 < this.steps.length
        ? this.points[k + 1]
        : end.kind === "point"
        ? end.point
        : null;
      const known = new Set(before.transitions.map((t) => t.actor));
      const created = after === null
        ? []
        : after.transitions.map((t) => t.actor).filter((a) => !known.has(a));
      events.push(
        makeEvent(transitionOf(before, step.actor)!, step.choice, directoryOf(events), created),
      );
    });
    return events;
  }
}

/** The actors seen creating actors in `runs` (their steps are all dependent, as in the explorers). */
export function spawnersOf(runs: readonly { events: readonly Event[] }[]): Set<number> {
  return new Set(
    runs.flatMap((r) => r.events.filter((e) => e.created.length > 0).map((e) => e.actor)),
  );
}
