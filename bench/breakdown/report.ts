/**
 * The write-up of `./isomc bench --breakdown` (bench/breakdown.ts): the table of µs per forward
 * transition per component, the CPU profile's and perf's shares, the start-up, and the peak
 * memory as executions grow, as Markdown. Pure.
 */

import { median } from "../peers/table.ts";
import type { Component, TimerData } from "./components.ts";
import type { TimerCost } from "./timers.ts";
import type { summarizeProfile } from "./profiles.ts";

export type Stats = Record<string, unknown> & { transitions: number; seconds: number };

export interface CaseResult {
  key: string;
  label: string;
  command: string[];
  plain: { wall_s: number[]; search_s: number[]; max_rss_kib: number };
  stats: Stats;
  /** Each instrumented run. */
  instrumented: {
    stats: Stats;
    timers: TimerData;
    program: { onCpuUs: number; waitUs: number; processes: number };
    checker: { onCpuUs: number; waitUs: number; wallUs: number };
    timerCost: TimerCost;
  }[];
  profile: ReturnType<typeof summarizeProfile> | null;
  perf: Record<string, number> | null;
  /** The least of the instrumented runs' components, row by row, and each run's. */
  components: Component[];
  componentsPerRun: Component[][];
}

export interface MemoryPoint {
  max_executions: number;
  executions: number;
  max_depth: number;
  seconds: number;
  max_rss_kib: number;
  /** The checker's memory when it ended (V8 heap used and total, rss), and after a full GC. */
  end: Deno.MemoryUsage;
  live: Deno.MemoryUsage;
  /** The largest live heap sampled during the search (bytes), and the samples. */
  live_peak_during_search: number;
  live_samples: [number, number][];
}

export function memoryTable(size: string, points: readonly MemoryPoint[]): string {
  return [
    `| lastzero(${size}): executions | max depth | search s | peak RSS MiB | V8 heap at the end, MiB | live heap during the search, at most, MiB | live heap after it, MiB |`,
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...points.map((p) =>
      `| ${p.executions.toLocaleString("en-US")} | ${p.max_depth} | ${p.seconds.toFixed(2)} | ${
        (p.max_rss_kib / 1024).toFixed(1)
      } | ${(p.end.heapTotal / 2 ** 20).toFixed(1)} | ${
        (p.live_peak_during_search / 2 ** 20).toFixed(1)
      } | ${(p.live.heapUsed / 2 ** 20).toFixed(1)} |`
    ),
  ].join("\n");
}

const us = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

export function markdown(results: readonly CaseResult[], start: Record<string, number>): string {
  const head = `| component, µs per forward transition (least of the runs) | ${
    results.map((r) => r.label).join(" | ")
  } |`;
  const lines = [head, `| --- |${results.map(() => " ---: |").join("")}`];
  for (let i = 0; i < results[0].components.length; i++) {
    const c = results[0].components[i];
    // A part of the row above (deno fmt trims leading spaces in cells: an arrow says it).
    const name = c.part ? `↳ ${c.name}` : c.name;
    lines.push(`| ${name} | ${results.map((r) => us(r.components[i].us)).join(" | ")} |`);
  }
  const count = (f: (r: CaseResult) => unknown): string =>
    results.map((r) => String(f(r))).join(" | ");
  lines.push(
    `| transitions (executions) | ${
      count((r) => `${r.stats.transitions} (${r.stats.executions})`)
    } |`,
    `| checker's own counters: snapshot_seconds, restore_seconds, µs per transition | ${
      count((r) => {
        const state = (r.stats.state ?? {}) as Record<string, number>;
        const per = (s: unknown): string =>
          typeof s === "number" ? us(s * 1e6 / r.stats.transitions) : "-";
        return `${per(state.snapshot_seconds)}, ${per(r.stats.restore_seconds)}`;
      })
    } |`,
    `| run ahead: batches, steps served from them, mispredictions | ${
      count((r) => {
        const state = (r.stats.state ?? {}) as Record<string, number>;
        const n = (v: unknown): string => typeof v === "number" ? String(v) : "-";
        return `${n(state.ahead_batches)}, ${n(state.ahead_steps)}, ${n(state.mispredictions)}`;
      })
    } |`,
    `| timers: what timing one sync / async call costs, µs (taken out above) | ${
      count((r) =>
        `${Math.min(...r.instrumented.map((i) => i.timerCost.sync)).toFixed(2)} / ${
          Math.min(...r.instrumented.map((i) => i.timerCost.async)).toFixed(2)
        }`
      )
    } |`,
    `| on CPU (schedstat), µs per transition: the checker's thread, the program | ${
      count((r) =>
        `${us(Math.min(...r.instrumented.map((i) => i.checker.onCpuUs / i.stats.transitions)))}, ${
          us(Math.min(...r.instrumented.map((i) => i.program.onCpuUs / i.stats.transitions)))
        }`
      )
    } |`,
    `| command wall s (median), peak RSS MiB | ${
      count((r) =>
        `${median(r.plain.wall_s)!.toFixed(2)}, ${Math.round(r.plain.max_rss_kib / 1024)}`
      )
    } |`,
  );
  if (results.every((r) => r.profile !== null)) {
    lines.push(
      "",
      `| CPU profile (self time), % | ${results.map((r) => r.label).join(" | ")} |`,
      `| --- |${results.map(() => " ---: |").join("")}`,
    );
    for (const area of Object.keys(results[0].profile!.areas)) {
      lines.push(
        `| ${area} | ${
          count((r) => (100 * r.profile!.areas[area] / r.profile!.totalUs).toFixed(1))
        } |`,
      );
    }
  }
  if (results.every((r) => r.perf !== null)) {
    lines.push(
      "",
      `| perf, % of CPU samples | ${results.map((r) => r.label).join(" | ")} |`,
      `| --- |${results.map(() => " ---: |").join("")}`,
    );
    for (const group of Object.keys(results[0].perf!)) {
      lines.push(`| ${group} | ${count((r) => r.perf![group].toFixed(1))} |`);
    }
  }
  lines.push(
    "",
    "| start-up, ms (least of the runs) | |",
    "| --- | ---: |",
    `| Deno start (an empty script) | ${start.deno.toFixed(1)} |`,
    `| loading the CLI's modules (cli.ts --version − empty script) | ${
      (start.cli - start.deno).toFixed(1)
    } |`,
    `| FFI load of libisomc_checker.so (dlopen, ABI check) | ${
      (start.ffiLoad - start.ffiImport).toFixed(1)
    } |`,
    `| ./isomc wrapper: toolchain and build check (./isomc --version − cli.ts --version) | ${
      (start.wrapper - start.cli).toFixed(1)
    } |`,
    `| a whole check of a program without transitions (./isomc check -- yields 0) | ${
      start.check.toFixed(1)
    } |`,
    `| ↳ of which the search (stats.seconds: spawn, handshake, snapshot set-up) | ${
      start.checkSearch.toFixed(1)
    } |`,
    `| one FFI call of the checker's library (a fast call), ns | ${start.ffiCallNs.toFixed(0)} |`,
    `| one performance.now() (the checker's clock, twice per step), ns | ${
      start.performanceNowNs.toFixed(0)
    } |`,
  );
  return lines.join("\n");
}
