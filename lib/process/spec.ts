/**
 * What a run of the checked program is made of, as the targets see it: the program to start
 * (ProgramSpec), how to run it (RunOptions), what its runtime declares at the handshake (Hello),
 * and the names it gives its actors and objects.
 */

import type { Outcome } from "../explore/target.ts";
import type { ProgramOutput } from "./output.ts";
import type { Message } from "./protocol.ts";

export interface ProgramSpec {
  /** Resolved path of the executable. */
  readonly path: string;
  /** Arguments after the program name. */
  readonly args: readonly string[];
  /** argv[0] as the user wrote it. */
  readonly argv0: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /** Longest time a transition (or the start) may take before it is a timeout violation. */
  readonly timeoutMs: number;
  /** Let the program write to the checker's stdout and stderr ("stderr": both to stderr). */
  readonly showOutput?: boolean | "stderr";
  /**
   * Capture the program's stdout and stderr in these files instead (showOutput is then
   * ProgramOutput's to honour); the targets rewind them with the states they restore.
   */
  readonly output?: ProgramOutput;
  /**
   * The checker restores states: the program stays alive at the end of an execution (the rest
   * of main runs in a forked copy) and reports its stacks at every point.
   */
  readonly stateful?: boolean;
  /** With `stateful`: the runtime reports its stacks at every point (to hash states). */
  readonly reportStacks?: boolean;
  /**
   * With `stateful`: called at the final point of an execution (every actor has returned, the
   * program waits there). An outcome it returns is taken as how the rest of main ends, which
   * then does not run; null has the program run it (FINISH) in a forked copy.
   */
  readonly knownEnd?: () => Outcome | null;
  /**
   * Where the PROP frames go (propositions and the progress flag: lib/state/propositions.ts);
   * without it they are not kept.
   */
  readonly props?: { record(m: Extract<Message, { type: "prop" }>): void };
  /**
   * Run the program on the checker's CPU (default true): a blocking round trip between two
   * processes is several times cheaper on one CPU than across two.
   */
  readonly pinCpu?: boolean;
  /**
   * The search's interrupt (Ctrl-C): once aborted, a wait for the program kills it and throws
   * Interrupted, so that a transition that never returns does not hold the search.
   */
  readonly signal?: AbortSignal;
}

/** What the program's runtime declared at the handshake. */
export interface Hello {
  readonly pid: number;
  readonly pidfd: number;
  /** The program's userfaultfd, by its number in the program; -1 if none. */
  readonly uffd: number;
  /** Memory that is not program state. */
  readonly ignored: readonly (readonly [number, number])[];
  /** The runtime's own descriptors (control channel, userfaultfd): not program state. */
  readonly ownFds: readonly number[];
}

/** Names learnt from ACTOR and OBJECT frames; shared by every run of the same program. */
export interface MutableNames {
  readonly actors: Map<number, string>;
  readonly objects: Map<number, string>;
}
