/**
 * `isomc replay`: re-run a counterexample outside the checker and say if it happened again; a
 * lasso (liveness, non-progress) is re-run under the checker's control, its cycle twice.
 */

import { ExitCode, UsageError } from "../errors.ts";
import { installCleanup } from "../process/cleanup.ts";
import { replay } from "../replay.ts";
import { parse, positiveSeconds } from "./args.ts";
import { replayHelp } from "./help.ts";

export async function replayCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse("replay", args, {
    quiet: { type: "boolean", short: "q" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(replayHelp);
    return ExitCode.ok;
  }
  const [trace, program, ...programArgs] = positionals;
  if (trace === undefined) {
    throw new UsageError("replay: no trace given (isomc replay TRACE -- ./app)");
  }
  if (program === undefined) {
    throw new UsageError("replay: no program given (isomc replay TRACE -- ./app)");
  }
  const timeout = positiveSeconds("timeout", values.timeout);
  installCleanup();
  const result = await replay(trace, program, programArgs, {
    verbose: values.quiet !== true,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    notice: (message) => console.error(`isomc: ${message}`),
  });
  if (result.reproduced) {
    const what = result.observed === "liveness" || result.observed === "non-progress"
      ? `${result.observed} violation`
      : result.observed;
    console.error(`isomc: replay reproduced the ${what}: ${result.message}`);
    return ExitCode.violation;
  }
  if (result.observed === "none") {
    console.error(
      `isomc: ${result.message}; the recorded ${result.expected ?? "run"} did not happen`,
    );
    return result.expected === null ? ExitCode.ok : ExitCode.incomplete;
  }
  console.error(
    `isomc: the replay ended with a ${result.observed} (${result.message}), not the recorded ${
      result.expected ?? "clean run"
    }`,
  );
  return ExitCode.incomplete;
}
