/**
 * What a run of the checked program ended with, in words: the violations made of timeouts,
 * crashes (a stack overflow with the stack's size and how to raise it) and exits (with the actor
 * at fault and who was left unfinished), and the one-line errors of a program that never
 * connected, died before its first scheduling point or could not be started. Pure functions of what
 * lib/process/program.ts observed, so the wording lives in one place.
 */

import { InputError, InternalError } from "../errors.ts";
import { actorName, type NameTable } from "../model/transition.ts";
import type { Outcome } from "../explore/target.ts";
import type { ExitStatus } from "../native/process.ts";
import { describeSignal } from "./signals.ts";
import { ErrorCode, ViolationKind } from "./protocol.ts";

/** A wait for the program that ended without a frame. */
export type Silence = { readonly kind: "timeout" } | {
  readonly kind: "gone";
  readonly status: ExitStatus;
};

/** A transition (or the start, or main's end) that did not come back within the timeout. */
export function transitionTimeout(
  names: NameTable,
  lastActor: number | null,
  allFinished: boolean,
  timeoutMs: number,
): Outcome {
  const seconds = timeoutMs / 1000;
  const message = allFinished
    ? `every actor finished but the program did not exit within ${seconds} s`
    : lastActor === null
    ? `the actors did not reach their first visible operation within ${seconds} s`
    : `${
      actorName(names, lastActor)
    }'s transition did not return within ${seconds} s (an endless loop between two visible operations?)`;
  return { kind: "violation", violation: { kind: "timeout", message, actor: lastActor } };
}

/** Every actor finished (stateless run) but the process did not exit in time. */
export function exitTimeout(timeoutMs: number): Outcome {
  return {
    kind: "violation",
    violation: {
      kind: "timeout",
      message: `every actor finished but the program did not exit within ${timeoutMs / 1000} s`,
      actor: null,
    },
  };
}

/** What the runtime's crash handler reported (CRASH), before the process died of it. */
export interface CrashReport {
  readonly signal: number;
  /** The actor that was running, 0 for main. */
  readonly actor: number;
  /** That actor's stack (main's for 0) ran off its end; its usable size is stackSize. */
  readonly overflow: boolean;
  readonly stackSize: number;
}

