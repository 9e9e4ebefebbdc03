/**
 * An in-memory transition system that behaves like a program under the isomc runtime: actors
 * run small instruction lists; visible instructions are transitions (reported with the same
 * kinds, objects, arguments, enabledness and choices as native/src/runtime/transitions.zig),
 * local ones (asserts, register moves, jumps, actor creation) run atomically after the
 * transition before them. The exploration algorithms are unit-tested on it without any process.
 * For the liveness search it has propositions (true when a variable is non-zero, as
 * isomc_prop), progress markers (a local `progress` instruction) and a state hash.
 */

import {
  type AheadHint,
  forecastStep,
  newCounters,
  type Outcome,
  type PropositionValues,
  type Target,
  type TargetCounters,
} from "../../lib/explore/target.ts";
import {
  Kind,
  type NameTable,
  type Point,
  type Step,
  type Transition,
  type WaitanyComm,
  type WindowEvent,
} from "../../lib/model/transition.ts";

export type Regs = Record<string, number>;
export type Vars = Record<string, number>;

/** A value fixed in the program, or computed from the actor's registers when it runs. */
export type Value = number | ((regs: Regs) => number);
/** A variable name fixed in the program, or computed from the registers (arrays). */
export type VarName = string | ((regs: Regs) => string);

export type Instr =
  | { op: "yield" }
  | { op: "random"; min: number; max: number; into?: string }
  | { op: "store"; var: VarName; value: Value }
  | { op: "load"; var: VarName; into?: string }
  | { op: "fetch_add"; var: VarName; delta: number; into?: string }
  | { op: "cas"; var: VarName; expected: Value; desired: Value; into?: string }
  | { op: "lock"; mutex: string }
  | { op: "trylock"; mutex: string; into?: string }
  | { op: "unlock"; mutex: string }
  | { op: "sem_acquire"; sem: string }
  | { op: "sem_release"; sem: string }
  /** Takes the semaphore if positive (1 into `into`), else 0; always enabled. */
  | { op: "sem_trywait"; sem: string; into?: string }
  /** Reads the semaphore's value into `into`. */
  | { op: "sem_getvalue"; sem: string; into?: string }
  /** Two transitions: cond_wait (releases the mutex), then its wake-up (takes it back). */
  | { op: "cond_wait"; cond: string; mutex: string }
  | { op: "cond_signal"; cond: string }
  | { op: "cond_broadcast"; cond: string }
  /** Two transitions: arrive, then leave once the round is complete. */
  | { op: "barrier"; barrier: string; into?: string }
  /** Posts a send of `value`; the comm handle goes into register `comm`. */
  | { op: "isend"; mailbox: string; value: Value; comm: string }
  /** Posts a receive; the value lands in register `into` when the comm completes. */
  | { op: "irecv"; mailbox: string; comm: string; into?: string }
  | { op: "wait"; comm: string }
  | { op: "test"; comm: string; into?: string }
  /** Registers holding comms (0 = NULL); the chosen one is set to 0, its index goes in `into`. */
  | { op: "waitany"; comms: readonly string[]; into?: string }
  // Local (not transitions): run right after the transition before them.
  | { op: "assert"; check: (regs: Regs) => boolean; message: string }
  /**
   * __VERIFIER_assume: local when `check` holds; else the actor is blocked there for ever, a
   * transition of kind assume that is never enabled (native/src/runtime/svcomp.zig).
   */
  | { op: "assume"; check: (regs: Regs) => boolean }
  | { op: "crash"; when?: (regs: Regs) => boolean }
  /** An isomc_progress() marker: the state after this transition is a progress state. */
  | { op: "progress" }
  | { op: "set"; reg: string; value: Value }
  /** Jumps to instruction index `to` (when `when` holds, or always). */
  | { op: "goto"; to: number; when?: (regs: Regs) => boolean }
  /** Creates an actor; it starts at the end of the creator's current transition. */
  | { op: "spawn"; actor: FakeActor }
  /**
   * A plain access under --memory=sync: no transition, reported in the window of the point
   * that follows (with the creations among such accesses), as the runtime reports them.
   */
  | { op: "plain"; var: VarName; write: boolean };

