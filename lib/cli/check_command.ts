/**
 * `isomc check`: explore a program, report the verdict, write the counterexample (a lasso for a
 * liveness check). The trace path is checked before the search; Ctrl-C (or SIGTERM) stops the
 * search, even in the middle of a transition that never returns, and the report says so; a
 * second one stops at once.
 */

import { check } from "../check.ts";
import { ExitCode } from "../errors.ts";
import { installCleanup, onFatalSignal, onInterrupt } from "../process/cleanup.ts";
import { formatReport } from "../report/human.ts";
import { jsonError, jsonReport, statsJson } from "../report/json.ts";
import { ProgressLine } from "../report/progress.ts";
import { buildTrace, traceText } from "../report/trace.ts";
import { buildLassoTrace } from "../report/liveness.ts";
import {
  checkOutputPath,
  checkTraceOut,
  defaultTracePath,
  tryWriteTrace,
} from "../report/trace_out.ts";
import { graphDot } from "../report/dot.ts";
import { StateGraph } from "../report/state_graph.ts";
import { writeCharts } from "./charts.ts";
import { type CheckRequest, parseCheckArgs } from "./check_options.ts";
import { checkHelp } from "./help.ts";
import { invokedAs } from "./invocation.ts";
import { preloadLibrary } from "../native/library.ts";

const encoder = new TextEncoder();

export async function checkCommand(args: readonly string[]): Promise<number> {
  const request = parseCheckArgs(args);
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
  const graph = request.dot === null ? undefined : new StateGraph();
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
  const trace = lasso !== null && result.liveness !== null
    ? buildLassoTrace(command, result.liveness, lasso, result.names, timeoutMs, extras)
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
    for (const w of writeCharts(trace, { svg: request.svg, html: request.html })) {
      if (w.failed !== null) {
        console.error(`isomc: warning: cannot write the ${w.what} to ${w.path}: ${w.failed}`);
      }
    }
  } else if (request.svg !== null || request.html !== null) {
    console.error("isomc: no counterexample: no chart written");
  }
  if (graph !== undefined && request.dot !== null) {
    const text = graphDot(graph, result.names, command.join(" "));
    const failed = tryWriteTrace(request.dot, text);
    if (failed !== null) {
      console.error(`isomc: warning: cannot write the state graph to ${request.dot}: ${failed}`);
    }
  }
  // What the reports say once of a --preload check, and where its debug hints find the runtime.
  const preload = result.preload === true ? preloadLibrary() : null;
  if (json) {
    console.log(
      JSON.stringify({
        ...jsonReport(result, result.names, {
          state: result.state,
          stderr: result.stderr,
          traceFile: written,
          sources: result.sources,
          liveness: result.liveness,
          preload,
        }),
        ...(result.parallel === undefined ? {} : { parallel: result.parallel }),
      }),
    );
  } else {
    Deno.stdout.writeSync(encoder.encode(formatReport(result, {
      names: result.names,
      command: invokedAs(),
      state: result.state,
      stderr: result.stderr,
      program: command,
      tracePath: written,
      liveness: result.liveness,
      sources: result.sources,
      preload,
    })));
  }
  if (result.verdict === "violation") return ExitCode.violation;
  return result.verdict === "ok" ? ExitCode.ok : ExitCode.incomplete;
}
