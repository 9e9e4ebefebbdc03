/**
 * How isomc was run, so that the commands it prints (the replay hint after a violation) can be
 * pasted as they are: the wrapper says how it was invoked (`./isomc`, `isomc` found in PATH,
 * `~/src/isomc/isomc`) in ISOMC_INVOKED; run directly, it is `deno run -A` and the path of cli.ts.
 */

import { fileURLToPath, isAbsolute, relative } from "../paths.ts";
import { shellQuote } from "../report/human.ts";

export const ENV_INVOKED = "ISOMC_INVOKED";

export function invokedAs(
  env: Readonly<Record<string, string>> = Deno.env.toObject(),
  mainModule: string = Deno.mainModule,
  cwd: string = Deno.cwd(),
): string {
  const wrapper = env[ENV_INVOKED];
  if (wrapper !== undefined && wrapper !== "") return shellQuote(wrapper);
  let cli = mainModule.startsWith("file:") ? fileURLToPath(mainModule) : mainModule;
  const near = relative(cwd, cli);
  // Inside the current directory a relative path reads best; above it, the absolute one.
  if (near !== "" && !near.startsWith("..") && !isAbsolute(near)) cli = near;
  return `deno run -A ${shellQuote(cli)}`;
}
