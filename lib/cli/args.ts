/**
 * Argument parsing shared by the commands, with node:util's parseArgs's rules in strict mode
 * (options anywhere, `--name=value` or `--name value`, `-h` and groups of short flags, `--`
 * ends the options) but without node:util: importing the first node: module starts Deno's Node
 * compatibility layer, 7 ms of CPU at each start-up (bench/README.md, "What a small check
 * costs"). Unknown options, missing or unexpected values and options given twice are usage
 * errors, each one line. tests/args_test.ts compares it with node's parseArgs.
 */

import { UsageError } from "../errors.ts";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
}

type Options = Readonly<Record<string, OptionSpec>>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** What an option token of the command line says: its name, how it was written, its value. */
interface Token {
  readonly name: string;
  readonly rawName: string;
  readonly value: string | undefined;
}

export function parse(command: string, args: readonly string[], options: Options): Parsed {
  const values: Record<string, string | boolean | undefined> = Object.create(null);
  const positionals: string[] = [];
  // Each option may be given once: `--reduction=none --reduction=odpor` would otherwise
  // quietly run odpor.
  const seen = new Map<string, string>();
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short !== undefined) byShort.set(spec.short, name);
  }
  const unknown = (raw: string): UsageError =>
    new UsageError(
      `${command}: unknown option '${raw}' (see isomc ${command} --help; the program and its arguments go after --)`,
    );
  const take = (t: Token): void => {
    const earlier = seen.get(t.name);
    if (earlier !== undefined) {
      throw new UsageError(
        `${command}: ${t.rawName} is given twice (${earlier} and ${spelled(t)}): give it once`,
      );
    }
    seen.set(t.name, spelled(t));
    values[t.name] = t.value ?? true;
  };
  /** The value of a string option written without `=`: the next argument, not option-like. */
  const next = (raw: string, i: number): string => {
    const v = args[i];
    if (v === undefined || (v.length > 1 && v.startsWith("-"))) {
      throw new UsageError(`${command}: ${raw} needs a value (${raw}=VALUE)`);
    }
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const raw = `--${name}`;
      const spec = Object.hasOwn(options, name) ? options[name] : undefined;
      // (node's parseArgs names `--=x` whole: it is no option with a value)
      if (spec === undefined) throw unknown(name === "" ? arg : raw);
      if (spec.type === "boolean") {
        if (eq >= 0) throw new UsageError(`${command}: ${raw} takes no value`);
        take({ name, rawName: raw, value: undefined });
      } else {
        const value = eq >= 0 ? arg.slice(eq + 1) : next(raw, ++i);
        take({ name, rawName: raw, value });
      }
      continue;
    }
    if (arg.length > 1 && arg.startsWith("-")) {
      // -h, or a group of short options: -hq is -h -q; a short string option takes the rest.
      for (let k = 1; k < arg.length; k++) {
        const raw = `-${arg[k]}`;
        const name = byShort.get(arg[k]);
        if (name === undefined) throw unknown(raw);
        if (options[name].type === "boolean") {
          take({ name, rawName: raw, value: undefined });
          continue;
        }
        const value = k + 1 < arg.length ? arg.slice(k + 1) : next(raw, ++i);
        take({ name, rawName: raw, value });
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}

/** How an option token was written: `--reduction=none`, `--json`, `-h`. */
function spelled(token: Token): string {
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
