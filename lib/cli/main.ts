/**
 * Dispatches the CLI's commands and turns every failure into one line on stderr and an exit
 * code — and, when the command line asked for `--json`, into one JSON error object on stdout.
 *
 * Each command's modules are imported when that command runs, not before: `isomc --version`
 * and `isomc help` load this file, the help texts and the error classes only (no native
 * library, no node: compatibility modules), and `isomc check` does not load the LTL translator.
 * Importing everything up front cost about 40 ms of CPU on every call (bench/README.md,
 * "Speed, part 1").
 */

import {
  errorKindOf,
  ExitCode,
  exitCodeOf,
  InputError,
  InternalError,
  UsageError,
} from "../errors.ts";
import {
  ccHelp,
  checkHelp,
  demoHelp,
  ltlHelp,
  mainHelp,
  replayHelp,
  showHelp,
  VERSION,
  workerHelp,
} from "./help.ts";

const helps: Record<string, string> = {
  check: checkHelp,
  replay: replayHelp,
  show: showHelp,
  cc: ccHelp,
  demo: demoHelp,
  ltl: ltlHelp,
  worker: workerHelp,
};

type Command = (args: readonly string[]) => Promise<number> | number;

/** The commands, each loaded on first use. */
const commands: Record<string, () => Promise<Command>> = {
  check: async () => (await import("./check_command.ts")).checkCommand,
  replay: async () => (await import("./replay_command.ts")).replayCommand,
  show: async () => (await import("./show_command.ts")).showCommand,
  cc: async () => (await import("./cc_command.ts")).ccCommandMain,
  demo: async () => (await import("./demo_command.ts")).demoCommand,
  ltl: async () => (await import("./ltl_command.ts")).ltlCommand,
  worker: async () => (await import("../parallel/worker_command.ts")).workerCommand,
};

/** Commands that start programs: whatever way they end, nothing they started may outlive them. */
const startsPrograms = new Set(["check", "replay", "demo", "worker"]);

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
    }
    const load = Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (load === undefined) {
      throw new UsageError(`unknown command '${command}' (try: isomc --help)`);
    }
    return await (await load())(rest);
  } catch (e) {
    await release(command);
    const message = e instanceof Error ? e.message : String(e);
    const isKnown = e instanceof InputError || e instanceof InternalError;
    const line = `${isKnown ? "" : "internal error: "}${message}`;
    console.error(`isomc: ${line}`);
    if (!isKnown && Deno.env.get("ISOMC_DEBUG") && e instanceof Error) console.error(e.stack);
    const exit = exitCodeOf(e);
    if (command === "check" && (await import("./args.ts")).wantsJson(rest)) {
      const { jsonError } = await import("../report/json.ts");
      console.log(JSON.stringify(jsonError(errorKindOf(e), line, exit)));
    }
    return exit;
  } finally {
    await release(command);
  }
}

/** Kills and reaps what a command that starts programs left running (lib/process/cleanup.ts). */
async function release(command: string | undefined): Promise<void> {
  if (command === undefined || !startsPrograms.has(command)) return;
  (await import("../process/cleanup.ts")).releaseAll();
}
