/**
 * One frame received from the program, as the checker classifies it: a decoded message, the
 * deadline passed, or the program gone (with how it ended); and the decoding itself, which turns
 * a frame the protocol refuses into the error the user sees (a rebuild for another version, an
 * internal error for a broken runtime).
 */

import { InputError, InternalError } from "../errors.ts";
import type { ExitStatus } from "../native/process.ts";
import { decode, type RecordCache } from "./decode.ts";
import { type Message, ProtocolError, VersionMismatch } from "./protocol.ts";

export type Received =
  | { kind: "message"; message: Message }
  | { kind: "timeout" }
  | { kind: "gone"; status: ExitStatus };

/**
 * The message in `frame`, or the error that says why the checker refuses it; `records`, the
 * program run's, spares decoding the transitions a STATE repeats (decode.ts).
 */
export function decodeFrame(frame: Uint8Array, records?: RecordCache): Message {
  try {
    return decode(frame, records);
  } catch (e) {
    // Another version is the user's to fix (rebuild); anything else is a broken runtime.
    if (e instanceof VersionMismatch) throw new InputError(e.message);
    if (e instanceof ProtocolError) {
      throw new InternalError(
        `the program sent a malformed frame on the control channel: ${e.message}`,
      );
    }
    throw e;
  }
}
