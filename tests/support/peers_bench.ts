/**
 * Runs `bench/run.ts --peers` as a user would, for the tests of the peers bench
 * (tests/bench_peers_test.ts, tests/bench_simgrid_test.ts), and returns its exit code and output.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export async function runPeersBench(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "bench", "run.ts"), "--peers", ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}
