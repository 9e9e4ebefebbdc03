/**
 * From the timers of one instrumented run (instrument.ts) to the components of a transition's
 * cost, in microseconds per forward transition: the round trip, the JavaScript around it, the
 * snapshot, restores, the end of executions, the search itself (split into its loop and the
 * DPOR analysis by the CPU profile's shares), start and close. Pure.
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

function total(t: TimerData, phase: string, name: string): number {
  return t[phase]?.[name]?.totalUs ?? 0;
}

function self(t: TimerData, phase: string, name: string): number {
  return t[phase]?.[name]?.selfUs ?? 0;
}

/** The outermost call of each phase: a step's phase is named after how it ended. */
function outermost(phase: string): string {
  return phase === "step" || phase === "last step" ? "target.execute" : phase;
}

export function components(input: ComponentInput): Component[] {
  const t = input.timers;
  const per = (us: number): number => us / input.transitions;
  const step = total(t, "step", "target.execute");
  const snapshot = total(t, "step", "memory.settle");
  const roundTrip = self(t, "step", "ffi.isomc_channel_send") +
    self(t, "step", "ffi.isomc_channel_recv");
  const restore = total(t, "target.restore", "target.restore");
  const restorePages = total(t, "target.restore", "engine.plan") +
    total(t, "target.restore", "engine.restore");
  const restoreReplay = total(t, "target.restore", "program.run");
  const last = total(t, "last step", "target.execute");
  const lookup = total(t, "last step", "memory.knownEnd");
  const outer = Object.keys(t).reduce((sum, p) => sum + total(t, p, outermost(p)), 0);
  const startClose = outer - step - restore - last;
  const search = input.searchUs - outer;
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
    { name: "total search, instrumented", us: per(input.searchUs) },
    {
      name: "of which the timers' own cost (instrumented − plain)",
      us: per(input.searchUs - input.plainSearchUs),
      part: true,
    },
    { name: "total search, plain (median)", us: per(input.plainSearchUs) },
  );
  return rows;
}
