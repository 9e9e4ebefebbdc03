/**
 * Puts the breakdown's timers (timers.ts) on the checker from outside: it patches the
 * prototypes of the classes that do the work of a transition — the target, the program run and
 * its channel, the snapshot engine — and, at level "ffi", every native call, so each timer's
 * self time is one component of a transition's cost (bench/README.md, "Where one transition's
 * time goes"). It also reads the on-CPU time of the checker's thread and of every program
 * process it ends (/proc/PID/schedstat, in nanoseconds) to tell the runtime's work apart.
 *
 * lib/ is not changed: this module is imported by bench/breakdown/probe.ts only.
 */

import { ProgramRun } from "../../lib/process/program.ts";
import { ProgramLink } from "../../lib/process/link.ts";
import { NativeChannel } from "../../lib/native/channel.ts";
import { MemoryTarget } from "../../lib/state/memory_target.ts";
import { LiveMemory } from "../../lib/state/live_memory.ts";
import { PathSnapshots } from "../../lib/state/path_snapshots.ts";
import { ForkTarget } from "../../lib/state/fork_target.ts";
import { ReplayTarget } from "../../lib/process/replay_target.ts";
import { Engine } from "../../lib/state/native.ts";
import { native } from "../../lib/native/library.ts";
import type { Outcome } from "../../lib/explore/target.ts";
import { enabledSteps } from "../../lib/model/transition.ts";
import { nowUs, Timers } from "./timers.ts";

export type Level = "methods" | "ffi";

/** On-CPU and run-queue time of a thread or process, from /proc/.../schedstat (µs). */
export interface CpuTime {
  onCpuUs: number;
  waitUs: number;
  slices: number;
}

export function schedstat(path: string): CpuTime | null {
  try {
    const [run, wait, slices] = Deno.readTextFileSync(path).trim().split(/\s+/).map(Number);
    return { onCpuUs: run / 1000, waitUs: wait / 1000, slices };
  } catch {
    return null;
  }
}

export interface Instrumented {
  readonly timers: Timers;
  /** Summed over every program process the checker killed or reaped. */
  readonly program: CpuTime & { processes: number };
  /** The checker's main thread, from the first program start to the last target close. */
  readonly checker: CpuTime & { wallUs: number };
}

function addCpu(into: CpuTime, a: CpuTime, b: CpuTime | null = null): void {
  into.onCpuUs += a.onCpuUs - (b?.onCpuUs ?? 0);
  into.waitUs += a.waitUs - (b?.waitUs ?? 0);
  into.slices += a.slices - (b?.slices ?? 0);
}

/**
 * Where a forward step's time goes depends on how it ended: an ordinary step, or the last one
 * of an execution (which looks up or runs the end of main).
 */
function phaseOf(name: string, result: unknown): string {
  if (name !== "target.execute") return name;
  const outcome = result as Outcome;
  return outcome?.kind === "point" && enabledSteps(outcome.point).length > 0 ? "step" : "last step";
}

const proto = (c: { prototype: object }): object => c.prototype;

