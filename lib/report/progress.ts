/**
 * The progress line on stderr while a long search runs: only on a terminal, at most ten
 * updates a second (the exploration's heartbeat paces the calls), erased when the search ends.
 */

import type { Stats } from "../explore/result.ts";

const count = new Intl.NumberFormat("en-US");

export class ProgressLine {
  private shown = false;
  private lastMs = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly enabled: boolean = Deno.stderr.isTerminal()) {}

  update(stats: Readonly<Stats>): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastMs < 100) return;
    this.lastMs = now;
    const rate = stats.seconds > 0 ? Math.round(stats.transitions / stats.seconds) : 0;
    const line = `isomc: ${count.format(stats.executions)} executions, ${
      count.format(stats.transitions)
    } transitions, depth ${stats.maxDepth}, ${count.format(rate)} transitions/s, ${
      stats.seconds.toFixed(0)
    } s`;
    Deno.stderr.writeSync(this.encoder.encode(`\r\x1b[2K${line}`));
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    Deno.stderr.writeSync(this.encoder.encode("\r\x1b[2K"));
    this.shown = false;
  }
}
