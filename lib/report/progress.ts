/**
 * The progress line on stderr while a long search runs: only on a terminal and never with
 * --json, at most ten updates a second (the exploration's heartbeat paces the calls), erased
 * when the search ends, however it ends.
 */

import type { Stats } from "../explore/result.ts";
import { counted } from "./words.ts";
import { formatCount } from "./count.ts";

/** What the line counts: executions, distinct states (visited states pruned), product states. */
export type ProgressCount = boolean | "product";

/**
 * The line's text. A search that prunes visited states counts states (executions end rarely),
 * a liveness search product states (program state, automaton state) and program states.
 */
export function progressText(stats: Readonly<Stats>, visited: ProgressCount): string {
  const rate = stats.seconds > 0 ? Math.round(stats.transitions / stats.seconds) : 0;
  const programStates = "programStates" in stats ? Number(stats.programStates) : 0;
  const done = visited === "product"
    ? `${counted(stats.states, "product state")} (${counted(programStates, "program state")})`
    : visited
    ? `${counted(stats.states, "distinct state")} (${counted(stats.pruned, "revisit")} pruned)`
    : counted(stats.executions, "execution");
  return `isomc: ${done}, ${counted(stats.transitions, "transition")}, depth ${stats.maxDepth}, ${
    formatCount(rate)
  } transitions/s, ${stats.seconds.toFixed(0)} s`;
}

export class ProgressLine {
  private shown = false;
  private lastMs = 0;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly enabled: boolean = Deno.stderr.isTerminal(),
    /** Whether the search prunes visited states (the line then counts states), or is a liveness search. */
    private readonly visited: ProgressCount = false,
    private readonly write: (bytes: Uint8Array) => void = (b) => Deno.stderr.writeSync(b),
  ) {}

  update(stats: Readonly<Stats>): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastMs < 100) return;
    this.lastMs = now;
    this.write(this.encoder.encode(`\r\x1b[2K${progressText(stats, this.visited)}`));
    this.shown = true;
  }

  /** Erases the line, so that what follows (a report, an error, the shell) starts clean. */
  clear(): void {
    if (!this.shown) return;
    this.write(this.encoder.encode("\r\x1b[2K"));
    this.shown = false;
  }
}
