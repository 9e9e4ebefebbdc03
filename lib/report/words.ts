/** Counts in words, shared by every report: "1 execution", "2 executions", "1,024 states". */

import { formatCount } from "./count.ts";

/** "1 execution", "2 executions", "1,024 executions": every noun here takes an s. */
export function counted(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}
