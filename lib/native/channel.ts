/**
 * The checker's end of a control channel (native/src/checker/channel.zig): length-prefixed
 * frames over a Unix socket, received into one shared buffer, with descriptors passed alongside.
 */

import { InternalError } from "../errors.ts";
import { native } from "./library.ts";
import { closeFd } from "./process.ts";

export type Received =
  | { kind: "frame"; frame: Uint8Array }
  | { kind: "timeout" }
  | { kind: "closed" }
  | { kind: "error"; message: string };

/**
 * Frames are copied into this one buffer, shared by every channel: a frame is decoded before
 * the next receive, and allocating 16 MiB per program run would cost milliseconds.
 */
let receiveBuffer: Uint8Array | null = null;

function sharedReceiveBuffer(): Uint8Array {
  receiveBuffer ??= new Uint8Array(16 * 1024 * 1024 + 4096);
  return receiveBuffer;
}

/** The checker's end of a control channel (owns the fd). */
export class NativeChannel {
  private handle: Deno.PointerValue;

  constructor(fd: number) {
    this.handle = native().isomc_channel_open(fd);
    if (this.handle === null) {
      closeFd(fd);
      throw new InternalError("out of memory opening the control channel");
    }
  }

  /** Returns 0 or the errno of the failed send (EPIPE when the program is gone). */
  send(frame: Uint8Array): number {
    return native().isomc_channel_send(this.open(), frame, BigInt(frame.length));
  }

  /** A received frame is valid until the next receive on any channel. */
  receive(timeoutMs: number): Received {
    const buffer = sharedReceiveBuffer();
    const rc = native().isomc_channel_recv(
      this.open(),
      buffer,
      BigInt(buffer.length),
      timeoutMs,
    );
    if (rc > 0) return { kind: "frame", frame: buffer.subarray(0, rc) };
    switch (rc) {
      case -1:
        return { kind: "timeout" };
      case -2:
        return { kind: "closed" };
      case -3:
        return { kind: "error", message: "the program sent a frame with an impossible header" };
      case -4:
        return {
          kind: "error",
          message: "the program sent a frame larger than the protocol allows",
        };
      default:
        return { kind: "error", message: `control channel I/O error (errno ${-rc - 1000})` };
    }
  }

  /** The descriptor passed with the frames received last (FORKED's channel), or -1. */
  takeFd(): number {
    return native().isomc_channel_take_fd(this.open());
  }

  close(): void {
    if (this.handle === null) return;
    native().isomc_channel_close(this.handle);
    this.handle = null;
  }

  private open(): NonNullable<Deno.PointerValue> {
    if (this.handle === null) throw new InternalError("the control channel is closed");
    return this.handle;
  }
}
