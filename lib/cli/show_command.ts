/**
 * `isomc show TRACE`: a counterexample again, from its trace file alone (the program is not
 * needed): the report's words on stdout, or its chart as SVG (--svg=FILE) or a page of it all
 * (--html=FILE). A file that is not a trace gets the readers' one line (exit 2), as does an
 * output file that cannot be written.
 */

import { ExitCode, InputError, UsageError } from "../errors.ts";
import { formatCounterexample, formatStats, replayHints } from "../report/human.ts";
import { statsFromJson } from "../report/json.ts";
import { isLassoKind, readTrace, type TraceFile } from "../report/trace.ts";
import { formatLivenessStats, livenessStatsFromJson } from "../report/liveness_stats.ts";
import { preloadLibrary } from "../native/library.ts";
import { parse, stringOption } from "./args.ts";
import { showHelp } from "./help.ts";
import { invokedAs } from "./invocation.ts";
import { writeCharts } from "./charts.ts";

export async function showCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse("show", args, {
    svg: { type: "string" },
    html: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(showHelp);
    return ExitCode.ok;
  }
  if (positionals.length === 0) throw new UsageError("show: no trace given (isomc show TRACE)");
  if (positionals.length > 1) {
    throw new UsageError(`show: one trace at a time (got ${positionals.length})`);
  }
  const [path] = positionals;
  const svg = outputOption("svg", values.svg);
  const page = outputOption("html", values.html);
  const trace = readTrace(path);
  if (svg === null && page === null) {
    await writeStdout(formatShow(trace, path, invokedAs()));
    return ExitCode.ok;
  }
  const failed = writeCharts(trace, { svg, html: page }).find((w) => w.failed !== null);
  if (failed !== undefined) {
    throw new InputError(`cannot write the ${failed.what} to ${failed.path}: ${failed.failed}`);
  }
  return ExitCode.ok;
}

function outputOption(name: string, value: string | boolean | undefined): string | null {
  const path = stringOption(value) ?? null;
  if (path === "") throw new UsageError(`--${name} needs a file name`);
  return path;
}

async function writeStdout(s: string): Promise<void> {
  const bytes = new TextEncoder().encode(s);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

/** What `isomc show` prints: the counterexample as `isomc check` said it, then how to replay. */
export function formatShow(trace: TraceFile, path: string, command: string): string {
  const lines: string[] = [];
  if (trace.violation === null) {
    lines.push(`isomc: the trace records no violation, in ${trace.steps.length} steps:`);
    const width = String(trace.steps.length).length;
    for (const s of trace.steps) {
      const where = s.source === undefined ? "" : `   ${s.source}`;
      lines.push(`  ${String(s.step).padStart(width)}. ${s.actor_name}: ${s.transition}${where}`);
    }
  } else {
    lines.push(...formatCounterexample(trace.violation, trace.steps));
  }
  const stats = trace.stats === undefined ? null : statsFromJson(trace.stats);
  // A liveness search's statistics count product states (and say so).
  const product = stats === null || trace.stats === undefined
    ? null
    : livenessStatsFromJson(stats, trace.stats);
  if (stats !== null) {
    lines.push("");
    lines.push(`Explored ${product === null ? formatStats(stats) : formatLivenessStats(product)}.`);
  }
  if (trace.program.length > 0) {
    const lasso = isLassoKind(trace.violation?.kind);
    lines.push("");
    lines.push(
      ...replayHints(
        command,
        path,
        trace.program,
        "Replay it outside the checker:",
        lasso,
        trace.preload === true ? preloadLibrary() : null,
      ),
    );
  }
  return lines.join("\n") + "\n";
}
