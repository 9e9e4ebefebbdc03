/** `isomc check`: explore a program, report the verdict, write the counterexample. */

import { relative } from "node:path";
import {
  check,
  defaultReduction,
  defaultRestore,
  defaultTimeoutMs,
  type Reduction,
  reductions,
  type Restore,
  restores,
} from "../check.ts";
import { ExitCode, InputError } from "../errors.ts";
import { installCleanup, onInterrupt } from "../process/cleanup.ts";
import { formatReport } from "../report/human.ts";
import { jsonReport } from "../report/json.ts";
import { ProgressLine } from "../report/progress.ts";
import { buildTrace, writeTrace } from "../report/trace.ts";
import { parse, positiveInteger, positiveSeconds, stringOption } from "./args.ts";
import { checkHelp } from "./help.ts";

export const defaultTracePath = "isomc-trace.json";

export async function checkCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse("check", args, {
    reduction: { type: "string" },
    restore: { type: "string" },
    visited: { type: "boolean" },
    "no-visited": { type: "boolean" },
    "exact-compare": { type: "boolean" },
    "no-pin": { type: "boolean" },
    "every-end": { type: "boolean" },
    "snapshot-spacing": { type: "string" },
    "max-checkpoints": { type: "string" },
    "max-depth": { type: "string" },
    "max-executions": { type: "string" },
    timeout: { type: "string" },
    json: { type: "boolean" },
    "trace-out": { type: "string" },
    "show-output": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(checkHelp);
    return ExitCode.ok;
  }
  const [program, ...programArgs] = positionals;
  if (program === undefined) throw new InputError("check: no program given (isomc check -- ./app)");
  const reduction = stringOption(values.reduction) ?? defaultReduction;
  if (!(reductions as readonly string[]).includes(reduction)) {
    throw new InputError(
      `--reduction must be one of: ${reductions.join(", ")} (not '${reduction}')`,
    );
  }
  const restore = stringOption(values.restore) ?? defaultRestore;
  if (!(restores as readonly string[]).includes(restore)) {
    throw new InputError(`--restore must be one of: ${restores.join(", ")} (not '${restore}')`);
  }
  if (values.visited && values["no-visited"]) {
    throw new InputError("--visited and --no-visited contradict each other");
  }
  const visited = values.visited ? true : values["no-visited"] ? false : undefined;
  const timeout = positiveSeconds("timeout", values.timeout);
  const timeoutMs = timeout === undefined ? defaultTimeoutMs : Math.round(timeout * 1000);
  const tracePath = stringOption(values["trace-out"]) ?? defaultTracePath;
  const json = values.json === true;

  installCleanup();
  const controller = new AbortController();
  onInterrupt(() => controller.abort());
  const progress = new ProgressLine(!json && Deno.stderr.isTerminal());
  let result;
  try {
    result = await check(program, programArgs, {
      reduction: reduction as Reduction,
      restore: restore as Restore,
      visited,
      exactCompare: values["exact-compare"] === true,
      pinCpu: values["no-pin"] !== true,
      everyEnd: values["every-end"] === true ? true : undefined,
      snapshotSpacing: positiveInteger("snapshot-spacing", values["snapshot-spacing"]),
      maxCheckpoints: positiveInteger("max-checkpoints", values["max-checkpoints"]),
      maxDepth: positiveInteger("max-depth", values["max-depth"]),
      maxExecutions: positiveInteger("max-executions", values["max-executions"]),
      timeoutMs,
      // With --json, stdout holds the report alone: the program's output goes to stderr.
      showOutput: values["show-output"] === true && (json ? "stderr" : true),
      signal: controller.signal,
      onProgress: (stats) => progress.update(stats),
    });
  } finally {
    progress.clear();
    onInterrupt(null);
  }

  let written: string | null = null;
  if (result.violation !== null) {
    writeTrace(
      tracePath,
      buildTrace([program, ...programArgs], result.violation, result.names, timeoutMs),
    );
    written = tracePath;
  }
  if (json) {
    console.log(JSON.stringify(jsonReport(result, result.names, result.state, result.stderr)));
  } else {
    const shown = written === null ? null : relative(Deno.cwd(), written) || written;
    Deno.stdout.writeSync(
      new TextEncoder().encode(
        formatReport(result, {
          names: result.names,
          state: result.state,
          stderr: result.stderr,
          program: [program, ...programArgs],
          tracePath: shown,
        }),
      ),
    );
  }
  if (result.verdict === "violation") return ExitCode.violation;
  return result.verdict === "ok" ? ExitCode.ok : ExitCode.incomplete;
}
