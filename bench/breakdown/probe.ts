/**
 * The CLI with the breakdown's instruments: `deno run -A bench/breakdown/probe.ts check ...`
 * runs `isomc check ...` exactly as cli.ts does; with ISOMC_BENCH_TIMERS=methods (or ffi: every
 * native call too) the timers of instrument.ts are on, and what they measured is written as JSON
 * to ISOMC_BENCH_OUT, with the checker's memory at the end (Deno.memoryUsage: V8's heap and
 * the rest) and, with ISOMC_BENCH_HEAP_EVERY=N and --v8-flags=--expose-gc, its live heap every N
 * restores; with ISOMC_BENCH_FRONTIER_EVERY=N, the DPOR search's pending frontier every N
 * times it goes back (tests/support/frontier.ts). The environment variables live here, in the
 * bench harness, not in lib/.
 */

import { main } from "../../lib/cli/main.ts";
import { instrument, type Instrumented, type Level, watchLiveHeap } from "./instrument.ts";
import { timerCost } from "./timers.ts";
import { watchFrontier } from "../../tests/support/frontier.ts";

const level = Deno.env.get("ISOMC_BENCH_TIMERS") || undefined;
const out = Deno.env.get("ISOMC_BENCH_OUT");
if (level !== undefined && level !== "methods" && level !== "ffi") {
  console.error(`probe: ISOMC_BENCH_TIMERS must be methods or ffi, not '${level}'`);
  Deno.exit(2);
}
const probe: Instrumented | null = level === undefined ? null : instrument(level as Level);
const every = Number(Deno.env.get("ISOMC_BENCH_HEAP_EVERY") ?? "0");
const heap = every > 0 ? watchLiveHeap(every) : null;
const frontierEvery = Number(Deno.env.get("ISOMC_BENCH_FRONTIER_EVERY") ?? "0");
const frontier = frontierEvery > 0 ? watchFrontier(frontierEvery) : null;
const code = await main(Deno.args);
if (out !== undefined) {
  const memory = Deno.memoryUsage();
  // With --v8-flags=--expose-gc, what stays after a full collection: the live data.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const live = gc === undefined ? null : Deno.memoryUsage();
  Deno.writeTextFileSync(
    out,
    JSON.stringify({
      level: level ?? null,
      memory,
      live,
      heapDuringSearch: heap,
      frontier: frontier?.samples ?? null,
      ...(probe === null ? {} : {
        timers: probe.timers.toJSON(),
        timedCalls: probe.timers.calls,
        program: probe.program,
        checker: probe.checker,
        timerCost: await timerCost(),
      }),
    }) + "\n",
  );
}
Deno.exit(code);
