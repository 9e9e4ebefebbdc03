/**
 * From the timers of one instrumented run (instrument.ts) to the components of a transition's
 * cost, in microseconds per forward transition: the round trip, the JavaScript around it, the
 * snapshot, restores, the end of executions, the search itself (split into its loop and the
 * DPOR analysis by the CPU profile's shares), start and close. Pure.
 *
 * The timers cost something. What timing one sync or async call adds was measured in the same
 * process (timers.ts, timerCost); each timed call's cost is taken out of the call it is nested
 * in (and the outermost calls' out of the search's own time), so the components add up to the
 * instrumented search less the timers. The plain runs' median is given beside it as a check.
 */

import type { TimerCost, TimerTotals } from "./timers.ts";

export type TimerData = Readonly<Record<string, Readonly<Record<string, TimerTotals>>>>;

export interface ComponentInput {
  readonly timers: TimerData;
  /** Forward transitions (stats.transitions; replayed steps are not counted). */
  readonly transitions: number;
  /** stats.seconds of the instrumented run, and of the plain runs (the least), in µs. */
  readonly searchUs: number;
  readonly plainSearchUs: number;
  /** What one timed call costs (µs). */
  readonly cost: TimerCost;
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

/** The outermost call of each phase: a step's phase is named after how it ended. */
function outermost(phase: string): string {
  return phase === "step" || phase === "last step" ? "target.execute" : phase;
}

/** The timers' cost of the calls nested in `x`, and of its own calls. */
function nestedCost(x: TimerTotals, c: TimerCost): number {
  return c.sync * (x.nestedCalls - x.nestedAsyncCalls) + c.async * x.nestedAsyncCalls;
}

function ownCost(x: TimerTotals, c: TimerCost): number {
  return c.sync * (x.calls - x.asyncCalls) + c.async * x.asyncCalls;
}

/** What the timers added to the whole run, by the measured cost of one timed call. */
export function timersCost(t: TimerData, c: TimerCost): number {
  return Object.keys(t).reduce((sum, p) => {
    const x = t[p][outermost(p)];
    return sum + (x === undefined ? 0 : nestedCost(x, c) + ownCost(x, c));
  }, 0);
}

export function components(input: ComponentInput): Component[] {
  const t = input.timers;
  const c = input.cost;
  const total = (phase: string, name: string): number => {
    const x = t[phase]?.[name];
    return x === undefined ? 0 : x.totalUs - nestedCost(x, c);
  };
  const self = (phase: string, name: string): number => t[phase]?.[name]?.selfUs ?? 0;
  const per = (us: number): number => us / input.transitions;
  const step = total("step", "target.execute");
  const snapshot = total("step", "memory.settle");
  const roundTrip = self("step", "ffi.isomc_channel_send") + self("step", "ffi.isomc_channel_recv");
  const restore = total("target.restore", "target.restore");
  const restorePages = total("target.restore", "engine.plan") +
    total("target.restore", "engine.restore");
  const restoreReplay = total("target.restore", "program.run");
  const last = total("last step", "target.execute");
  const lookup = total("last step", "memory.knownEnd");
  const outer = Object.keys(t).reduce((sum, p) => sum + total(p, outermost(p)), 0);
  // The search's own time: the instrumented search less the outermost calls as measured, and
  // less what timing those calls cost it.
  const outerMeasured = Object.keys(t).reduce((sum, p) => {
    const x = t[p][outermost(p)];
    return sum + (x === undefined ? 0 : x.totalUs + ownCost(x, c));
  }, 0);
  const startClose = outer - step - restore - last;
  const search = input.searchUs - outerMeasured;
  const net = input.searchUs - timersCost(t, c);
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
    { name: "total: the search, the timers' cost taken out", us: per(net) },
    { name: "the search with the timers, as measured", us: per(input.searchUs), part: true },
    {
      name: "the search without timers (the least of the plain runs)",
      us: per(input.plainSearchUs),
      part: true,
    },
  );
  return rows;
}

/**
 * Row by row, the least of several instrumented runs' components: on a busy machine a run is
 * only ever slowed down by the others, so the least is the nearest to the undisturbed cost.
 */
export function leastOf(runs: readonly (readonly Component[])[]): Component[] {
  if (runs.length === 0) return [];
  return runs[0].map((row, i) => ({ ...row, us: Math.min(...runs.map((r) => r[i].us)) }));
}
