/**
 * The single binary's entry point (`./isomc dist` compiles this file, not cli.ts): the same
 * commands, with isomc's files taken from the bundle embedded beside the program (the manifest
 * scripts/dist.ts writes, lib/native/files.ts) and the replay hints naming the binary.
 */

import { basename, isAbsolute, relative } from "../paths.ts";
import { VERSION } from "../cli/help.ts";
import { ENV_INVOKED } from "../cli/invocation.ts";
import { main } from "../cli/main.ts";
import { cacheFolder, parseManifest, sourceRoot, useBundle } from "../native/files.ts";

/** Where the dist build puts the manifest it embeds (relative to the repository root). */
export const manifestPath = ".isomc/dist/bundle.json";

/** How to run this binary again, for the commands isomc prints: its name if PATH finds it. */
function invocation(): string {
  const self = Deno.execPath();
  const name = basename(self);
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && `${dir.replace(/\/+$/, "")}/${name}` === self) return name;
  }
  const near = relative(Deno.cwd(), self);
  return near !== "" && !near.startsWith("..") && !isAbsolute(near) ? `./${near}` : self;
}

if (import.meta.main) {
  const manifest = parseManifest(Deno.readTextFileSync(`${sourceRoot}${manifestPath}`));
  if (manifest.version !== VERSION) {
    console.error(`isomc: the bundle is of isomc ${manifest.version}, not ${VERSION}`);
    Deno.exit(3);
  }
  useBundle(manifest, () => cacheFolder(Deno.env, VERSION));
  if ((Deno.env.get(ENV_INVOKED) ?? "") === "") Deno.env.set(ENV_INVOKED, invocation());
  Deno.exit(await main(Deno.args));
}
