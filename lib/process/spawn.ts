/**
 * Starting the checked program with its end of a fresh control channel: the socket pair, the
 * environment the runtime reads (ISOMC_FD and the mode's variables), the CPU pinning, the output
 * files, and the registration that gets it killed however the checker ends (cleanup.ts). What
 * is said over the channel is program.ts's business.
 */

import { InputError } from "../errors.ts";
import { channelFdInChild, closeFd, socketPair, spawn } from "../native/process.ts";
import { NativeChannel } from "../native/channel.ts";
import { ENV_FD } from "./protocol.ts";
import { execErrorText } from "./outcomes.ts";
import { programEnvironment } from "./environment.ts";
import { registerChild } from "./cleanup.ts";
import type { ProgramSpec, RunOptions } from "./spec.ts";

export interface Spawned {
  readonly pid: number;
  readonly pidfd: number;
  /** The checker's end of the control channel. */
  readonly channel: NativeChannel;
  /** The channel's descriptor number in the program (ISOMC_FD). */
  readonly controlFd: number;
  /** Whether the program's AT_RANDOM bytes were fixed at its exec stop (docs/state.md). */
  readonly randomFixed: boolean;
}

/** Starts the program, registered for cleanup; an InputError when it cannot be run. */
export function spawnProgram(spec: ProgramSpec, options: RunOptions): Spawned {
  const [mine, theirs] = socketPair();
  // Stateful runs compare states, across copies too (a parallel check's workers): every
  // copy starts alike, its channel at one number, its AT_RANDOM fixed (docs/state.md).
  const alike = options.stateful === true;
  const channelFd = alike ? channelFdInChild : theirs;
  let spawned;
  try {
    spawned = spawn({
      argv: [spec.path, ...spec.args],
      env: {
        ...spec.env,
        ...programEnvironment(spec.env, options.stateful === true),
        [ENV_FD]: String(channelFd),
      },
      keepFd: theirs,
      alike,
      inheritOutput: options.output === undefined ? options.showOutput : false,
      stdoutFd: options.output?.stdoutFd,
      stderrFd: options.output?.stderrFd,
      pinCpu: options.pinCpu ?? true,
    });
  } finally {
    closeFd(theirs);
  }
  if (!spawned.ok) {
    closeFd(mine);
    throw new InputError(`cannot run ${spec.argv0}: ${execErrorText(spawned.errno)}`);
  }
  registerChild(spawned.pid, spawned.pidfd);
  return {
    pid: spawned.pid,
    pidfd: spawned.pidfd,
    channel: new NativeChannel(mine),
    controlFd: channelFd,
    randomFixed: spawned.randomFixed,
  };
}
