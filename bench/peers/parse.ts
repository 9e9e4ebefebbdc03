/**
 * Reading what each tool says about a run: how many complete executions (traces) it explored,
 * whether it found an error, and its own timer when it has one. Pure functions over the
 * captured text, tested on real outputs in tests/bench_peers_test.ts.
 */

import type { ToolName } from "./programs.ts";
import { parseSimgrid } from "./simgrid.ts";

export interface ToolReport {
  /** Complete executions explored (one per trace for optimal DPOR), null if not reported. */
  readonly traces: number | null;
  /** Executions reported apart as blocked (sleep sets, assume, await). */
  readonly blocked: number;
  readonly verdict: "ok" | "violation" | "unknown";
  /** The first line that says what went wrong, when the verdict is not ok. */
  readonly message: string | null;
  /** The tool's own measure of its time, in seconds, when it prints one. */
  readonly ownSeconds: number | null;
  /** isomc only: transitions executed. */
  readonly transitions: number | null;
}

function count(text: string, pattern: RegExp): number | null {
  const m = text.match(pattern);
  return m === null ? null : Number(m[1]);
}

function firstLine(text: string, pattern: RegExp): string | null {
  return text.split("\n").find((l) => pattern.test(l))?.trim() ?? null;
}

/**
 * Nidhugg (src/main.cpp) prints on stdout "Trace count: N", then one line per kind of blocked
 * trace ("Sleepset-blocked trace count: M", "Assume-blocked ...", "Await-blocked ..."), then
 * "No errors were detected." or " Error detected:" and the trace, then "Total wall-clock time".
 */
export function parseNidhugg(stdout: string): ToolReport {
  const traces = count(stdout, /^Trace count: (\d+)/m);
  let blocked = 0;
  for (const m of stdout.matchAll(/^\w+-blocked trace count: (\d+)/gm)) blocked += Number(m[1]);
  const ok = /^No errors were detected\.$/m.test(stdout);
  const error = /^\s*Error detected:/m.test(stdout);
  return {
    traces,
    blocked,
    verdict: error ? "violation" : ok ? "ok" : "unknown",
    message: error
      ? firstLine(stdout, /^\s+Error: /) ?? "Error detected"
      : ok
      ? null
      : firstLine(stdout, /[Ee]rror/) ?? "no verdict in Nidhugg's output",
    ownSeconds: count(stdout, /^Total wall-clock time: ([\d.]+) s$/m),
    transitions: null,
  };
}

/**
 * GenMC (src/main.cpp) prints on stdout, after its state-space estimation, "*** Verification
 * complete." and "No errors were detected." or an "Error: ..." line (which may come from the
 * estimation, with "*** Estimation unsuccessful."), then "Number of complete executions
 * explored: N", "Number of blocked executions seen: M" when some were, and the wall-clock time.
 * The estimate's own numbers ("Total executions estimate") are not counts.
 */
export function parseGenmc(stdout: string): ToolReport {
  const traces = count(stdout, /^Number of complete executions explored: (\d+)/m);
  const ok = /^No errors were detected\.$/m.test(stdout);
  const error = /^Error: /m.test(stdout) || /^\*\*\* (Verification|Estimation) unsuccessful/m
    .test(stdout);
  return {
    traces,
    blocked: count(stdout, /^Number of blocked executions seen: (\d+)/m) ?? 0,
    verdict: error ? "violation" : ok ? "ok" : "unknown",
    message: error
      ? firstLine(stdout, /^Error: /) ?? "verification unsuccessful"
      : ok
      ? null
      : "no verdict in GenMC's output",
    ownSeconds: count(stdout, /^Total wall-clock time: ([\d.]+)s$/m),
    transitions: null,
  };
}

/** isomc check --json: one object on stdout (README, "--json output"). */
export function parseIsomc(stdout: string): ToolReport {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    return unknownReport("isomc printed no JSON report");
  }
  if (typeof report !== "object" || report === null) return unknownReport("not a report");
  const r = report as Record<string, unknown>;
  const stats = (typeof r.stats === "object" && r.stats !== null ? r.stats : {}) as Record<
    string,
    unknown
  >;
  const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
  const violation = r.violation as { kind?: unknown; message?: unknown } | null | undefined;
  const verdict = r.verdict === "ok" ? "ok" : r.verdict === "violation" ? "violation" : "unknown";
  return {
    traces: num(stats.executions),
    blocked: num(stats.sleep_blocked) ?? 0,
    verdict,
    message: verdict === "ok"
      ? null
      : violation
      ? `${String(violation.kind)}: ${String(violation.message)}`
      : `verdict ${String(r.verdict)}${r.incomplete ? ` (${String(r.incomplete)})` : ""}`,
    ownSeconds: num(stats.seconds),
    transitions: num(stats.transitions),
  };
}

function unknownReport(message: string): ToolReport {
  return {
    traces: null,
    blocked: 0,
    verdict: "unknown",
    message,
    ownSeconds: null,
    transitions: null,
  };
}

/** `stderr` matters to SimGrid only: the others report on stdout. */
export function parseReport(tool: ToolName, stdout: string, stderr = ""): ToolReport {
  switch (tool) {
    case "isomc":
      return parseIsomc(stdout);
    case "nidhugg":
      return parseNidhugg(stdout);
    case "genmc":
      return parseGenmc(stdout);
    case "simgrid":
      return parseSimgrid(`${stderr}\n${stdout}`);
  }
}

/**
 * Why a run does not count, or null when it does: it must end well, say "no error", and
 * report the expected number of traces.
 */
export function disagreement(
  report: ToolReport,
  expected: number,
  exitCode: number,
): string | null {
  if (report.verdict !== "ok") return report.message ?? `verdict ${report.verdict}`;
  if (exitCode !== 0) return `exit status ${exitCode}`;
  if (report.traces === null) return "no trace count in its output";
  if (report.traces !== expected) return `${report.traces} traces, expected ${expected}`;
  return null;
}
