/**
 * From the timers of one instrumented run (instrument.ts) to the components of a transition's
 * cost, in microseconds per forward transition: the round trip, the JavaScript around it, the
 * snapshot, restores, the end of executions, the search itself (split into its loop and the
 * DPOR analysis by the CPU profile's shares), start and close. Pure.
 *
 * The timers cost something: the instrumented search is slower than the plain one. That cost is
 * spread evenly over the timed calls (c µs each, from the two runs' difference), and each timed
 * call's c is taken from the time of the call it is nested in, so the components add up to the
 * plain search's time.
 */

import type { TimerTotals } from "./timers.ts";

export type TimerData = Readonly<Record<string, Readonly<Record<string, TimerTotals>>>>;

export interface ComponentInput {
  readonly timers: TimerData;
  /** Forward transitions (stats.transitions; replayed steps are not counted). */
  readonly transitions: number;
  /** stats.seconds of the instrumented run, and the median of the plain runs, in µs. */
  readonly searchUs: number;
  readonly plainSearchUs: number;
  /** On-CPU time of the program's process(es), from schedstat. */
  readonly programOnCpuUs: number;
  /** The bare round trip between two processes on one CPU (bench/floor/roundtrip.c). */
  readonly floorUs: number;
  /** The DPOR analysis' share of the search's own JavaScript time (CPU profile), or null. */
  readonly analysisShare: number | null;
}

export interface Component {
  readonly name: string;
  /** µs per forward transition. */
  readonly us: number;
  /** Indented under the row above: a part of it, not added to the total. */
  readonly part?: boolean;
}

/** A timer's total time, less the timers' cost of the timed calls nested in it. */
function corrected(t: TimerData, phase: string, name: string, c: number): number {
  const x = t[phase]?.[name];
  return x === undefined ? 0 : x.totalUs - c * x.nestedCalls;
}

function self(t: TimerData, phase: string, name: string): number {
  return t[phase]?.[name]?.selfUs ?? 0;
}

/** The outermost call of each phase: a step's phase is named after how it ended. */
function outermost(phase: string): string {
  return phase === "step" || phase === "last step" ? "target.execute" : phase;
}

/** Every timed call of the run: the outermost ones and those nested in them. */
export function timedCalls(t: TimerData): number {
  return Object.keys(t).reduce((sum, p) => {
    const x = t[p][outermost(p)];
    return sum + (x === undefined ? 0 : x.calls + x.nestedCalls);
  }, 0);
}

/** What one timed call costs, from the instrumented and plain searches (0 if not slower). */
export function timerCost(input: ComponentInput): number {
  const n = timedCalls(input.timers);
  return n === 0 ? 0 : Math.max(0, input.searchUs - input.plainSearchUs) / n;
}

export function components(input: ComponentInput): Component[] {
  const t = input.timers;
  const c = timerCost(input);
  const total = (phase: string, name: string): number => corrected(t, phase, name, c);
  const per = (us: number): number => us / input.transitions;
  const step = total("step", "target.execute");
  const snapshot = total("step", "memory.settle");
  const roundTrip = self(t, "step", "ffi.isomc_channel_send") +
    self(t, "step", "ffi.isomc_channel_recv");
  const restore = total("target.restore", "target.restore");
  const restorePages = total("target.restore", "engine.plan") +
    total("target.restore", "engine.restore");
  const restoreReplay = total("target.restore", "program.run");
  const last = total("last step", "target.execute");
  const lookup = total("last step", "memory.knownEnd");
  const outer = Object.keys(t).reduce((sum, p) => sum + total(p, outermost(p)), 0);
  const startClose = outer - step - restore - last;
  const search = input.plainSearchUs - outer;
  const rows: Component[] = [
    { name: "forward step: round trip (native send and receive)", us: per(roundTrip) },
    {
      name: "the bare round trip between two processes on one CPU (bench/floor)",
      us: input.floorUs,
      part: true,
    },
    {
      name: "the program on CPU, all its work (runtime, its kernel side; schedstat)",
      us: per(input.programOnCpuUs),
      part: true,
    },
    {
      name: "forward step: JavaScript around it (FFI wrappers, RUN encoding, decoding, outcome)",
      us: per(step - snapshot - roundTrip),
    },
    {
      name: "forward step: snapshot (PAGEMAP_SCAN, page reads, hash, fd table), amortized",
      us: per(snapshot),
    },
    { name: "restores (pages written back, replayed steps, fds), amortized", us: per(restore) },
    { name: "pages: plan and write back", us: per(restorePages), part: true },
    { name: "replayed steps (one RUN each restore)", us: per(restoreReplay), part: true },
    {
      name: "end of executions (last step, final-state lookup, fork and rest of main)",
      us: per(last),
    },
    { name: "final-state lookups (snapshot and hash)", us: per(lookup), part: true },
    { name: "the search itself (search loop and DPOR analysis)", us: per(search) },
  ];
  if (input.analysisShare !== null) {
    rows.push({
      name: "DPOR analysis (by the CPU profile's share)",
      us: per(search * input.analysisShare),
      part: true,
    });
  }
  rows.push(
    { name: "program start and close, other", us: per(startClose) },
    { name: "total: the search, plain (median of the plain runs)", us: per(input.plainSearchUs) },
    { name: "the search with the timers on", us: per(input.searchUs), part: true },
    { name: "one timed call's cost, µs (taken out above)", us: c, part: true },
  );
  return rows;
}
