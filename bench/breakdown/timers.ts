/**
 * Timers wrapped around methods and native calls of the checker, for the per-transition cost
 * breakdown (bench/breakdown/). Each timed call records its total time and its self time (the
 * total minus the timed calls nested in it), under the phase it ran in — the outermost timed
 * call on the stack — so a round trip is counted once, as a forward step or as part of a
 * restore. The checker is one sequential async chain, so a stack of open calls is exact.
 *
 * The clock is clock_gettime through Deno's FFI (about 40 ns a reading here; performance.now()
 * costs about 200 ns). Nothing here is used by lib/: the harness patches prototypes.
 */

const libc = Deno.dlopen("libc.so.6", {
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
});
const timespec = new Uint32Array(4);
const CLOCK_MONOTONIC = 1;

/** Microseconds on the monotonic clock (the low 32 bits of the seconds suffice for a run). */
export function nowUs(): number {
  libc.symbols.clock_gettime(CLOCK_MONOTONIC, timespec);
  return timespec[0] * 1e6 + timespec[2] / 1e3;
}

export interface TimerTotals {
  calls: number;
  /** Microseconds, nested timed calls included. */
  totalUs: number;
  /** Microseconds, nested timed calls excluded. */
  selfUs: number;
  /** Timed calls made inside these calls, at any depth (each adds the timers' cost). */
  nestedCalls: number;
  /** Of these calls, and of the nested ones, those that returned a promise (dearer to time). */
  asyncCalls: number;
  nestedAsyncCalls: number;
}

type Totals = Map<string, TimerTotals>;

interface Frame {
  readonly name: string;
  readonly start: number;
  /** Time of the timed calls nested in this one, and how many there were at any depth. */
  child: number;
  nested: number;
  nestedAsync: number;
}

function add(into: Totals, name: string, more: TimerTotals): void {
  let t = into.get(name);
  if (t === undefined) {
    into.set(
      name,
      t = { calls: 0, totalUs: 0, selfUs: 0, nestedCalls: 0, asyncCalls: 0, nestedAsyncCalls: 0 },
    );
  }
  t.calls += more.calls;
  t.totalUs += more.totalUs;
  t.selfUs += more.selfUs;
  t.nestedCalls += more.nestedCalls;
  t.asyncCalls += more.asyncCalls;
  t.nestedAsyncCalls += more.nestedAsyncCalls;
}

/**
 * The phase of an outermost call: its name, refined by what it returned (e.g. a step that
 * ended the execution is not an ordinary step).
 */
export type PhaseOf = (name: string, result: unknown) => string;

export class Timers {
  /** Keyed by phase, then by timer name. */
  readonly byPhase = new Map<string, Totals>();
  private readonly stack: Frame[] = [];
  /** The nested calls of the current outermost call, filed under its phase when it ends. */
  private pending: Totals = new Map();
  /** Timed calls made (each costs two clock readings and a closure: timerCost). */
  calls = 0;

  constructor(private readonly phaseOf: PhaseOf = (name) => name) {}

  private end(frame: Frame, result: unknown, async: boolean): void {
    const popped = this.stack.pop();
    if (popped !== frame) throw new Error(`timers: ${frame.name} ended out of order`);
    const total = nowUs() - frame.start;
    add(this.pending, frame.name, {
      calls: 1,
      totalUs: total,
      selfUs: total - frame.child,
      nestedCalls: frame.nested,
      asyncCalls: async ? 1 : 0,
      nestedAsyncCalls: frame.nestedAsync,
    });
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) {
      parent.child += total;
      parent.nested += 1 + frame.nested;
      parent.nestedAsync += (async ? 1 : 0) + frame.nestedAsync;
      return;
    }
    const phase = this.phaseOf(frame.name, result);
    let into = this.byPhase.get(phase);
    if (into === undefined) this.byPhase.set(phase, into = new Map());
    for (const [name, t] of this.pending) add(into, name, t);
    this.pending = new Map();
  }

  /** Runs `fn` timed as `name`; a promise is timed until it settles. */
  time<T>(name: string, fn: () => T): T {
    this.calls++;
    const frame: Frame = { name, start: nowUs(), child: 0, nested: 0, nestedAsync: 0 };
    this.stack.push(frame);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.end(frame, e, false);
      throw e;
    }
    if (result instanceof Promise) {
      return result.then((v) => {
        this.end(frame, v, true);
        return v;
      }, (e) => {
        this.end(frame, e, true);
        throw e;
      }) as T;
    }
    this.end(frame, result, false);
    return result;
  }

  /** Replaces `object[method]` by a timed call of the original. */
  wrap(object: object, method: string, name: string): void {
    const original = Reflect.get(object, method) as unknown;
    if (typeof original !== "function") throw new Error(`timers: no method ${name}`);
    // deno-lint-ignore no-this-alias
    const timers = this;
    Reflect.set(object, method, function (this: unknown, ...args: unknown[]): unknown {
      return timers.time(name, () => Reflect.apply(original, this, args));
    });
  }

  /** Every timer as plain data, for JSON. */
  toJSON(): Record<string, Record<string, TimerTotals>> {
    const out: Record<string, Record<string, TimerTotals>> = {};
    for (const [phase, timers] of this.byPhase) out[phase] = Object.fromEntries(timers);
    return out;
  }
}

export interface TimerCost {
  /** One reading of the clock, and what timing one call adds, sync and async, in µs. */
  readonly clock: number;
  readonly sync: number;
  readonly async: number;
}

/** The least time per iteration of `body` over `batches` batches (preemptions filtered out). */
async function leastPerCall(batches: number, n: number, body: () => unknown): Promise<number> {
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = nowUs();
    for (let i = 0; i < n; i++) {
      const r = body();
      if (r instanceof Promise) await r;
    }
    best = Math.min(best, (nowUs() - t0) / n);
  }
  return best;
}

/**
 * What the timers cost here: the least time over batches of a timed call less an untimed one,
 * for a sync and for an async method (the machine may be busy: the least batch is the one
 * nothing else interrupted).
 */
export async function timerCost(batches = 20, n = 5_000): Promise<TimerCost> {
  const t = new Timers();
  const o = {
    sync(): number {
      return 1;
    },
    async async(): Promise<number> {
      return await Promise.resolve(1);
    },
  };
  const plainSync = await leastPerCall(batches, n, () => o.sync());
  const plainAsync = await leastPerCall(batches, n, () => o.async());
  t.wrap(o, "sync", "sync");
  t.wrap(o, "async", "async");
  const timedSync = await leastPerCall(batches, n, () => o.sync());
  const timedAsync = await leastPerCall(batches, n, () => o.async());
  return {
    clock: await leastPerCall(batches, n, nowUs),
    sync: Math.max(0, timedSync - plainSync),
    async: Math.max(0, timedAsync - plainAsync),
  };
}
