/**
 * `isomc demo`: the first thing a new user runs. Builds the bundled dining-philosophers
 * program, checks it, and shows the deadlock it finds with the commands to replay it.
 */

import { relative } from "../paths.ts";
import { compile } from "../build/cc.ts";
import { check } from "../check.ts";
import { ExitCode, UsageError } from "../errors.ts";
import { realFile, workFolder } from "../native/files.ts";
import { installCleanup } from "../process/cleanup.ts";
import { formatReport } from "../report/human.ts";
import { buildTrace, writeTrace } from "../report/trace.ts";
import { demoHelp } from "./help.ts";
import { invokedAs } from "./invocation.ts";

export async function demoCommand(args: readonly string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(demoHelp);
    return ExitCode.ok;
  }
  if (args.length > 0) throw new UsageError(`demo: takes no arguments (not '${args[0]}')`);
  installCleanup();
  // In the single binary both are in the cache folder: the compiler cannot read its files.
  const source = realFile("examples/philosophers.c");
  const dir = `${workFolder()}/demo`;
  Deno.mkdirSync(dir, { recursive: true });
  const program = `${dir}/philosophers`;
  const show = (p: string): string => relative(Deno.cwd(), p) || p;
  console.log(`isomc demo: building ${show(source)} with isomc cc`);
  await compile([source], program);
  console.log(
    `isomc demo: checking ${show(program)} (3 philosophers, each takes the left fork first)\n`,
  );
  const result = await check(program, []);
  const tracePath = `${dir}/philosophers.trace.json`;
  if (result.violation !== null) {
    writeTrace(
      tracePath,
      buildTrace([show(program)], result.violation, result.names, 10_000, {
        sources: result.sources,
      }),
    );
  }
  console.log(
    formatReport(result, {
      names: result.names,
      command: invokedAs(),
      program: [show(program)],
      tracePath: result.violation === null ? null : show(tracePath),
      sources: result.sources,
    }),
  );
  if (result.violation?.kind === "deadlock") {
    console.log("isomc demo: found and showed the known deadlock.");
    return ExitCode.ok;
  }
  console.error("isomc demo: the known deadlock was NOT found; this is a bug in isomc.");
  return ExitCode.violation;
}
