/**
 * An in-memory transition system that behaves like a program under the isomc runtime: actors
 * run small instruction lists; visible instructions are transitions (reported with the same
 * kinds, objects and enabledness rules as the runtime), local ones (asserts, register moves)
 * run atomically after the transition before them. The exploration algorithms are unit-tested
 * on it without any process.
 */

import {
  newCounters,
  type Outcome,
  type Target,
  type TargetCounters,
} from "../../lib/explore/target.ts";
import {
  Kind,
  type NameTable,
  type Point,
  type Step,
  type Transition,
} from "../../lib/model/transition.ts";

export type Regs = Record<string, number>;
export type Vars = Record<string, number>;

export type Instr =
  | { op: "yield" }
  | { op: "random"; min: number; max: number; into?: string }
  | { op: "store"; var: string; value: number | ((regs: Regs) => number) }
  | { op: "load"; var: string; into?: string }
  | { op: "fetch_add"; var: string; delta: number; into?: string }
  | { op: "lock"; mutex: string }
  | { op: "unlock"; mutex: string }
  // Local (not transitions): run right after the transition before them.
  | { op: "assert"; check: (regs: Regs) => boolean; message: string }
  | { op: "crash"; when?: (regs: Regs) => boolean };

export interface FakeActor {
  readonly name: string;
  readonly code: readonly Instr[];
}

export interface FakeProgram {
  readonly actors: readonly FakeActor[];
  readonly vars?: Readonly<Vars>;
}

interface ActorState {
  pc: number;
  regs: Regs;
}

interface State {
  actors: ActorState[];
  vars: Vars;
  owners: Record<string, number>;
}

/** Objects get stable ids: variables are "addresses" 0x1000 + 8*i, mutexes 1, 2, 3... */
function objectIds(
  program: FakeProgram,
): { vars: Map<string, number>; mutexes: Map<string, number> } {
  const vars = new Map<string, number>();
  const mutexes = new Map<string, number>();
  for (const a of program.actors) {
    for (const i of a.code) {
      if ((i.op === "store" || i.op === "load" || i.op === "fetch_add") && !vars.has(i.var)) {
        vars.set(i.var, 0x1000 + 8 * vars.size);
      }
      if ((i.op === "lock" || i.op === "unlock") && !mutexes.has(i.mutex)) {
        mutexes.set(i.mutex, mutexes.size + 1);
      }
    }
  }
  return { vars, mutexes };
}

const visibleOps = new Set(["yield", "random", "store", "load", "fetch_add", "lock", "unlock"]);

export class FakeTarget implements Target {
  readonly names: NameTable;
  readonly counters: TargetCounters = newCounters();
  private state: State;
  private readonly ids: ReturnType<typeof objectIds>;
  /** Every step this target executed, restores included (for tests). */
  executedSteps = 0;

  constructor(private readonly program: FakeProgram) {
    this.ids = objectIds(program);
    this.names = {
      actors: new Map(program.actors.map((a, i) => [i + 1, a.name])),
      objects: new Map(),
    };
    this.state = this.initial();
  }

  private initial(): State {
    return {
      actors: this.program.actors.map(() => ({ pc: 0, regs: {} })),
      vars: { ...(this.program.vars ?? {}) },
      owners: {},
    };
  }

  start(): Promise<Outcome> {
    this.state = this.initial();
    for (let i = 0; i < this.program.actors.length; i++) {
      const v = this.runLocal(i);
      if (v !== null) return Promise.resolve(v);
    }
    return Promise.resolve(this.outcome());
  }

  execute(step: Step): Promise<Outcome> {
    return Promise.resolve(this.apply(step));
  }

