/** `isomc cc`: the C compiler with the runtime; its exit status is the compiler's. */

import { cc } from "../build/cc.ts";
import { ExitCode } from "../errors.ts";
import { ccHelp } from "./help.ts";

export async function ccCommandMain(args: readonly string[]): Promise<number> {
  if (args.length === 1 && (args[0] === "-h" || args[0] === "--help")) {
    console.log(ccHelp);
    return ExitCode.ok;
  }
  const status = await cc(args);
  return status === 0 ? ExitCode.ok : ExitCode.usage;
}