export function instrument(level: Level): Instrumented {
  const timers = new Timers(phaseOf);
  for (const target of [MemoryTarget, ReplayTarget, ForkTarget]) {
    for (const m of ["start", "execute", "restore", "close"]) {
      timers.wrap(proto(target), m, `target.${m}`);
    }
  }
  for (const m of ["settle", "knownEnd", "restoreSnapshot"]) {
    timers.wrap(proto(MemoryTarget), m, `memory.${m}`);
  }
  // The memory target's parts (lib/state/live_memory.ts, path_snapshots.ts).
  for (const m of ["save", "finalKey", "restore", "readFds"]) {
    timers.wrap(proto(LiveMemory), m, `memory.${m === "restore" ? "restorePages" : m}`);
  }
  timers.wrap(proto(PathSnapshots), "dropFrom", "memory.dropFrom");
  timers.wrap(ProgramRun, "start", "program.start");
  for (const m of ["run", "next", "drain", "fork", "fds", "map"]) {
    timers.wrap(proto(ProgramRun), m, `program.${m}`);
  }
  // The frames' side of a program run (lib/process/link.ts), under the names they had when
  // ProgramRun held them, so the components and earlier results read alike.
  for (const m of ["receive", "waitExit"]) {
    timers.wrap(proto(ProgramLink), m, `program.${m}`);
  }
  timers.wrap(proto(NativeChannel), "send", "channel.send");
  timers.wrap(proto(NativeChannel), "receive", "channel.receive");
  for (const m of ["snapshot", "stateHash", "plan", "restore", "drop"]) {
    timers.wrap(proto(Engine), m, `engine.${m}`);
  }
  if (level === "ffi") {
    const symbols = native() as unknown as Record<string, unknown>;
    for (const name of Object.keys(symbols)) {
      if (typeof symbols[name] === "function") timers.wrap(symbols, name, `ffi.${name}`);
    }
  }

  const program = { onCpuUs: 0, waitUs: 0, slices: 0, processes: 0 };
  const checker = { onCpuUs: 0, waitUs: 0, slices: 0, wallUs: 0 };
  let since: { cpu: CpuTime; wall: number } | null = null;
  const self = (): CpuTime | null => schedstat(`/proc/thread-self/schedstat`);

  // A program's time is read just before the checker kills it, or, when it ends on its own
  // (--restore=replay), as it runs the rest of main, before it is reaped.
  const counted = new WeakSet<ProgramRun>();
  const readProgram = (run: ProgramRun): void => {
    if (!run.isAlive || counted.has(run)) return;
    const t = schedstat(`/proc/${run.pid}/schedstat`);
    if (t === null) return;
    counted.add(run);
    addCpu(program, t);
    program.processes++;
  };
  for (const m of ["kill", "afterDone"]) {
    const original = Reflect.get(proto(ProgramRun), m) as (this: ProgramRun) => unknown;
    Reflect.set(proto(ProgramRun), m, function (this: ProgramRun): unknown {
      readProgram(this);
      return original.call(this);
    });
  }
  const start = Reflect.get(ProgramRun, "start") as (...a: unknown[]) => unknown;
  Reflect.set(ProgramRun, "start", function (this: unknown, ...args: unknown[]): unknown {
    if (since === null) {
      const cpu = self();
      if (cpu !== null) since = { cpu, wall: nowUs() };
    }
    return Reflect.apply(start, this, args);
  });
  for (const target of [MemoryTarget, ReplayTarget, ForkTarget]) {
    const close = Reflect.get(proto(target), "close") as (this: unknown) => Promise<void>;
    Reflect.set(proto(target), "close", async function (this: unknown): Promise<void> {
      await close.call(this);
      const cpu = self();
      if (since !== null && cpu !== null) {
        addCpu(checker, cpu, since.cpu);
        checker.wallUs += nowUs() - since.wall;
        since = null;
      }
    });
  }
  return { timers, program, checker };
}

/** Samples of the checker's live heap, taken during the search. */
export interface HeapWatch {
  /** [restores so far, live heap in bytes] at each sample. */
  readonly samples: [number, number][];
  /** The largest live heap seen. */
  peak: number;
}

/**
 * The checker's live heap during the search: with --v8-flags=--expose-gc, every `every`
 * restores, a full collection and Deno.memoryUsage(). A restore is where the search goes back
 * to an earlier state, with every structure of its current path still reachable.
 */
export function watchLiveHeap(every: number): HeapWatch {
  const watch: HeapWatch = { samples: [], peak: 0 };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return watch;
  let restores = 0;
  for (const target of [MemoryTarget, ReplayTarget, ForkTarget]) {
    const restore = Reflect.get(proto(target), "restore") as (...a: unknown[]) => unknown;
    Reflect.set(proto(target), "restore", function (this: unknown, ...args: unknown[]): unknown {
      if (++restores % every === 0) {
        gc();
        const used = Deno.memoryUsage().heapUsed;
        watch.samples.push([restores, used]);
        watch.peak = Math.max(watch.peak, used);
      }
      return Reflect.apply(restore, this, args);
    });
  }
  return watch;
}
