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
    const hint = (e as Error).message.includes("Unknown option")
      ? ` (put the program after --: isomc ${command} [options] -- PROGRAM [ARGS])`
      : "";
    throw new InputError(`${command}: ${(e as Error).message}${hint}`);
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
