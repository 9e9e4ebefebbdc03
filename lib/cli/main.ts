/**
 * Dispatches the CLI's commands and turns every failure into one line on stderr and an exit
 * code — and, when the command line asked for `--json`, into one JSON error object on stdout.
 */

import {
  errorKindOf,
  ExitCode,
  exitCodeOf,
  InputError,
  InternalError,
  UsageError,
} from "../errors.ts";
import { releaseAll } from "../process/cleanup.ts";
import { jsonError } from "../report/json.ts";
import { wantsJson } from "./args.ts";
import { ccCommandMain } from "./cc_command.ts";
import { checkCommand } from "./check_command.ts";
import { demoCommand } from "./demo_command.ts";
import {
  ccHelp,
  checkHelp,
  demoHelp,
  ltlHelp,
  mainHelp,
  replayHelp,
  showHelp,
  VERSION,
} from "./help.ts";
import { ltlCommand } from "./ltl_command.ts";
import { replayCommand } from "./replay_command.ts";
import { showCommand } from "./show_command.ts";

const helps: Record<string, string> = {
  check: checkHelp,
  replay: replayHelp,
  show: showHelp,
  cc: ccHelp,
  demo: demoHelp,
  ltl: ltlHelp,
};

export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
        // A usage error: the help goes where errors go, and stdout stays empty.
        console.error(mainHelp);
        return ExitCode.usage;
      case "-h":
      case "--help":
        console.log(mainHelp);
        return ExitCode.ok;
      case "--version":
        console.log(`isomc ${VERSION}`);
        return ExitCode.ok;
      case "help": {
        const text = rest[0] === undefined ? mainHelp : helps[rest[0]];
        if (text === undefined) throw new UsageError(`no such command: ${rest[0]}`);
        console.log(text);
        return ExitCode.ok;
      }
      case "check":
        return await checkCommand(rest);
      case "replay":
        return await replayCommand(rest);
      case "show":
        return await showCommand(rest);
      case "cc":
        return await ccCommandMain(rest);
      case "demo":
        return await demoCommand(rest);
      case "ltl":
        return ltlCommand(rest);
      default:
        throw new UsageError(`unknown command '${command}' (try: isomc --help)`);
    }
  } catch (e) {
    releaseAll();
    const message = e instanceof Error ? e.message : String(e);
    const isKnown = e instanceof InputError || e instanceof InternalError;
    const line = `${isKnown ? "" : "internal error: "}${message}`;
    console.error(`isomc: ${line}`);
    if (!isKnown && Deno.env.get("ISOMC_DEBUG") && e instanceof Error) console.error(e.stack);
    const exit = exitCodeOf(e);
    if (command === "check" && wantsJson(rest)) {
      console.log(JSON.stringify(jsonError(errorKindOf(e), line, exit)));
    }
    return exit;
  } finally {
    releaseAll();
  }
}
