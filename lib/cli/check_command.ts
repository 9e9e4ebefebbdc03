/** `isomc check`: explore a program, report the verdict, write the counterexample. */

import { relative } from "node:path";
import { check, defaultTimeoutMs, type Reduction, reductions } from "../check.ts";
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
  const reduction = stringOption(values.reduction) ?? "none";
  if (!(reductions as readonly string[]).includes(reduction)) {
    throw new InputError(
      `--reduction must be one of: ${reductions.join(", ")} (not '${reduction}')`,
    );
  }
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
      maxDepth: positiveInteger("max-depth", values["max-depth"]),
      maxExecutions: positiveInteger("max-executions", values["max-executions"]),
      timeoutMs,
      showOutput: values["show-output"] === true,
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
    console.log(JSON.stringify(jsonReport(result, result.names)));
  } else {
    const shown = written === null ? null : relative(Deno.cwd(), written) || written;
    Deno.stdout.writeSync(
      new TextEncoder().encode(
        formatReport(result, {
          names: result.names,
          program: [program, ...programArgs],
          tracePath: shown,
        }),
      ),
    );
  }
  if (result.verdict === "violation") return ExitCode.violation;
  return result.verdict === "ok" ? ExitCode.ok : ExitCode.incomplete;
}
