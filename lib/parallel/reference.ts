/**
 * The reference start of a parallel --visited search (docs/parallel.md, "Visited states"):
 * before any job, the coordinator starts two copies of the program, finds the words in which
 * they differ at their initial state (lib/state/alike.ts) and checks that a third copy given
 * the first one's values starts with the first one's key. Workers give every copy they start
 * those values, and each job checks its copy's initial key against the reference's: the same
 * state then has the same key in every copy, on every worker.
 */

import { InputError, UsageError } from "../errors.ts";
import type { OpenedTarget } from "../check.ts";
import { ProgramOutput } from "../process/output.ts";
import { calibrate, type StartWords } from "../state/alike.ts";
import type { StartImage } from "./job.ts";

/** Opens a stateful target (with states keyed) writing the program's output to `output`. */
export type OpenTarget = (output: ProgramOutput) => OpenedTarget;

export async function referenceStart(open: OpenTarget): Promise<StartImage> {
  const opened: { target: OpenedTarget; output: ProgramOutput }[] = [];
  /** A new copy at its initial state, given `alike`'s words if any. */
  const start = async (alike: StartWords | null): Promise<OpenedTarget> => {
    const output = new ProgramOutput(false);
    const target = open(output);
    opened.push({ target, output });
    if (target.stateful === null) throw new UsageError("--visited needs --restore=memory or fork");
    target.stateful.startAlike = alike;
    await target.target.start();
    return target;
  };
  try {
    const a = await start(null);
    const b = await start(null);
    const ca = a.stateful!.copy();
    const cb = b.stateful!.copy();
    // A program that ends before its first point has one state: nothing to make alike.
    if (ca === null || cb === null) return { words: [], key: null };
    const found = calibrate(ca, cb);
    if (typeof found === "string") {
      throw new InputError(`--visited with --jobs or --coordinator: ${found}`);
    }
    const key = a.target.stateHash?.() ?? null;
    const c = await start(found);
    if (key === null || c.target.stateHash?.() !== key) {
      throw new InputError(
        "--visited with --jobs or --coordinator: two copies of the program differ at their initial state beyond what isomc can make alike",
      );
    }
    return { words: found.words, key };
  } finally {
    for (const { target, output } of opened) {
      await target.target.close();
      output.close();
    }
  }
}