/** "1 MiB", "260 KiB", "70000 bytes" (the runtime words it the same, runtime/crash.zig). */
export function stackSizeText(bytes: number): string {
  if (bytes !== 0 && bytes % 1048576 === 0) return `${bytes / 1048576} MiB`;
  if (bytes !== 0 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Why an overflowed stack overflowed, and what to do: "actor B overflowed its 1 MiB stack (...)". */
function overflowText(c: CrashReport, names: NameTable): string {
  const who = c.actor === 0 ? "main" : `actor ${actorName(names, c.actor)}`;
  const raise = c.actor === 0
    ? "raise it with ulimit -s"
    : "raise ISOMC_STACK_SIZE or --isomc-stack-size";
  return `${who} overflowed its ${stackSizeText(c.stackSize)} stack (${raise})`;
}

/** Main died of `signal` after every actor had finished (`crashed`: what it reported). */
export function crashAfterRun(
  signal: number,
  crashed: CrashReport | null = null,
  names: NameTable = { actors: new Map(), objects: new Map() },
): Outcome {
  const why = crashed?.overflow === true ? `: ${overflowText(crashed, names)}` : "";
  return {
    kind: "violation",
    violation: {
      kind: "crash",
      message: `the program was killed by ${
        describeSignal(signal)
      } after every actor had finished (after isomc_run returned)${why}`,
      actor: null,
    },
  };
}

/** The line of a program that died before its first scheduling point: nothing was chosen yet. */
export function beforeFirstPointMessage(
  program: string,
  ended: ExitStatus,
  crashed: CrashReport | null,
  violationMessage: string,
  names: NameTable,
  lastStderrLine = "",
): string {
  const said = lastStderrLine === ""
    ? ""
    : `; its last line on stderr: ${JSON.stringify(lastStderrLine)}`;
  if (ended.state === "exited") {
    return `${program} exited with status ${ended.code} before its first scheduling point (did main() reach isomc_run()?)${said}; run it on its own to see why`;
  }
  if (crashed?.overflow === true) {
    return `${program} crashed before its first scheduling point: ${overflowText(crashed, names)}`;
  }
  return `${program} crashed before its first scheduling point (${violationMessage})${said}; run it on its own to debug it`;
}

/** What the checker knew when the program died in the middle of an execution. */
export interface Death {
  /** How the kernel says it ended (running: unknown, for a copy that is not our child). */
  readonly status: ExitStatus;
  /** What the runtime's crash handler reported before the end. */
  readonly crashed: CrashReport | null;
  /** What the runtime reported when an actor called exit(). */
  readonly exiting: { readonly status: number; readonly actor: number } | null;
  /** A copy forked from a checkpoint: its exit status is not the checker's to read. */
  readonly adopted: boolean;
  /** The actor that moved last. */
  readonly lastActor: number | null;
  /** The actors unfinished at the last point. */
  readonly unfinished: readonly number[];
}

/** The violation of a program that closed its channel or died: a crash or an early exit. */
export function deathOutcome(d: Death, names: NameTable): Outcome {
  if (d.crashed !== null) {
    const who = d.crashed.actor === 0 ? null : d.crashed.actor;
    const killed = `the program was killed by ${describeSignal(d.crashed.signal)}`;
    return {
      kind: "violation",
      violation: {
        kind: "crash",
        message: d.crashed.overflow
          ? `${killed}: ${overflowText(d.crashed, names)}`
          : `${killed}${who === null ? " in main" : ` while ${actorName(names, who)} was running`}`,
        actor: who,
      },
    };
  }
  let status = d.status;
  let who = d.lastActor;
  if (d.exiting !== null) {
    status = { state: "exited", code: d.exiting.status };
    who = d.exiting.actor;
  } else if (d.adopted) {
    // Not our child: without a report from the runtime, how it ended is unknown.
    status = { state: "running" };
  }
  if (status.state === "signaled") {
    return {
      kind: "violation",
      violation: {
        kind: "crash",
        message: `the program was killed by ${describeSignal(status.signal)}${
          who === null ? "" : ` while ${actorName(names, who)} was running`
        }`,
        actor: who,
      },
    };
  }
  return {
    kind: "violation",
    violation: { kind: "exit", message: exitMessage(d, status, who, names), actor: who },
  };
}

/**
 * An exit while actors were unfinished: "actor B called exit(3)" when the runtime said so
 * (EXITING), else what the kernel said; then the actors left behind, other than the one that
 * exited (it is the one at fault, not one left behind).
 */
function exitMessage(d: Death, status: ExitStatus, who: number | null, names: NameTable): string {
  const left = d.unfinished.filter((a) => a !== who).map((a) => actorName(names, a));
  const others = who === null ? "" : " other";
  const tail = left.length === 0
    ? `; no${others} actor was unfinished`
    : `, leaving ${left.join(", ")} unfinished`;
  if (d.exiting !== null && who !== null) {
    return `actor ${actorName(names, who)} called exit(${d.exiting.status})${tail}`;
  }
  const code = status.state === "exited" ? `status ${status.code}` : "an unknown status";
  const running = who === null ? "" : ` while ${actorName(names, who)} was running`;
  return `the program exited with ${code}${running}${tail}`;
}

/** Why a program never got through the handshake, as one line. */
export function noHandshakeMessage(program: string, r: Silence, timeoutMs: number): string {
  const hint = "is it built with `isomc cc` and does main() call isomc_init()?";
  if (r.kind === "timeout") {
    return `${program} did not connect to the checker within ${timeoutMs / 1000} s: ${hint}`;
  }
  const status = r.status;
  if (status.state === "signaled") {
    return `${program} was killed by ${
      describeSignal(status.signal)
    } before connecting to the checker; run it on its own to debug it`;
  }
  if (status.state === "exited") {
    return `${program} exited with status ${status.code} without connecting to the checker: ${hint}`;
  }
  return `${program} closed the control channel without connecting: ${hint}`;
}

/** Why exec failed, from its errno. */
export function execErrorText(errno: number): string {
  switch (errno) {
    case 2:
      return "no such file";
    case 8:
      return "not an executable this system can run (exec format error)";
    case 13:
      return "permission denied (is it executable?)";
    case 20:
      return "a path component is not a directory";
    case 21:
      return "it is a directory";
    default:
      return `exec failed (errno ${errno})`;
  }
}

/** A VIOLATION frame's outcome: an assertion that failed, or a misuse of the API. */
export function violationOutcome(m: { kind: number; actor: number; message: string }): Outcome {
  return {
    kind: "violation",
    violation: {
      kind: "assertion",
      message: m.kind === ViolationKind.misuse ? `API misuse: ${m.message}` : m.message,
      // Actor 0 is main: an isomc_assert after isomc_run is main's (docs/semantics.md).
      actor: m.actor,
    },
  };
}

/** The error an ERROR frame from the runtime stops the checker with. */
export function runtimeError(m: { code: number; message: string }): Error {
  // A function the preloaded runtime does not model (docs/pthreads.md, --preload).
  if (m.code === ErrorCode.unsupported) return new InputError(m.message);
  if (m.code === ErrorCode.diverged) {
    return new InternalError(
      `the program did not repeat an earlier execution (${m.message}): isomc needs a deterministic program; does it depend on time, addresses or unchecked input?`,
    );
  }
  return new InternalError(`the program's runtime reported a protocol error: ${m.message}`);
}
