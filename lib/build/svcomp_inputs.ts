/**
 * What `isomc cc` adds for SV-COMP tasks (docs/svcomp.md), decided from its inputs' bytes: a
 * task comes preprocessed (`.i`) or names the benchmarks' functions (`__VERIFIER_...`,
 * `reach_error`), so it never included isomc's <pthread.h> and carries no pthread mark; the
 * link then gets include/isomc_svcomp.c, which defines `isomc_svcomp_program`, the runtime's
 * sign to run main as an actor (zig cc has no --defsym). A task that defines functions named
 * `__VERIFIER_atomic_*` is compiled with -finstrument-functions (and linked with -rdynamic, so
 * that the runtime can name the function each hook reports): each such function runs as one
 * step. Pure functions of the inputs.
 */

/** One input of the command line: its path and its bytes (null when unreadable). */
export interface Input {
  readonly path: string;
  readonly bytes: Uint8Array | null;
}

const encoder = new TextEncoder();

function contains(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (
    let i = bytes.indexOf(first, from);
    i >= 0 && i + needle.length <= bytes.length;
    i = bytes.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

const verifier = encoder.encode("__VERIFIER_");
const reachError = encoder.encode("reach_error");
const atomicPrefix = encoder.encode("__VERIFIER_atomic_");

function isIdentifierByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ||
    b === 0x5f;
}

/** Whether the input is an SV-COMP task: a `.i` file, or one naming their functions. */
export function isSvcompInput(input: Input): boolean {
  if (input.path.endsWith(".i")) return true;
  if (input.bytes === null) return false;
  return contains(input.bytes, verifier) >= 0 || contains(input.bytes, reachError) >= 0;
}

/**
 * Whether the input names a `__VERIFIER_atomic_*` function other than the runtime's own
 * `__VERIFIER_atomic_begin` and `__VERIFIER_atomic_end`.
 */
export function namesAtomicFunction(input: Input): boolean {
  const b = input.bytes;
  if (b === null) return false;
  for (let at = contains(b, atomicPrefix); at >= 0; at = contains(b, atomicPrefix, at + 1)) {
    let end = at + atomicPrefix.length;
    while (end < b.length && isIdentifierByte(b[end])) end++;
    const rest = new TextDecoder().decode(b.subarray(at + atomicPrefix.length, end));
    if (rest !== "begin" && rest !== "end" && rest !== "") return true;
  }
  return false;
}

/**
 * What `isomc cc` adds for these inputs (nothing for a program that is no task): options before
 * the user's, and files after them (`mark` gives include/isomc_svcomp.c's path, asked only for a
 * task: the single binary writes the file out when first asked).
 */
export function svcompOptions(
  inputs: readonly Input[],
  linking: boolean,
  mark: () => string,
): { options: string[]; files: string[] } {
  const options: string[] = [];
  const files: string[] = [];
  const atomic = inputs.some(namesAtomicFunction);
  if (atomic) options.push("-finstrument-functions");
  if (linking && inputs.some(isSvcompInput)) {
    files.push(mark());
    if (atomic) options.push("-rdynamic");
  }
  return { options, files };
}