export interface FakeActor {
  readonly name: string;
  readonly code: readonly Instr[];
}

export interface FakeProgram {
  readonly actors: readonly FakeActor[];
  readonly vars?: Readonly<Vars>;
  /** Initial semaphore values (0 when absent). */
  readonly sems?: Readonly<Record<string, number>>;
  /** Barrier sizes (every barrier used must be listed). */
  readonly barriers?: Readonly<Record<string, number>>;
  /** Propositions: each is true when its variable is non-zero (as isomc_prop on an int). */
  readonly props?: Readonly<Record<string, string>>;
}

interface ActorState {
  readonly code: readonly Instr[];
  pc: number;
  regs: Regs;
  /** Second phase of cond_wait / barrier pending. */
  phase: 0 | 1;
  signalled: boolean;
  /** Barrier round this actor arrived in. */
  round: number;
}

interface Comm {
  readonly owner: number;
  readonly side: "send" | "recv";
  readonly mailbox: string;
  matched: boolean;
  value: number;
  readonly into?: string;
}

interface State {
  actors: ActorState[];
  vars: Vars;
  owners: Record<string, number>;
  sems: Record<string, number>;
  waiters: Record<string, number[]>;
  barriers: Record<string, { arrived: number; round: number }>;
  queues: Record<string, { sends: number[]; recvs: number[] }>;
  comms: Map<number, Comm>;
  /** The last transition (or the start) ran an isomc_progress() marker. */
  progressed: boolean;
}

type ObjectKind = "mutex" | "sem" | "cond" | "barrier" | "mailbox";

/** Mutexes get ids 1, 2, 3... in order of first appearance; other kinds their own ranges. */
const idBase: Record<ObjectKind, number> = {
  mutex: 1,
  sem: 1001,
  cond: 2001,
  barrier: 3001,
  mailbox: 4001,
};

function objectsOf(instr: Instr): [ObjectKind, string][] {
  switch (instr.op) {
    case "lock":
    case "trylock":
    case "unlock":
      return [["mutex", instr.mutex]];
    case "sem_acquire":
    case "sem_release":
    case "sem_trywait":
    case "sem_getvalue":
      return [["sem", instr.sem]];
    case "cond_wait":
      return [["cond", instr.cond], ["mutex", instr.mutex]];
    case "cond_signal":
    case "cond_broadcast":
      return [["cond", instr.cond]];
    case "barrier":
      return [["barrier", instr.barrier]];
    case "isend":
    case "irecv":
      return [["mailbox", instr.mailbox]];
    case "spawn":
      return instr.actor.code.flatMap(objectsOf);
    default:
      return [];
  }
}

function fixedVarsOf(instr: Instr): string[] {
  switch (instr.op) {
    case "store":
    case "load":
    case "fetch_add":
    case "cas":
    case "plain":
      return typeof instr.var === "string" ? [instr.var] : [];
    case "spawn":
      return instr.actor.code.flatMap(fixedVarsOf);
    default:
      return [];
  }
}

function valueOf(v: Value, regs: Regs): number {
  return typeof v === "function" ? v(regs) : v;
}

const alwaysLocal = new Set(["assert", "crash", "set", "goto", "spawn", "progress", "plain"]);

export class FakeTarget implements Target {
  readonly names: NameTable;
  readonly counters: TargetCounters = newCounters();
  private state: State;
  private readonly actorNames = new Map<number, string>();
  /** Variables are "addresses" 0x1000 + 8*i, in order of first appearance (stable per target). */
  private readonly addresses = new Map<string, number>();
  private readonly objects = new Map<string, number>();
  private readonly pendingStarts: number[] = [];
  /** The window of the last step (or of the start): plain accesses and creations, in order. */
  private window: WindowEvent[] = [];
  private propNames: string[] | undefined;
  /** Every step this target executed, restores included (for tests). */
  executedSteps = 0;