  async restore(path: readonly Step[]): Promise<void> {
    this.counters.restarts++;
    this.counters.replayedSteps += path.length;
    await this.start();
    for (const step of path) {
      const o = this.apply(step);
      if (o.kind !== "point") throw new Error("restore through a terminal state");
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private apply(step: Step): Outcome {
    this.executedSteps++;
    const index = step.actor - 1;
    const a = this.state.actors[index];
    const instr = this.program.actors[index].code[a.pc];
    const t = this.transition(index);
    if (t === null || !t.enabled || step.choice >= t.choices) {
      throw new Error(`step ${JSON.stringify(step)} is not enabled`);
    }
    const s = this.state;
    switch (instr.op) {
      case "yield":
        break;
      case "random":
        if (instr.into) a.regs[instr.into] = instr.min + step.choice;
        break;
      case "store":
        s.vars[instr.var] = typeof instr.value === "function" ? instr.value(a.regs) : instr.value;
        break;
      case "load":
        if (instr.into) a.regs[instr.into] = s.vars[instr.var] ?? 0;
        break;
      case "fetch_add":
        if (instr.into) a.regs[instr.into] = s.vars[instr.var] ?? 0;
        s.vars[instr.var] = (s.vars[instr.var] ?? 0) + instr.delta;
        break;
      case "lock":
        s.owners[instr.mutex] = step.actor;
        break;
      case "unlock":
        delete s.owners[instr.mutex];
        break;
      default:
        throw new Error(`${instr.op} is not a transition`);
    }
    a.pc++;
    return this.runLocal(index) ?? this.outcome();
  }

  /** Runs the actor's local instructions up to its next visible one. */
  private runLocal(index: number): Outcome | null {
    const a = this.state.actors[index];
    const code = this.program.actors[index].code;
    while (a.pc < code.length && !visibleOps.has(code[a.pc].op)) {
      const instr = code[a.pc];
      if (instr.op === "assert" && !instr.check(a.regs)) {
        return {
          kind: "violation",
          violation: { kind: "assertion", message: instr.message, actor: index + 1 },
        };
      }
      if (instr.op === "crash" && (instr.when?.(a.regs) ?? true)) {
        return {
          kind: "violation",
          violation: { kind: "crash", message: "SIGSEGV", actor: index + 1 },
        };
      }
      a.pc++;
    }
    return null;
  }

  private transition(index: number): Transition | null {
    const a = this.state.actors[index];
    const instr = this.program.actors[index].code[a.pc];
    if (instr === undefined) return null;
    const base = {
      actor: index + 1,
      enabled: true,
      ready: false,
      choices: 1,
      object: 0,
      arg0: 0n,
      arg1: 0n,
      extras: [],
    };
    switch (instr.op) {
      case "yield":
        return { ...base, kind: Kind.yield };
      case "random":
        return {
          ...base,
          kind: Kind.random,
          choices: instr.max - instr.min + 1,
          arg0: BigInt(instr.min),
          arg1: BigInt(instr.max),
        };
      case "store":
        return { ...base, kind: Kind.store, object: this.ids.vars.get(instr.var)! };
      case "load":
        return { ...base, kind: Kind.load, object: this.ids.vars.get(instr.var)! };
      case "fetch_add":
        return {
          ...base,
          kind: Kind.fetchAdd,
          object: this.ids.vars.get(instr.var)!,
          arg0: BigInt(instr.delta),
        };
      case "lock": {
        const owner = this.state.owners[instr.mutex] ?? 0;
        return {
          ...base,
          kind: Kind.mutexLock,
          object: this.ids.mutexes.get(instr.mutex)!,
          enabled: owner === 0,
          arg0: BigInt(owner),
        };
      }
      case "unlock":
        return { ...base, kind: Kind.mutexUnlock, object: this.ids.mutexes.get(instr.mutex)! };
      default:
        return null;
    }
  }

  private outcome(): Outcome {
    const transitions: Transition[] = [];
    for (let i = 0; i < this.state.actors.length; i++) {
      const t = this.transition(i);
      if (t !== null) transitions.push(t);
    }
    if (transitions.length === 0) return { kind: "done" };
    const point: Point = { steps: 0, transitions };
    return { kind: "point", point };
  }

  /** The shared variables, for assertions on final states. */
  get vars(): Readonly<Vars> {
    return this.state.vars;
  }
}

/** n actors each doing `k` yields. */
export function yields(n: number, k: number): FakeProgram {
  return {
    actors: Array.from({ length: n }, (_, i) => ({
      name: `y${i}`,
      code: Array.from({ length: k }, () => ({ op: "yield" as const })),
    })),
  };
}
