/**
 * The parallel options of `isomc check` (--jobs, --coordinator, --expect-workers), checked
 * against each other (lib/check.ts refuses the options a parallel check does not offer).
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
  return { jobs, coordinator: address, expectWorkers };
}
