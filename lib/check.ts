/**
 * Checking a program, as a library call: resolve it, build the target for the chosen restore
 * strategy, run the chosen exploration, and always release the processes. The CLI's `check`
 * and `demo` and the tests all go through here.
 */

import { exploreDfs } from "./explore/dfs.ts";
import type { ExplorationResult, Stats } from "./explore/result.ts";
import type { NameTable } from "./model/transition.ts";
import { ReplayTarget } from "./process/replay_target.ts";
import { resolveProgram } from "./process/resolve.ts";

export const reductions = ["none"] as const;
export type Reduction = typeof reductions[number];

export interface CheckOptions {
  readonly reduction?: Reduction;
  readonly maxDepth?: number;
  readonly maxExecutions?: number;
  /** Longest a transition may run, in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Show the program's own output (off by default: it would repeat once per execution). */
  readonly showOutput?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (stats: Readonly<Stats>) => void;
}

export interface CheckResult extends ExplorationResult {
  readonly names: NameTable;
}

export const defaultTimeoutMs = 10_000;

export async function check(
  program: string,
  args: readonly string[],
  options: CheckOptions = {},
): Promise<CheckResult> {
  const env = options.env ?? Deno.env.toObject();
  const spec = resolveProgram(program, args, env);
  const target = new ReplayTarget(spec, {
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    showOutput: options.showOutput,
  });
  try {
    const result = await exploreDfs(target, options);
    return { ...result, names: target.names };
  } finally {
    await target.close();
  }
}
