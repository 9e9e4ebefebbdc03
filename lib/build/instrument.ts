/**
 * Whether `isomc cc` instruments a compilation's memory accesses (docs/pthreads.md, "Memory
 * accesses as steps"): every compilation but those of programs of the isomc API, whose shared
 * memory goes through isomc_load/isomc_store and which never take access steps. Their code is
 * left as it was because each instrumentation call, although it returns at once in such a
 * program, leaves its frame below the stack pointer, and what a later frame does not write over
 * would make equal states differ (--visited would count more of them). A source that includes
 * isomc.h is a program of the API; one that includes it only through another header is not
 * recognised (it is instrumented, which costs calls, not correctness). Pure.
 */

/** Does this C source include isomc.h itself? */
export function includesIsomcApi(source: string): boolean {
  return /^[ \t]*#[ \t]*include[ \t]*[<"](?:[^>"]*\/)?isomc\.h[>"]/m.test(source);
}

/** Files the compiler reads as C source, by their name (objects and archives are not). */
export function isCSource(path: string): boolean {
  return /\.(c|i|h)$/.test(path);
}

/** Instrument unless one of the sources (their texts) is a program of the API. */
export function instruments(sources: readonly string[]): boolean {
  return !sources.some(includesIsomcApi);
}
