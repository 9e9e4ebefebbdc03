/**
 * The frames between the checker and one program process, without their meaning (program.ts
 * gives them that): sent and counted; received and decoded, a STATE's records through the
 * run's RecordCache (decode.ts); waited for in slices so that the event loop keeps running and
 * an interrupt is seen; the process's exit waited for the same way; the process killed or
 * reaped once, whichever comes first.
 */

import { InternalError } from "../errors.ts";
import { type ExitStatus, killProcess, releaseProcess, waitProcess } from "../native/process.ts";
import type { NativeChannel, Received as ChannelReceived } from "../native/channel.ts";
import { Interrupted } from "../explore/target.ts";
import { unregisterChild } from "./cleanup.ts";
import { RecordCache } from "./decode.ts";
import { decodeFrame, type Received } from "./frames.ts";

/** How long to wait for a program that closed its channel to finish dying. */
export const exitGraceMs = 2000;
/** Slice of a long wait after which the event loop gets a turn (signals, progress). */
const sliceMs = 100;

export class ProgramLink {
  private alive = true;
  /** Frames sent so far (framesSent). */
  private sent = 0;
  /** The last transition record of each actor, to reuse what a STATE repeats (decode.ts). */
  private readonly records = new RecordCache();

  constructor(
    /** The program's process (a forked copy's own, for --restore=fork) and its pidfd. */
    readonly pid: number,
    readonly pidfd: number,
    private readonly channel: NativeChannel,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * Frames sent to the program so far. The program runs only when a frame tells it to, so a
   * count that has not moved says it has not run (lib/state/live_memory.ts: a clean restore).
   */
  get framesSent(): number {
    return this.sent;
  }

  send(frame: Uint8Array): void {
    this.sent++;
    // A failed send means the program is gone; the next receive says how it ended.
    this.channel.send(frame);
  }

  /** The descriptor passed with the frames received last (FORKED's channel), or -1. */
  takeFd(): number {
    return this.channel.takeFd();
  }

  /**
   * Waits for a frame, in slices so the event loop keeps running during long waits. A frame
   * within the first slice (the usual case) is returned as it is, without a promise (issue 10).
   */
  receive(timeoutMs: number): Received | Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    if (timeoutMs <= 0) return { kind: "timeout" };
    const r = this.channel.receive(Math.min(sliceMs, Math.ceil(timeoutMs)));
    return r.kind === "timeout" ? this.receiveSlowly(deadline) : this.received(r);
  }

  /** receive's wait past its first slice. */
  private async receiveSlowly(deadline: number): Promise<Received> {
    while (true) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      this.stopIfInterrupted();
      const left = deadline - performance.now();
      if (left <= 0) return { kind: "timeout" };
      const r = this.channel.receive(Math.min(sliceMs, Math.ceil(left)));
      if (r.kind !== "timeout") return await this.received(r);
    }
  }

  private received(
    r: Exclude<ChannelReceived, { kind: "timeout" }>,
  ): Received | Promise<Received> {
    switch (r.kind) {
      case "frame":
        return { kind: "message", message: decodeFrame(r.frame, this.records) };
      case "closed":
        return this.waitExit(exitGraceMs).then((status) => ({ kind: "gone", status }));
      case "error":
        throw new InternalError(r.message);
    }
  }

  /** Called between two slices of a wait: an interrupt kills the program and ends the wait. */
  private stopIfInterrupted(): void {
    if (this.signal?.aborted !== true) return;
    this.kill();
    throw new Interrupted();
  }

  /** The process's exit status, waited for at most timeoutMs (reaped if it has ended). */
  async waitExit(timeoutMs: number): Promise<ExitStatus> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const left = deadline - performance.now();
      const status = waitProcess(
        this.pid,
        this.pidfd,
        Math.max(0, Math.ceil(Math.min(sliceMs, left))),
      );
      if (status.state !== "running" || left <= 0) {
        if (status.state !== "running") this.reaped();
        return status;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      this.stopIfInterrupted();
    }
  }

  /** The process has ended and was waited for: release it. Safe to call twice. */
  reaped(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    releaseProcess(this.pidfd);
    this.channel.close();
  }

  /** Kills the program (its whole process group) and reaps it. Safe to call twice. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    killProcess(this.pid, this.pidfd);
    this.channel.close();
  }
}
