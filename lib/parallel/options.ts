/**
 * The parallel options of `isomc check` (--jobs, --coordinator, --expect-workers), checked
 * against each other and against the options a parallel check does not offer yet.
 */

import { UsageError } from "../errors.ts";
import { type Address, parseAddress } from "./wire.ts";

export interface ParallelOptions {
  readonly jobs: number | undefined;
  readonly coordinator: Address | undefined;
  readonly expectWorkers: number | undefined;
}

export function parallelOptions(
  jobs: number | undefined,
  coordinator: string | undefined,
  expectWorkers: number | undefined,
  others: { maxExecutions: boolean; showOutput: boolean },
): ParallelOptions {
  if (jobs !== undefined && coordinator !== undefined) {
    throw new UsageError("--jobs starts local workers, --coordinator waits for others: not both");
  }
  if (expectWorkers !== undefined && coordinator === undefined) {
    throw new UsageError("--expect-workers needs --coordinator=HOST:PORT");
  }
  const address = coordinator === undefined ? undefined : parseAddress(coordinator);
  if (address === null || address?.transport === "unix") {
    throw new UsageError(`--coordinator must be HOST:PORT (not '${coordinator}')`);
  }
  if (jobs !== undefined || address !== undefined) {
    const refused = others.maxExecutions
      ? "--max-executions"
      : others.showOutput
      ? "--show-output"
      : null;
    if (refused !== null) {
      throw new UsageError(`${refused} is not available with --jobs or --coordinator yet`);
    }
  }
  return { jobs, coordinator: address, expectWorkers };
}
