/**
 * `isomc check`: explore a program, report the verdict, write the counterexample (a lasso for a
 * liveness check). The trace path is checked before the search; Ctrl-C (or SIGTERM) stops the
 * search, even in the middle of a transition that never returns, and the report says so; a
 * second one stops at once.
 *
 * What only some checks use is imported when they use it: the liveness report (and the LTL
 * modules under it) for --ltl, --never and --non-progress, the state graph for --dot, the
 * charts for --svg and --html. A plain check loads none of them (start-up, bench/README.md
 * "What a small check costs", "Cut, part 2").
 */

import { check } from "../check.ts";
import { ExitCode } from "../errors.ts";
import { installCleanup, onFatalSignal, onInterrupt } from "../process/cleanup.ts";
import { formatReport } from "../report/human.ts";
import { jsonError, jsonReport, statsJson } from "../report/json.ts";
import { ProgressLine } from "../report/progress.ts";
import { buildTrace, traceText } from "../report/trace.ts";
import {
  checkOutputPath,
  checkTraceOut,
  defaultTracePath,
  tryWriteTrace,
} from "../report/trace_out.ts";
import type { StateGraph } from "../report/state_graph.ts";
import { type CheckRequest, parseCheckArgs } from "./check_options.ts";
import { checkHelp } from "./help.ts";
import { invokedAs } from "./invocation.ts";
import { preloadLibrary } from "../native/library.ts";

const encoder = new TextEncoder();

export async function checkCommand(args: readonly string[]): Promise<number> {
  const request = await parseCheckArgs(args);
  if (request === "help") {
    console.log(checkHelp);
    return ExitCode.ok;
  }
  const { program, json } = request;
  const tracePath = request.traceOut ?? defaultTracePath(program);
  checkTraceOut(tracePath, program, request.traceOut === null);
  if (request.svg !== null) checkOutputPath(request.svg, "svg");
  if (request.html !== null) checkOutputPath(request.html, "html");
  if (request.dot !== null) checkOutputPath(request.dot, "dot");

  installCleanup();
  const controller = new AbortController();
  onInterrupt(() => controller.abort());
  const progress = new ProgressLine(
    !json && Deno.stderr.isTerminal(),
    request.liveness !== null ? "product" : request.prunesVisited,
  );
  onFatalSignal((signal, status) => {
    progress.clear();
    const again = controller.signal.aborted ? "a second " : "";
    const message = `stopped at once by ${again}${signal}, without a report`;
    console.error(`isomc: ${message}`);
    if (json) console.log(JSON.stringify(jsonError("interrupted", message, status)));
  });
  try {
    return await checkAndReport(request, tracePath, controller, progress);
  } finally {
    onFatalSignal(null);
  }
}

async function checkAndReport(
  request: CheckRequest,
  tracePath: string,
  controller: AbortController,
  progress: ProgressLine,
): Promise<number> {
  const { program, programArgs, json, timeoutMs } = request;
  let graph: StateGraph | undefined;
  if (request.dot !== null) {
    // Loaded here, as the charts, the state graph's drawing and the liveness report are below:
    // a plain check does not pay for them.
    const { StateGraph } = await import("../report/state_graph.ts");
    graph = new StateGraph();
  }
  let result;
  try {
    result = await check(program, programArgs, {
      reduction: request.reduction,
      restore: request.restore,
      memory: request.memory,
      races: request.races,
      visited: request.visited,
      exactCompare: request.exactCompare,
      pinCpu: request.pinCpu,
      everyEnd: request.everyEnd ? true : undefined,
      snapshotSpacing: request.snapshotSpacing,
      maxCheckpoints: request.maxCheckpoints,
      maxDepth: request.maxDepth,
      maxExecutions: request.maxExecutions,
      timeoutMs,
      // With --json, stdout holds the report alone: the program's output goes to stderr.
      showOutput: request.showOutput && (json ? "stderr" : true),
      signal: controller.signal,
      onProgress: (stats) => progress.update(stats),
      liveness: request.liveness ?? undefined,
      graph,
      jobs: request.jobs,
      coordinator: request.coordinator,
      expectWorkers: request.expectWorkers,
      nondetRange: request.nondetRange,
      svcomp: request.svcomp,
      preload: request.preload,
      joinOnExit: request.joinOnExit,
    });
  } finally {
    progress.clear();
    onInterrupt(null);
  }

  // The result is not thrown away when the trace cannot be written: it is reported, with a
  // warning, and the exit status is the verdict's.
  let written: string | null = null;
  const command = [program, ...programArgs];
  const lasso = result.liveness?.lasso ?? null;
  // The lasso's rendering (and the LTL modules under it), for a liveness check only.
  const livenessReport = result.liveness === null ? null : await import("../report/liveness.ts");
  const extras = {
    sources: result.sources,
    stderr: result.stderr,
    stats: statsJson(result.stats, result.state, result.liveness),
    memory: request.memory,
    preload: request.preload,
    joinOnExit: request.joinOnExit,
    svcomp: request.svcomp,
    nondetRange: request.nondetRange,
  };
  const trace = lasso !== null && result.liveness !== null && livenessReport !== null
    ? livenessReport.buildLassoTrace(
      command,
      result.liveness,
      lasso,
      result.names,
      timeoutMs,
      extras,
    )
    : result.violation !== null
    ? buildTrace(command, result.violation, result.names, timeoutMs, extras)
    : null;
  if (trace !== null) {
    const failed = tryWriteTrace(tracePath, traceText(trace));
    if (failed === null) {
      written = tracePath;
    } else {
      console.error(`isomc: warning: cannot write the trace to ${tracePath}: ${failed}`);
    }
    const charts = request.svg === null && request.html === null
      ? []
      : (await import("./charts.ts")).writeCharts(trace, { svg: request.svg, html: request.html });
    for (const w of charts) {
      if (w.failed !== null) {
        console.error(`isomc: warning: cannot write the ${w.what} to ${w.path}: ${w.failed}`);
      }
    }
  } else if (request.svg !== null || request.html !== null) {
    console.error("isomc: no counterexample: no chart written");
  }
  if (graph !== undefined && request.dot !== null) {
    const { graphDot } = await import("../report/dot.ts");
    const text = graphDot(graph, result.names, command.join(" "));
    const failed = tryWriteTrace(request.dot, text);
    if (failed !== null) {
      console.error(`isomc: warning: cannot write the state graph to ${request.dot}: ${failed}`);
    }
  }
  // What the reports say once of a --preload check, and where its debug hints find the runtime.
  const preload = result.preload === true ? preloadLibrary() : null;
  if (json) {
    const ctx = {
      state: result.state,
      stderr: result.stderr,
      traceFile: written,
      sources: result.sources,
      preload,
    };
    console.log(
      JSON.stringify({
        ...(result.liveness !== null && livenessReport !== null
          ? livenessReport.livenessJsonReport(result, result.names, result.liveness, ctx)
          : jsonReport(result, result.names, ctx)),
        ...(result.parallel === undefined ? {} : { parallel: result.parallel }),
      }),
    );
  } else {
    const ctx = {
      names: result.names,
      command: invokedAs(),
      state: result.state,
      stderr: result.stderr,
      program: command,
      tracePath: written,
      sources: result.sources,
      preload,
    };
    Deno.stdout.writeSync(encoder.encode(
      result.liveness !== null && livenessReport !== null
        ? livenessReport.formatLivenessReport(result, result.liveness, ctx)
        : formatReport(result, ctx),
    ));
  }
  if (result.verdict === "violation") return ExitCode.violation;
  return result.verdict === "ok" ? ExitCode.ok : ExitCode.incomplete;
}
