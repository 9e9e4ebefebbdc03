/**
 * What the SV-COMP tests share (tests/svcomp_test.ts, tests/svcomp_assume_test.ts): `isomc check
 * --json` of a built or of a test program through the real CLI, and the files of the Nidhugg
 * snapshot, which a test uses only when they are here (else it says so and skips).
 */

import { buildProgram } from "./build.ts";
import { runCli } from "./cli.ts";
import { tempDirs } from "./temp_dir.ts";

export const programs = "tests/programs/svcomp/";

export type Reduction = "none" | "sleep" | "sdpor" | "odpor";

export interface Report {
  readonly verdict: string;
  readonly incomplete: string | null;
  readonly violation: { readonly kind: string; readonly message: string } | null;
  readonly stats: { readonly executions: number; readonly assumes_failed: number };
}

const inTempDir = tempDirs("isomc-svcomp-");

/** `isomc check --json` of a built program, with its exit code. */
export async function checkBuilt(
  program: string,
  reduction: Reduction,
  extra: readonly string[] = [],
): Promise<{ code: number; report: Report }> {
  return await inTempDir(async (dir) => {
    const r = await runCli(
      ["check", "--json", `--reduction=${reduction}`, "--no-visited", ...extra, "--", program],
      { cwd: dir },
    );
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  });
}

/** `isomc check --json` of tests/programs/svcomp/NAME, built with `flags`. */
export async function check(
  name: string,
  reduction: Reduction,
  extra: readonly string[] = [],
  flags: readonly string[] = [],
): Promise<{ code: number; report: Report }> {
  return await checkBuilt(await buildProgram(`${programs}${name}`, flags), reduction, extra);
}

export const nidhuggBenchmarks = "/work/peers/nidhugg/benchmarks/";
export const nidhugg = `${nidhuggBenchmarks}SV-COMP/`;

/**
 * The path of a task of the Nidhugg snapshot (of benchmarks/SV-COMP/, or of another directory
 * of its benchmarks), or null (said, and the test skipped) without it.
 */
export async function nidhuggTask(
  t: Deno.TestContext,
  name: string,
  dir = nidhugg,
): Promise<string | null> {
  const source = `${dir}${name}`;
  try {
    await Deno.stat(source);
    return source;
  } catch {
    console.log(`skipped: ${source} is not here (the Nidhugg snapshot)`);
    await t.step({ name: "skipped", ignore: true, fn: () => {} });
    return null;
  }
}
