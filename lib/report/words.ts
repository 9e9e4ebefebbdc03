/** Counts in words, shared by every report: "1 execution", "2 executions", "1,024 states". */

const count = new Intl.NumberFormat("en-US");

/** "1 execution", "2 executions", "1,024 executions": every noun here takes an s. */
export function counted(n: number, noun: string): string {
  return `${count.format(n)} ${noun}${n === 1 ? "" : "s"}`;
}
