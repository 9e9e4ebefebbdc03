/** Signal numbers of Linux x86_64 and how a crash report names them. */

const signals: ReadonlyMap<number, [string, string]> = new Map([
  [1, ["SIGHUP", "hangup"]],
  [2, ["SIGINT", "interrupt"]],
  [3, ["SIGQUIT", "quit"]],
  [4, ["SIGILL", "illegal instruction"]],
  [5, ["SIGTRAP", "trace trap"]],
  [6, ["SIGABRT", "abort"]],
  [7, ["SIGBUS", "bus error"]],
  [8, ["SIGFPE", "arithmetic exception"]],
  [9, ["SIGKILL", "killed"]],
  [10, ["SIGUSR1", "user signal 1"]],
  [11, ["SIGSEGV", "segmentation fault"]],
  [12, ["SIGUSR2", "user signal 2"]],
  [13, ["SIGPIPE", "broken pipe"]],
  [14, ["SIGALRM", "alarm"]],
  [15, ["SIGTERM", "terminated"]],
  [24, ["SIGXCPU", "CPU time limit exceeded"]],
  [25, ["SIGXFSZ", "file size limit exceeded"]],
  [31, ["SIGSYS", "bad system call"]],
]);

export function signalName(signal: number): string {
  return signals.get(signal)?.[0] ?? `signal ${signal}`;
}

/** "SIGSEGV (segmentation fault)". */
export function describeSignal(signal: number): string {
  const known = signals.get(signal);
  return known === undefined ? `signal ${signal}` : `${known[0]} (${known[1]})`;
}
