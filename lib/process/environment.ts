/**
 * The environment the checked program is started with, beyond the user's: what keeps its memory
 * a function of its steps, and the agent that stateful restores need inside it.
 */

import { agentLibrary, preloadLibrary } from "../native/library.ts";

/** The variables to add to `env` for a run; `stateful` runs get the fd agent. */
export function programEnvironment(
  env: Readonly<Record<string, string>>,
  stateful: boolean,
): Record<string, string> {
  return {
    ...quietKernelWrites(env),
    ...(stateful ? { ...preloadAgent(env), ...bindNow() } : {}),
  };
}

/**
 * The dynamic linker binds a function at its first call, writing its address into the
 * program's GOT and bumping its own counters: memory that a restore to a state before the
 * first call takes back, while a copy that got there by replaying its steps keeps it. Two
 * paths to one state then left two keys (lastzero(4): 16 final states by the sequential
 * search, 8 by fresh copies; docs/state.md, "Copies of one program"). Bound at start, the GOT is
 * the same in every state.
 */
function bindNow(): Record<string, string> {
  return { LD_BIND_NOW: "1" };
}

/**
 * `isomc check --preload` (and the replay of its traces): the env's LD_PRELOAD with the runtime
 * first, the program's own preloads after it (docs/pthreads.md, "Binaries built elsewhere").
 */
export function preloadEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return preloading(preloadLibrary(), env);
}

/** The agent (native/src/agent/) restores fds from inside the program; LD_PRELOAD brings it. */
function preloadAgent(env: Readonly<Record<string, string>>): Record<string, string> {
  return preloading(agentLibrary(), env);
}

/** LD_PRELOAD with `library` before what `env` preloads already. */
function preloading(
  library: string,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const current = env.LD_PRELOAD;
  return { LD_PRELOAD: current ? `${library} ${current}` : library };
}

/**
 * glibc registers an rseq area into which the kernel writes the CPU the thread runs on: memory
 * that changes by itself, and differs between runs. Turning it off keeps program memory a
 * function of the program's steps (the checker compares states by their memory).
 */
function quietKernelWrites(env: Readonly<Record<string, string>>): Record<string, string> {
  const tunable = "glibc.pthread.rseq=0";
  const current = env.GLIBC_TUNABLES;
  return { GLIBC_TUNABLES: current ? `${current}:${tunable}` : tunable };
}
