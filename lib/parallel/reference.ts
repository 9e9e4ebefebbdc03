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
import { calibrate, type Copy, describeWords, type StartWords } from "../state/alike.ts";
import type { Outcome } from "../explore/target.ts";
import type { StartImage } from "./job.ts";

/** Opens a stateful target (with states keyed) writing the program's output to `output`. */
export type OpenTarget = (output: ProgramOutput) => OpenedTarget;

export async function referenceStart(open: OpenTarget): Promise<StartImage> {
  const opened: { target: OpenedTarget; output: ProgramOutput }[] = [];
  /** A new copy at its initial state, given `alike`'s words if any, and how it started. */
  const start = async (alike: StartWords | null): Promise<Started> => {
    const output = new ProgramOutput(false);
    const target = open(output);
    opened.push({ target, output });
    if (target.stateful === null) throw new UsageError("--visited needs --restore=memory or fork");
    target.stateful.startAlike = alike;
    const first = await target.target.start();
    return { target, first };
  };
  try {
    const a = await start(null);
    const b = await start(null);
    const ca = a.target.stateful!.copy();
    const cb = b.target.stateful!.copy();
    // A program that ends before its first point has one state: nothing to make alike.
    if (ca === null || cb === null) return { words: [], key: null };
    const found = calibrate(ca, cb);
    if (typeof found === "string") {
      throw new InputError(`--visited with --jobs or --coordinator: ${found}`);
    }
    const key = a.target.target.stateHash?.() ?? null;
    const c = await start(found);
    if (key === null || c.target.target.stateHash?.() !== key) {
      throw new InputError(`--visited with --jobs or --coordinator: ${unlike(ca, c)}`);
    }
    return { words: found.words, key };
  } finally {
    for (const { target, output } of opened) {
      await target.target.close();
      output.close();
    }
  }
}

interface Started {
  readonly target: OpenedTarget;
  readonly first: Outcome;
}

/**
 * Why the copy `c`, given the reference's words, did not start with the reference's key: it
 * did not reach its initial state (a timeout, say), or its memory still differs, and where
 * (the words by mapping), so that the one line says what to look at.
 */
function unlike(reference: Copy, c: Started): string {
  const beyond =
    "two copies of the program differ at their initial state beyond what isomc can make alike";
  if (c.first.kind === "violation") {
    return `a copy of the program did not reach its initial state: ${c.first.violation.message}`;
  }
  const copy = c.target.stateful!.copy();
  if (copy === null) return "a copy of the program ended before its initial state";
  const found = calibrate(reference, copy);
  if (typeof found === "string") return `${beyond} (${found})`;
  if (found.words.length === 0) return `${beyond} (not in memory: in its descriptors or stacks)`;
  return `${beyond} (${describeWords(reference, found)})`;
}
