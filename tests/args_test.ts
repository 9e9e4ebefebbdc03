/**
 * lib/cli/args.ts's parser against node:util's parseArgs (strict, positionals allowed), as the
 * commands used it before: on every command line of up to three words from an alphabet of
 * options, values, flags, groups and `--`, the same values and positionals, or the same
 * one-line usage error.
 */

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { parse } from "../lib/cli/args.ts";
import { UsageError } from "../lib/errors.ts";

const options = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  quiet: { type: "boolean", short: "q" },
  timeout: { type: "string" },
  reduction: { type: "string" },
} as const;

/** The parsing as it was, on node's parseArgs, its errors said shortly. */
function reference(args: string[]): { values: object; positionals: string[] } | string {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = err.message.match(/'(-[^' ]*)/)?.[1] ?? "?";
    switch (err.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        return `x: unknown option '${option}' (see isomc x --help; the program and its arguments go after --)`;
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        return err.message.includes("does not take an argument")
          ? `x: ${option} takes no value`
          : `x: ${option} needs a value (${option}=VALUE)`;
      default:
        return `x: ${err.message.split("\n")[0]}`;
    }
  }
  const seen = new Map<string, string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    const spelled = t.value === undefined ? t.rawName : `${t.rawName}=${t.value}`;
    const earlier = seen.get(t.name);
    if (earlier !== undefined) {
      return `x: ${t.rawName} is given twice (${earlier} and ${spelled}): give it once`;
    }
    seen.set(t.name, spelled);
  }
  return { values: { ...parsed.values }, positionals: parsed.positionals };
}

function ours(args: string[]): { values: object; positionals: string[] } | string {
  try {
    const p = parse("x", args, options);
    return { values: { ...p.values }, positionals: p.positionals };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return e.message;
  }
}

const words = [
  "--json",
  "--json=1",
  "-h",
  "-q",
  "-hq",
  "-hx",
  "-x",
  "--timeout",
  "--timeout=5",
  "--timeout=",
  "5",
  "-",
  "--",
  "--bogus",
  "--bogus=1",
  "prog",
  "-5",
  "--=x",
  "--reduction",
];

Deno.test("args: the same result as node's parseArgs on every line of up to three words", () => {
  let lines = 0;
  const each = (prefix: string[]): void => {
    const a = reference(prefix);
    const b = ours(prefix);
    // Where the old parser met an error and a repeat, it said the error: ours says the first.
    if (!(typeof a === "string" && typeof b === "string" && b.includes("given twice"))) {
      assert.deepEqual(b, a, JSON.stringify(prefix));
    }
    lines++;
    if (prefix.length === 3) return;
    for (const w of words) each([...prefix, w]);
  };
  each([]);
  assert.equal(lines, 1 + 19 + 19 ** 2 + 19 ** 3);
});

Deno.test("args: the errors a user meets, each one line", () => {
  assert.equal(ours(["--bogus"]), reference(["--bogus"]));
  assert.match(String(ours(["--json", "--json"])), /--json is given twice \(--json and --json\)/);
  assert.match(String(ours(["--timeout"])), /--timeout needs a value \(--timeout=VALUE\)/);
  assert.match(String(ours(["--json=yes"])), /--json takes no value/);
  assert.deepEqual(ours(["--timeout", "-", "--", "--json"]), {
    values: { timeout: "-" },
    positionals: ["--json"],
  });
});
