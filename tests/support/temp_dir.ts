/**
 * Temporary directories for tests: each test file makes its own kind (a prefix naming the file's
 * area, so that a directory left by a killed run says whose it was), removed after the test,
 * whether it passed or not.
 */

/** A function that runs `fn` in a new directory named with `prefix`, then removes it. */
export function tempDirs(
  prefix: string,
): <T>(fn: (dir: string) => Promise<T> | T) => Promise<T> {
  return async <T>(fn: (dir: string) => Promise<T> | T): Promise<T> => {
    const dir = await Deno.makeTempDir({ prefix });
    try {
      return await fn(dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
}
