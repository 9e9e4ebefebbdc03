/**
 * The checked program's stdout and stderr, captured in files of the checker's: memfds opened
 * for appending, given to the program as its descriptors 1 and 2 (forked copies share them).
 * Output is state like memory: a target records the files' sizes with each state it may come
 * back to (mark) and cuts them back to those sizes when it does (rewind), so the files always
 * hold the current execution's output, whole and its own, and never more than one
 * execution's. The report shows the tail of the failing execution's stderr; --show-output
 * prints each execution's output when the search leaves it (endExecution).
 */

import { closeFd, fileSize, outputFile, readFileAt, truncateFile } from "../native/process.ts";

/** The files' sizes at one state. */
export interface OutputMark {
  readonly stdout: number;
  readonly stderr: number;
}

export const emptyMark: OutputMark = { stdout: 0, stderr: 0 };

/** Something --show-output writes to (Deno.stdout, Deno.stderr, a parallel worker's buffer). */
export interface OutputWriter {
  writeSync(p: Uint8Array): number;
}

/**
 * Where a parallel worker's --show-output goes instead of its own stdout and stderr: a buffer
 * per job, sent with its outcome, which the coordinator prints in the sequential order
 * (lib/parallel/output.ts).
 */
export interface OutputSink {
  readonly stdout: OutputWriter;
  readonly stderr: OutputWriter;
}

/** How much of the failing execution's stderr a report shows. */
export const stderrTailLines = 20;
export const stderrTailBytes = 4096;

export class ProgramOutput {
  /** The program's stdout file, or -1 when its stdout is not captured (it goes nowhere). */
  readonly stdoutFd: number;
  readonly stderrFd: number;
  /** Something ran since the output was last shown. */
  private fresh = false;
  /** The current execution has ended (done, a violation, no step enabled), not been cut. */
  private ended = false;

  constructor(
    /**
     * Where --show-output prints each execution's output: stdout to our stdout ("stderr":
     * to our stderr, when our stdout holds a JSON report), stderr to our stderr; false to
     * show nothing (stdout is then not captured at all).
     */
    private readonly show: boolean | "stderr" | OutputSink = false,
  ) {
    this.stdoutFd = show === false ? -1 : outputFile("isomc-stdout");
    try {
      this.stderrFd = outputFile("isomc-stderr");
    } catch (e) {
      if (this.stdoutFd >= 0) closeFd(this.stdoutFd);
      throw e;
    }
  }

  /** The program ran (a start or steps): there is output to show at the end. */
  touch(): void {
    this.fresh = true;
    this.ended = false;
  }

  /** Where the program's last run led: to the end of the execution, or not. */
  reached(end: boolean): void {
    this.ended = end;
  }

  mark(): OutputMark {
    return {
      stdout: this.stdoutFd < 0 ? 0 : fileSize(this.stdoutFd),
      stderr: fileSize(this.stderrFd),
    };
  }

  /** Cuts the files back to their sizes at `mark` (a state the program is taken back to). */
  rewind(mark: OutputMark): void {
    if (this.stdoutFd >= 0) truncateFile(this.stdoutFd, mark.stdout);
    truncateFile(this.stderrFd, mark.stderr);
  }

  /**
   * The search leaves the current execution (a restore, or the end): with --show-output,
   * print its output, whole. Call before rewinding.
   */
  endExecution(): void {
    if (!this.fresh || this.show === false) return;
    this.fresh = false;
    const sink = typeof this.show === "object" ? this.show : null;
    const out = sink?.stdout ?? (this.show === "stderr" ? Deno.stderr : Deno.stdout);
    const err = sink?.stderr ?? Deno.stderr;
    const printed = copyAll(this.stdoutFd, out) + copyAll(this.stderrFd, err);
    // A search cuts executions short (a state explored before, --max-depth, every step
    // asleep): their output is not whole, and says so.
    if (!this.ended && printed > 0) {
      err.writeSync(
        new TextEncoder().encode(
          "isomc: the search left this execution before its end (a state explored before, --max-depth, or every step asleep): its output above is partial\n",
        ),
      );
    }
  }

  /** The last lines of the current execution's stderr ("" when it wrote nothing). */
  stderrTail(): string {
    return tail(this.stderrFd);
  }

  close(): void {
    if (this.stdoutFd >= 0) closeFd(this.stdoutFd);
    closeFd(this.stderrFd);
  }
}

/** The last stderrTailLines lines of the file, from its last stderrTailBytes bytes. */
function tail(fd: number): string {
  const size = fileSize(fd);
  const from = Math.max(0, size - stderrTailBytes);
  const text = new TextDecoder().decode(readFileAt(fd, from, size - from));
  let lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  // A first line cut by the byte limit is a fragment: drop it.
  if (from > 0 && lines.length > 1) lines = lines.slice(1);
  return lines.slice(-stderrTailLines).join("\n");
}

const chunk = 1 << 20;

/** Copies the whole file to `to`; returns its size. */
function copyAll(fd: number, to: OutputWriter): number {
  if (fd < 0) return 0;
  const size = fileSize(fd);
  for (let at = 0; at < size; at += chunk) {
    const bytes = readFileAt(fd, at, Math.min(chunk, size - at));
    for (let done = 0; done < bytes.length;) done += to.writeSync(bytes.subarray(done));
  }
  return size;
}
