/**
 * Argument parsing shared by the commands, on node:util's parseArgs: unknown options, missing
 * or unexpected values and options given twice are usage errors, each one line.
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

export function parse(command: string, args: readonly string[], options: Options): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError(describeParseError(command, e as Error & { code?: string }));
  }
  // parseArgs keeps the last of repeated options: `--reduction=none --reduction=odpor` would
  // quietly run odpor. Each option may be given once.
  const seen = new Map<string, string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const earlier = seen.get(token.name);
    if (earlier !== undefined) {
      throw new UsageError(
        `${command}: ${token.rawName} is given twice (${earlier} and ${
          spelled(token)
        }): give it once`,
      );
    }
    seen.set(token.name, spelled(token));
  }
  return { values: parsed.values as Parsed["values"], positionals: parsed.positionals };
}

/** How an option token was written: `--reduction=none`, `--json`, `-h`. */
function spelled(token: { rawName: string; value?: string | undefined }): string {
  return token.value === undefined ? token.rawName : `${token.rawName}=${token.value}`;
}

/**
 * Whether the command line asks for JSON (`--json` among the options, before `--`): decided
 * before parsing, so that even a usage error answers with a JSON object.
 */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

/** node's parseArgs messages run over several lines and speak of positionals: say it shortly. */
function describeParseError(command: string, e: Error & { code?: string }): string {
  const option = e.message.match(/'(-[^' ]*)/)?.[1] ?? "?";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `${command}: unknown option '${option}' (see isomc ${command} --help; the program and its arguments go after --)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return e.message.includes("does not take an argument")
        ? `${command}: ${option} takes no value`
        : `${command}: ${option} needs a value (${option}=VALUE)`;
    default:
      return `${command}: ${e.message.split("\n")[0]}`;
  }
}

export function positiveInteger(
  name: string,
  value: string | boolean | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${name} needs a positive integer, not '${value}'`);
  }
  return n;
}

export function positiveSeconds(
  name: string,
  value: string | boolean | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || n > 86_400) {
    throw new UsageError(`--${name} needs a number of seconds between 0 and 86400, not '${value}'`);
  }
  return n;
}

export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
