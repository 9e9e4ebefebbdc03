/**
 * Whether `isomc check --preload` can check a binary (docs/pthreads.md, "Binaries built
 * elsewhere"): one the dynamic linker loads (LD_PRELOAD reaches no static binary), which imports
 * the C library's pthread or semaphore functions (the runtime sees nothing else), and which does
 * not carry isomc's runtime already (`isomc cc` linked it: two runtimes would both run main) nor
 * define those functions itself (the executable's own definitions come first in the dynamic
 * linker's order: a thread sanitizer's runtime, a threads library linked in statically).
 * Pure functions of the file's bytes, so every refusal is one line before anything runs.
 */

import { parseElf } from "../report/elf.ts";
import { symbolNames, unsupportedPthreadFunctions } from "./pthread_check.ts";

/** What the preloaded runtime intercepts: a program importing none of them has no thread. */
export const interceptedFunctions: ReadonlySet<string> = new Set([
  "pthread_create",
  "pthread_join",
  "pthread_exit",
  "pthread_detach",
  "pthread_once",
  "pthread_mutex_lock",
  "pthread_mutex_trylock",
  "pthread_mutex_timedlock",
  "pthread_mutex_unlock",
  "pthread_cond_wait",
  "pthread_cond_timedwait",
  "pthread_cond_signal",
  "pthread_cond_broadcast",
  "pthread_rwlock_rdlock",
  "pthread_rwlock_wrlock",
  "pthread_rwlock_tryrdlock",
  "pthread_rwlock_trywrlock",
  "pthread_rwlock_unlock",
  "pthread_spin_lock",
  "pthread_spin_trylock",
  "pthread_spin_unlock",
  "pthread_barrier_wait",
  "sem_wait",
  "sem_post",
]);

/** C++'s std::thread starts its threads inside libstdc++ (its pthread_create is interposed too). */
const cxxThread = "_ZNSt6thread";

/** Symbols only isomc's runtime defines: a binary that has them was built by `isomc cc`. */
const runtimeMarks = ["isomc_init", "isomc_run", "isomc_pthread_constructor"];

/** The one line a binary is refused with under --preload, or null when it can be checked. */
export function preloadProblem(name: string, bytes: Uint8Array): string | null {
  const elf = parseElf(bytes);
  if (elf === null) {
    return `${name} is not an ELF64 program: --preload checks Linux x86_64 binaries`;
  }
  const [defined, imported] = symbolNames(elf);
  if (runtimeMarks.some((m) => defined.has(m))) {
    return `${name} was built by \`isomc cc\` and carries isomc's runtime: check it without --preload`;
  }
  if (!elf.sections.some((s) => s.name === ".interp")) {
    return `${name} is statically linked: --preload needs a dynamically linked program (LD_PRELOAD cannot reach a static one)`;
  }
  if (defined.has("__tsan_init") || imported.has("__tsan_init")) {
    return `${name} is built with the thread sanitizer (-fsanitize=thread), whose runtime intercepts the pthread calls itself: build it without (or with \`isomc cc\`, which sees its memory accesses too)`;
  }
  const own = [...defined].filter((n) => interceptedFunctions.has(n)).sort();
  if (own.length > 0) {
    return `${name} defines ${
      own[0]
    } itself (a threads library linked in): the preloaded runtime cannot intercept the program's calls to it`;
  }
  // A program importing only functions isomc does not model (C11's thrd_create) runs, to stop
  // at the first call with one line naming it (native/src/runtime/preload.zig).
  const threaded = (n: string): boolean =>
    interceptedFunctions.has(n) || unsupportedPthreadFunctions.has(n) || n.startsWith(cxxThread);
  if (![...imported].some(threaded)) {
    return `${name} calls no pthread or semaphore function: --preload checks the synchronisation of pthread programs (build others with \`isomc cc\`)`;
  }
  return null;
}
