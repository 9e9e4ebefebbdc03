/**
 * The pthread functions isomc does not model yet (docs/pthreads.md), and the check `isomc cc`
 * makes after linking a pthread program: one that imports any of them from the C library is
 * refused, naming the first, rather than checked with a call the checker cannot see (a real
 * semaphore wait by one actor would block the one OS thread all actors share). Pure functions of
 * the linked file's bytes.
 */

import { cString, type Elf, parseElf } from "../report/elf.ts";

/** What the runtime does not intercept yet: each would run the C library's real one. */
export const unsupportedPthreadFunctions: ReadonlySet<string> = new Set([
  "pthread_mutex_clocklock",
  "pthread_mutex_consistent",
  "pthread_cond_clockwait",
  "pthread_rwlock_timedrdlock",
  "pthread_rwlock_timedwrlock",
  "pthread_rwlock_clockrdlock",
  "pthread_rwlock_clockwrlock",
  "pthread_cancel",
  "pthread_kill",
  "pthread_clockjoin_np",
  "sem_clockwait",
  "sem_open",
  "thrd_create",
  "thrd_join",
  "mtx_lock",
  "mtx_timedlock",
  "mtx_trylock",
  "cnd_wait",
  "cnd_timedwait",
  "call_once",
  "tss_create",
]);

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;

/** The names of the file's symbols: [defined, undefined], from .symtab and .dynsym. */
export function symbolNames(elf: Elf): [Set<string>, Set<string>] {
  const view = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const defined = new Set<string>();
  const undefined_ = new Set<string>();
  for (const table of elf.sections) {
    if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) continue;
    const strtab = elf.sections[table.link];
    if (strtab === undefined) continue;
    for (let at = table.offset; at + 24 <= table.offset + table.size; at += 24) {
      const name = cString(elf.bytes, strtab.offset + view.getUint32(at, true));
      if (name === "") continue;
      (view.getUint16(at + 6, true) === 0 ? undefined_ : defined).add(name);
    }
  }
  return [defined, undefined_];
}

/**
 * The unsupported pthread functions a linked program imports, sorted; empty when it is not a
 * pthread program (include/pthread.h's mark or an SV-COMP task's, without isomc.h's) or not
 * an ELF file.
 */
export function unsupportedImports(bytes: Uint8Array): string[] {
  const elf = parseElf(bytes);
  if (elf === null) return [];
  const [defined, imported] = symbolNames(elf);
  const marked = defined.has("isomc_pthread_program") || defined.has("isomc_svcomp_program");
  if (!marked || defined.has("isomc_api_program")) return [];
  return [...imported].filter((n) => unsupportedPthreadFunctions.has(n)).sort();
}

/** The one line `isomc cc` refuses such a program with, or null when there is none. */
export function unsupportedProblem(output: string, bytes: Uint8Array): string | null {
  const names = unsupportedImports(bytes);
  if (names.length === 0) return null;
  const more = names.length > 1 ? ` (and ${names.slice(1).join(", ")})` : "";
  return `${output} uses ${
    names[0]
  }${more}, which isomc does not support yet (docs/pthreads.md lists what it does)`;
}
