/** Argument parsing shared by the commands, on node:util's parseArgs. */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

export function parse(command: string, args: readonly string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    throw new InputError(describeParseError(command, e as Error & { code?: string }));
  }
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
    throw new InputError(`--${name} needs a positive integer, not '${value}'`);
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
    throw new InputError(`--${name} needs a number of seconds between 0 and 86400, not '${value}'`);
  }
  return n;
}

export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
