/**
 * The restore commands a program process answers on its own, outside any step: FDS (the agent
 * in the program changes its fd table) and MAP (the runtime creates or removes mappings), sent
 * before a restore completes (docs/protocol.md). ProgramRun's fds and map send them.
 */

import { InternalError } from "../errors.ts";
import { encodeFds, encodeMap } from "./encode.ts";
import type { FdChange, MapOp } from "./protocol.ts";
import type { ProgramLink } from "./link.ts";

/** Has the agent in the program change its fd table (before a restore completes). */
export async function applyFds(
  link: ProgramLink,
  changes: readonly FdChange[],
  timeoutMs: number,
): Promise<void> {
  link.send(encodeFds(changes));
  const r = await link.receive(timeoutMs);
  if (r.kind !== "message" || r.message.type !== "fdset") {
    throw new InternalError("the program did not answer FDS");
  }
  if (r.message.failed !== 0) {
    const c = changes[r.message.failed - 1];
    throw new InternalError(
      `the agent could not restore fd ${c?.fd ?? "?"}${
        c?.op === "open" ? ` (${c.path})` : ""
      } (errno ${r.message.errno}${r.message.errno === 38 ? ": the agent is not loaded" : ""})`,
    );
  }
}

/** Has the runtime create or remove mappings (before a restore writes pages). */
export async function applyMaps(
  link: ProgramLink,
  ops: readonly MapOp[],
  timeoutMs: number,
): Promise<void> {
  link.send(encodeMap(ops));
  const r = await link.receive(timeoutMs);
  if (r.kind !== "message" || r.message.type !== "mapped") {
    throw new InternalError("the program did not answer MAP");
  }
  if (r.message.errno !== 0) {
    throw new InternalError(
      `the program could not restore its mappings (errno ${r.message.errno})`,
    );
  }
}
