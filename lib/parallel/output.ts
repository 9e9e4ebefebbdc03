/**
 * --show-output in a parallel check: a worker's program output, per job, and its printing in
 * the sequential order. A worker's ProgramOutput writes each execution's output, when the
 * job's search leaves it, to a JobOutput instead of its own stdout and stderr; the job's part
 * carries it to the coordinator (base64: a program's output need not be UTF-8), which prints
 * the parts' output in the order it adds their counts up (coordinator.ts, dpor_coordinator.ts:
 * takeOutput), so each execution's output comes out whole and in the sequential search's
 * order. What a job does not count as an execution's output (a probe's or a split node's
 * prefix: the start of later executions, printed with them) is dropped.
 */

import type { OutputSink, OutputWriter } from "../process/output.ts";

/** A piece of a program's output: to the program's stdout (1) or stderr (2). */
export interface OutputChunk {
  readonly fd: 1 | 2;
  readonly base64: string;
}

/** What a worker's program prints during one job (an OutputSink for its ProgramOutput). */
export class JobOutput implements OutputSink {
  private chunks: OutputChunk[] = [];
  /** While false (a probe's or a split's prefix left), what comes is dropped. */
  keep = true;
  readonly stdout: OutputWriter = { writeSync: (p) => this.add(1, p) };
  readonly stderr: OutputWriter = { writeSync: (p) => this.add(2, p) };

  private add(fd: 1 | 2, bytes: Uint8Array): number {
    if (this.keep && bytes.length > 0) this.chunks.push({ fd, base64: toBase64(bytes) });
    return bytes.length;
  }

  /** The chunks so far, and a fresh start for the next job. */
  take(): OutputChunk[] {
    const out = this.chunks;
    this.chunks = [];
    return out;
  }
}

/** Prints `chunks`: the program's stdout to `stdout` (our stderr under --json), its stderr to ours. */
export function printOutput(chunks: readonly OutputChunk[], stdout: OutputWriter): void {
  for (const c of chunks) {
    const bytes = fromBase64(c.base64);
    const to = c.fd === 1 ? stdout : Deno.stderr;
    for (let done = 0; done < bytes.length;) done += to.writeSync(bytes.subarray(done));
  }
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
