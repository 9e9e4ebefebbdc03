/**
 * `isomc check`'s command line: its options parsed, checked against each other (an option that
 * would be silently ignored in the combination given is a usage error), and turned into what
 * the check needs.
 */

import {
  defaultReduction,
  defaultRestore,
  defaultTimeoutMs,
  type Reduction,
  reductions,
  type Restore,
  restores,
  usesVisited,
} from "../check.ts";
import { UsageError } from "../errors.ts";
import { parse, positiveInteger, positiveSeconds, stringOption } from "./args.ts";

export interface CheckRequest {
  readonly program: string;
  readonly programArgs: readonly string[];
  readonly reduction: Reduction;
  readonly restore: Restore;
  /** As asked (undefined: the default for the restore and reduction). */
  readonly visited: boolean | undefined;
  /** Whether the search prunes visited states, as asked or by default. */
  readonly prunesVisited: boolean;
  readonly exactCompare: boolean;
  readonly pinCpu: boolean;
  readonly everyEnd: boolean;
  readonly snapshotSpacing: number | undefined;
  readonly maxCheckpoints: number | undefined;
  readonly maxDepth: number | undefined;
  readonly maxExecutions: number | undefined;
  readonly timeoutMs: number;
  readonly json: boolean;
  /** --trace-out as given, or null for the default (named after the program). */
  readonly traceOut: string | null;
  readonly showOutput: boolean;
  /** --svg, --html: where to draw the counterexample, if anywhere. */
  readonly svg: string | null;
  readonly html: string | null;
  /** --dot: where to write the explored state graph (needs --visited). */
  readonly dot: string | null;
}

export function parseCheckArgs(args: readonly string[]): CheckRequest | "help" {
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
    svg: { type: "string" },
    html: { type: "string" },
    dot: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";
  const [program, ...programArgs] = positionals;
  if (program === undefined) throw new UsageError("check: no program given (isomc check -- ./app)");
  const reduction = stringOption(values.reduction) ?? defaultReduction;
  if (!(reductions as readonly string[]).includes(reduction)) {
    throw new UsageError(
      `--reduction must be one of: ${reductions.join(", ")} (not '${reduction}')`,
    );
  }
  const restore = stringOption(values.restore) ?? defaultRestore;
  if (!(restores as readonly string[]).includes(restore)) {
    throw new UsageError(`--restore must be one of: ${restores.join(", ")} (not '${restore}')`);
  }
  if (values.visited && values["no-visited"]) {
    throw new UsageError("--visited and --no-visited contradict each other");
  }
  const visited = values.visited ? true : values["no-visited"] ? false : undefined;
  const prunesVisited = usesVisited(restore as Restore, reduction as Reduction, visited);
  const snapshotSpacing = positiveInteger("snapshot-spacing", values["snapshot-spacing"]);
  const maxCheckpoints = positiveInteger("max-checkpoints", values["max-checkpoints"]);
  const everyEnd = values["every-end"] === true;
  refuseIgnored(restore as Restore, prunesVisited, {
    snapshotSpacing: snapshotSpacing !== undefined,
    maxCheckpoints: maxCheckpoints !== undefined,
    everyEnd,
  });
  const timeout = positiveSeconds("timeout", values.timeout);
  const traceOut = fileOption("trace-out", values["trace-out"]);
  const dot = fileOption("dot", values.dot);
  if (dot !== null && !prunesVisited) {
    throw new UsageError(
      "--dot draws the states --visited tells apart: it needs --visited (--restore=memory --reduction=none)",
    );
  }
  return {
    program,
    programArgs,
    reduction: reduction as Reduction,
    restore: restore as Restore,
    visited,
    prunesVisited,
    exactCompare: values["exact-compare"] === true,
    pinCpu: values["no-pin"] !== true,
    everyEnd,
    snapshotSpacing,
    maxCheckpoints,
    maxDepth: positiveInteger("max-depth", values["max-depth"]),
    maxExecutions: positiveInteger("max-executions", values["max-executions"]),
    timeoutMs: timeout === undefined ? defaultTimeoutMs : Math.round(timeout * 1000),
    json: values.json === true,
    traceOut,
    showOutput: values["show-output"] === true,
    svg: fileOption("svg", values.svg),
    html: fileOption("html", values.html),
    dot,
  };
}

/** An option naming a file: null when absent, refused when empty. */
function fileOption(name: string, value: string | boolean | undefined): string | null {
  const path = stringOption(value) ?? null;
  if (path === "") throw new UsageError(`--${name} needs a file name`);
  return path;
}

/** Options that only one restore strategy reads would be ignored by the others: refuse them. */
function refuseIgnored(
  restore: Restore,
  prunesVisited: boolean,
  given: { snapshotSpacing: boolean; maxCheckpoints: boolean; everyEnd: boolean },
): void {
  if (given.maxCheckpoints && restore !== "fork") {
    throw new UsageError(
      `--max-checkpoints bounds the frozen processes of --restore=fork; it does nothing with --restore=${restore}`,
    );
  }
  if (given.everyEnd && restore !== "memory" && !(restore === "fork" && prunesVisited)) {
    throw new UsageError(
      `--every-end is for --restore=memory, or fork with --visited (the others run main's end after every execution); not with --restore=${restore}${
        restore === "fork" ? " without --visited" : ""
      }`,
    );
  }
  if (given.snapshotSpacing && (restore !== "memory" || prunesVisited)) {
    throw new UsageError(
      `--snapshot-spacing is for --restore=memory without --visited (${
        restore !== "memory" ? `not --restore=${restore}` : "--visited snapshots every state"
      })`,
    );
  }
}