  constructor(private readonly program: FakeProgram) {
    const count: Record<ObjectKind, number> = { mutex: 0, sem: 0, cond: 0, barrier: 0, mailbox: 0 };
    for (const a of program.actors) {
      for (const i of a.code) {
        for (const [kind, name] of objectsOf(i)) {
          const key = `${kind}:${name}`;
          if (!this.objects.has(key)) this.objects.set(key, idBase[kind] + count[kind]++);
        }
        for (const v of fixedVarsOf(i)) this.address(v);
      }
    }
    this.names = { actors: this.actorNames, objects: new Map() };
    this.state = this.initial();
  }

  private address(name: string): number {
    let a = this.addresses.get(name);
    if (a === undefined) {
      a = 0x1000 + 8 * this.addresses.size;
      this.addresses.set(name, a);
    }
    return a;
  }

  private id(kind: ObjectKind, name: string): number {
    const id = this.objects.get(`${kind}:${name}`);
    if (id === undefined) throw new Error(`fake: unknown ${kind} '${name}'`);
    return id;
  }

  private initial(): State {
    this.actorNames.clear();
    this.program.actors.forEach((a, i) => this.actorNames.set(i + 1, a.name));
    return {
      actors: this.program.actors.map((a) => this.newActor(a)),
      vars: { ...(this.program.vars ?? {}) },
      owners: {},
      sems: { ...(this.program.sems ?? {}) },
      waiters: {},
      barriers: {},
      queues: {},
      comms: new Map(),
      progressed: false,
    };
  }

  private newActor(a: FakeActor): ActorState {
    return { code: a.code, pc: 0, regs: {}, phase: 0, signalled: false, round: 0 };
  }

  start(): Promise<Outcome> {
    this.forecast = null;
    this.forecastAt = null;
    this.depth = 0;
    this.state = this.initial();
    this.pendingStarts.length = 0;
    this.window = [];
    for (let i = 0; i < this.state.actors.length; i++) {
      const v = this.runLocal(i);
      if (v !== null) return Promise.resolve(v);
    }
    return Promise.resolve(this.startCreated() ?? this.outcome());
  }

  /**
   * The explorers' forecasts (Target.execute's AheadHint), checked as a target that runs ahead
   * would follow them: steps taken as forecast, and steps taken where the forecast said
   * otherwise (a real target's mispredictions; the stops of the rule are neither).
   */
  aheadFollowed = 0;
  aheadMissed = 0;
  /** Of aheadFollowed, the steps a forecast knew (AheadHint.steps), not the rule's. */
  knownFollowed = 0;
  private forecast: AheadHint | null = null;
  private forecastAt: Point | null = null;
  /** Steps taken as `forecast` said since it was given. */
  private forecastTaken = 0;
  private depth = 0;

  execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    const f = this.forecast;
    const predicted = f === null || this.forecastAt === null || this.depth >= f.maxDepth
      ? null
      : forecastStep(f, this.forecastTaken, this.forecastAt);
    const followed = predicted !== null && predicted.actor === step.actor &&
      predicted.choice === step.choice;
    if (followed) {
      this.aheadFollowed++;
      this.forecastTaken++;
      if (f!.steps !== undefined && this.forecastTaken <= f!.steps.length) this.knownFollowed++;
    } else if (predicted !== null) this.aheadMissed++;
    // Within a batch the first forecast holds (its sleepers cover those below).
    if (!followed) {
      // A hint holds during the call only (AheadHint): what it says is copied now.
      this.forecast = ahead === undefined
        ? null
        : { steps: ahead.steps, asleep: ahead.asleep, maxDepth: ahead.maxDepth };
      this.forecastTaken = 0;
    }
    const outcome = this.apply(step);
    this.depth++;
    this.forecastAt = outcome.kind === "point" ? outcome.point : null;
    return Promise.resolve(outcome);
  }

  async restore(path: readonly Step[]): Promise<void> {
    this.counters.restarts++;
    this.counters.replayedSteps += path.length;
    await this.start();
    for (const step of path) {
      const o = this.apply(step);
      if (o.kind !== "point") throw new Error("restore through a terminal state");
    }
    this.depth = path.length;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private varOf(name: VarName, regs: Regs): string {
    return typeof name === "function" ? name(regs) : name;
  }

  private apply(step: Step): Outcome {
    this.executedSteps++;
    this.window = [];
    const index = step.actor - 1;
    const a = this.state.actors[index];
    const t = a === undefined ? null : this.transition(index);
    if (t === null || !t.enabled || step.choice >= t.choices) {
      throw new Error(`step ${JSON.stringify(step)} is not enabled`);
    }
    const instr = a.code[a.pc];
    const s = this.state;
    const r = a.regs;
    s.progressed = false;
    let advance = true;
    switch (instr.op) {
      case "yield":
        break;
      case "random":
        if (instr.into) r[instr.into] = instr.min + step.choice;
        break;
      case "store":
        s.vars[this.varOf(instr.var, r)] = valueOf(instr.value, r);
        break;
      case "load":
        if (instr.into) r[instr.into] = s.vars[this.varOf(instr.var, r)] ?? 0;
        break;
      case "fetch_add": {
        const name = this.varOf(instr.var, r);
        if (instr.into) r[instr.into] = s.vars[name] ?? 0;
        s.vars[name] = (s.vars[name] ?? 0) + instr.delta;
        break;
      }
      case "cas": {
        const name = this.varOf(instr.var, r);
        const ok = (s.vars[name] ?? 0) === valueOf(instr.expected, r);
        if (ok) s.vars[name] = valueOf(instr.desired, r);
        if (instr.into) r[instr.into] = ok ? 1 : 0;
        break;
      }
      case "lock":
        s.owners[instr.mutex] = step.actor;
        break;
      case "trylock": {
        const free = (s.owners[instr.mutex] ?? 0) === 0;
        if (free) s.owners[instr.mutex] = step.actor;
        if (instr.into) r[instr.into] = free ? 1 : 0;
        break;
      }
      case "unlock":
        delete s.owners[instr.mutex];
        break;
      case "sem_acquire":
        s.sems[instr.sem] = (s.sems[instr.sem] ?? 0) - 1;
        break;
      case "sem_release":
        s.sems[instr.sem] = (s.sems[instr.sem] ?? 0) + 1;
        break;
      case "sem_trywait": {
        const value = s.sems[instr.sem] ?? 0;
        if (value > 0) s.sems[instr.sem] = value - 1;
        if (instr.into) r[instr.into] = value > 0 ? 1 : 0;
        break;
      }
      case "sem_getvalue":
        if (instr.into) r[instr.into] = s.sems[instr.sem] ?? 0;
        break;
      case "cond_wait":
        if (a.phase === 0) {
          delete s.owners[instr.mutex];
          (s.waiters[instr.cond] ??= []).push(step.actor);
          a.signalled = false;
          a.phase = 1;
          advance = false;
        } else {
          s.owners[instr.mutex] = step.actor;
          a.signalled = false;
          a.phase = 0;
        }
        break;
      case "cond_signal": {
        const first = (s.waiters[instr.cond] ??= []).shift();
        if (first !== undefined) s.actors[first - 1].signalled = true;
        break;
      }
      case "cond_broadcast":
        for (const w of s.waiters[instr.cond] ?? []) s.actors[w - 1].signalled = true;
        s.waiters[instr.cond] = [];
        break;
      case "barrier": {
        if (a.phase === 0) {
          const b = (s.barriers[instr.barrier] ??= { arrived: 0, round: 0 });
          a.round = b.round;
          b.arrived++;
          const last = b.arrived === this.barrierSize(instr.barrier);
          if (last) {
            b.arrived = 0;
            b.round++;
          }
          if (instr.into) r[instr.into] = last ? 1 : 0;
          a.phase = 1;
          advance = false;
        } else {
          a.phase = 0;
        }
        break;
      }
      case "isend":
      case "irecv": {
        const side = instr.op === "isend" ? "send" : "recv";
        const id = this.nextCommId(step.actor);
        r[instr.comm] = id;
        s.comms.set(id, {
          owner: step.actor,
          side,
          mailbox: instr.mailbox,
          matched: false,
          value: instr.op === "isend" ? valueOf(instr.value, r) : 0,
          into: instr.op === "irecv" ? instr.into : undefined,
        });
        const q = (s.queues[instr.mailbox] ??= { sends: [], recvs: [] });
        const other = (side === "send" ? q.recvs : q.sends).shift();
        if (other === undefined) (side === "send" ? q.sends : q.recvs).push(id);
        else this.match(id, other);
        break;
      }
      case "wait":
        this.complete(a, r[instr.comm]);
        break;
      case "test": {
        const c = s.comms.get(r[instr.comm]);
        if (c?.matched) this.complete(a, r[instr.comm]);
        if (instr.into) r[instr.into] = c?.matched ? 1 : 0;
        break;
      }
      case "waitany": {
        const ready = instr.comms.filter((reg) => s.comms.get(r[reg] ?? 0)?.matched);
        const reg = ready[step.choice];
        this.complete(a, r[reg]);
        r[reg] = 0;
        if (instr.into) r[instr.into] = instr.comms.indexOf(reg);
        break;
      }
      default:
        throw new Error(`${instr.op} is not a transition`);
    }
    if (advance) a.pc++;
    return this.runLocal(index) ?? this.startCreated() ?? this.outcome();
  }

  private barrierSize(name: string): number {
    const n = this.program.barriers?.[name];
    if (n === undefined) throw new Error(`fake: barrier '${name}' has no size`);
    return n;
  }

  private match(a: number, b: number): void {
    const x = this.state.comms.get(a)!;
    const y = this.state.comms.get(b)!;
    const send = x.side === "send" ? x : y;
    const recv = x.side === "send" ? y : x;
    send.matched = true;
    recv.matched = true;
    recv.value = send.value;
  }

  /** Completing a comm releases it: its id is free again (nextCommId). */
  private complete(a: ActorState, id: number): void {
    const c = this.state.comms.get(id);
    if (c === undefined || !c.matched) throw new Error(`fake: comm ${id} completed unmatched`);
    if (c.into) a.regs[c.into] = c.value;
    this.state.comms.delete(id);
  }

  /**
   * The id the actor's next comm gets: (actor << 32) | n, n the smallest number none of its
   * live comms has, as the runtime numbers them (native/src/runtime/objects.zig): ids come
   * back once comms are released.
   */
  private nextCommId(actor: number): number {
    let n = 1;
    while (this.state.comms.has(actor * 2 ** 32 + n)) n++;
    return actor * 2 ** 32 + n;
  }

  /** Is the actor's current instruction a transition (a waitany of NULLs is not)? */
  private visible(a: ActorState): boolean {
    const instr = a.code[a.pc];
    if (alwaysLocal.has(instr.op)) return false;
    if (instr.op === "waitany") return instr.comms.some((reg) => (a.regs[reg] ?? 0) !== 0);
    if (instr.op === "assume") return !instr.check(a.regs);
    return true;
  }

  /** Runs the actor's local instructions up to its next visible one. */
  private runLocal(index: number): Outcome | null {
    const a = this.state.actors[index];
    const code = a.code;
    while (a.pc < code.length && !this.visible(a)) {
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
      if (instr.op === "set") a.regs[instr.reg] = valueOf(instr.value, a.regs);
      if (instr.op === "progress") this.state.progressed = true;
      if (instr.op === "waitany" && instr.into) a.regs[instr.into] = -1;
      if (instr.op === "spawn") {
        this.state.actors.push(this.newActor(instr.actor));
        this.actorNames.set(this.state.actors.length, instr.actor.name);
        this.pendingStarts.push(this.state.actors.length - 1);
        this.window.push({ kind: "create", actor: index + 1, created: this.state.actors.length });
      }
      if (instr.op === "plain") {
        const access = {
          address: this.address(this.varOf(instr.var, a.regs)),
          size: 8,
          write: instr.write,
          atomic: false,
        };
        this.window.push({ kind: "access", actor: index + 1, access });
      }
      if (instr.op === "goto" && (instr.when?.(a.regs) ?? true)) {
        a.pc = instr.to;
      } else {
        a.pc++;
      }
    }
    return null;
  }

  /** Starts the actors created during the last transition, in creation order. */
  private startCreated(): Outcome | null {
    while (this.pendingStarts.length > 0) {
      const v = this.runLocal(this.pendingStarts.shift()!);
      if (v !== null) return v;
    }
    return null;
  }

  private transition(index: number): Transition | null {
    const s = this.state;
    const a = s.actors[index];
    const instr = a.code[a.pc];
    if (instr === undefined) return null;
    const base = {
      actor: index + 1,
      enabled: true,
      ready: false,
      choices: 1,
      object: 0,
      arg0: 0n,
      arg1: 0n,
      extras: [] as WaitanyComm[],
    };
    const r = a.regs;
    const owner = (m: string): number => s.owners[m] ?? 0;
    switch (instr.op) {
      case "yield":
        return { ...base, kind: Kind.yield };
      case "assume":
        return { ...base, kind: Kind.assume, enabled: false };
      case "random":
        return {
          ...base,
          kind: Kind.random,
          choices: instr.max - instr.min + 1,
          arg0: BigInt(instr.min),
          arg1: BigInt(instr.max),
        };
      case "store":
        return {
          ...base,
          kind: Kind.store,
          object: this.address(this.varOf(instr.var, r)),
          arg0: BigInt(valueOf(instr.value, r)),
        };
      case "load":
        return { ...base, kind: Kind.load, object: this.address(this.varOf(instr.var, r)) };
      case "fetch_add":
        return {
          ...base,
          kind: Kind.fetchAdd,
          object: this.address(this.varOf(instr.var, r)),
          arg0: BigInt(instr.delta),
        };
      case "cas": {
        // As the runtime says it in each STATE (record flag 8): its comparison fails here.
        const name = this.varOf(instr.var, r);
        const expected = valueOf(instr.expected, r);
        return {
          ...base,
          kind: Kind.cas,
          object: this.address(name),
          arg0: BigInt(expected),
          arg1: BigInt(valueOf(instr.desired, r)),
          ...((s.vars[name] ?? 0) !== expected ? { fails: true } : {}),
        };
      }
      case "lock":
        return {
          ...base,
          kind: Kind.mutexLock,
          object: this.id("mutex", instr.mutex),
          enabled: owner(instr.mutex) === 0,
          arg0: BigInt(owner(instr.mutex)),
        };
      case "trylock":
      case "unlock":
        return {
          ...base,
          kind: instr.op === "trylock" ? Kind.mutexTrylock : Kind.mutexUnlock,
          object: this.id("mutex", instr.mutex),
          arg0: BigInt(owner(instr.mutex)),
        };
      case "sem_acquire":
      case "sem_release": {
        const value = s.sems[instr.sem] ?? 0;
        return {
          ...base,
          kind: instr.op === "sem_acquire" ? Kind.semAcquire : Kind.semRelease,
          object: this.id("sem", instr.sem),
          enabled: instr.op === "sem_release" || value > 0,
          arg0: BigInt(value),
        };
      }
      case "sem_trywait":
      case "sem_getvalue":
        return {
          ...base,
          kind: instr.op === "sem_trywait" ? Kind.semTrywait : Kind.semGetvalue,
          object: this.id("sem", instr.sem),
          arg0: BigInt(s.sems[instr.sem] ?? 0),
        };
      case "cond_wait":
        return {
          ...base,
          kind: a.phase === 0 ? Kind.condWait : Kind.condWake,
          object: this.id("cond", instr.cond),
          enabled: a.phase === 0 || (a.signalled && owner(instr.mutex) === 0),
          arg0: BigInt(this.id("mutex", instr.mutex)),
        };
      case "cond_signal":
      case "cond_broadcast":
        return {
          ...base,
          kind: instr.op === "cond_signal" ? Kind.condSignal : Kind.condBroadcast,
          object: this.id("cond", instr.cond),
          arg0: BigInt((s.waiters[instr.cond] ?? []).length),
        };
      case "barrier": {
        const b = s.barriers[instr.barrier] ?? { arrived: 0, round: 0 };
        if (a.phase === 1) {
          return {
            ...base,
            kind: Kind.barrierLeave,
            object: this.id("barrier", instr.barrier),
            enabled: b.round !== a.round,
          };
        }
        return {
          ...base,
          kind: Kind.barrierArrive,
          object: this.id("barrier", instr.barrier),
          arg0: BigInt(this.barrierSize(instr.barrier)),
          arg1: BigInt(b.arrived),
        };
      }
      case "isend":
      case "irecv":
        return {
          ...base,
          kind: instr.op === "isend" ? Kind.isend : Kind.irecv,
          object: this.id("mailbox", instr.mailbox),
          arg0: BigInt(this.nextCommId(index + 1)),
          arg1: 8n,
        };
      case "wait":
      case "test": {
        const id = r[instr.comm] ?? 0;
        const c = s.comms.get(id);
        if (c === undefined) throw new Error(`fake: ${instr.op} on an unknown comm`);
        return {
          ...base,
          kind: instr.op === "wait" ? Kind.wait : Kind.test,
          object: id,
          enabled: instr.op === "test" || c.matched,
          ready: c.matched,
          arg0: BigInt(this.id("mailbox", c.mailbox)),
          arg1: c.side === "send" ? 0n : 1n,
        };
      }
      case "waitany": {
        const extras: WaitanyComm[] = [];
        for (const reg of instr.comms) {
          const id = r[reg] ?? 0;
          if (id === 0) continue;
          extras.push({ id, ready: s.comms.get(id)?.matched ?? false });
        }
        const ready = extras.filter((c) => c.ready).length;
        return {
          ...base,
          kind: Kind.waitany,
          enabled: ready > 0,
          choices: Math.max(ready, 1),
          arg0: BigInt(instr.comms.length),
          extras,
        };
      }
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
    // As the runtime: a window of creations alone is not reported.
    const window = this.window.some((e) => e.kind === "access") ? [...this.window] : null;
    const point: Point = window === null
      ? { steps: 0, transitions }
      : { steps: 0, transitions, window };
    return { kind: "point", point };
  }

  /** The shared variables, for assertions on final states. */
  get vars(): Readonly<Vars> {
    return this.state.vars;
  }

  /** The whole state (actors, variables, objects, comms) as one comparable string. */
  stateKey(): string {
    const s = this.state;
    return canonical({
      actors: s.actors.map((a) => ({ ...a, code: undefined })),
      vars: s.vars,
      owners: s.owners,
      sems: s.sems,
      waiters: s.waiters,
      barriers: s.barriers,
      queues: s.queues,
      comms: [...s.comms.entries()].sort((x, y) => x[0] - y[0]),
      progressed: s.progressed,
    });
  }

  /** A 64-bit hash of stateKey(): equal states, equal hashes (two 32-bit FNV-1a halves). */
  stateHash(): bigint | null {
    const key = this.stateKey();
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    return (BigInt(h1 >>> 0) << 32n) | BigInt(h2 >>> 0);
  }

  propositions(): PropositionValues | null {
    const props = this.program.props;
    if (props === undefined) return null;
    this.propNames ??= Object.keys(props);
    return {
      names: this.propNames,
      values: this.propNames.map((n) => (this.state.vars[props[n]] ?? 0) !== 0),
    };
  }

  progressed(): boolean {
    return this.state.progressed;
  }

  /** The variables and every actor's registers, as one comparable string. */
  finalState(): string {
    const vars = Object.keys(this.state.vars).sort().map((k) => [k, this.state.vars[k]]);
    const regs = this.state.actors.map((a) =>
      Object.keys(a.regs).sort().map((k) => [k, a.regs[k]])
    );
    return JSON.stringify({ vars, regs });
  }
}

/** JSON with object keys sorted, so that equal states give equal strings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
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
