/**
 * isomc's command-line entry point: `deno run -A cli.ts <command> ...` (./isomc does this after
 * installing the toolchain). The commands live in lib/cli/.
 */

import { main } from "./lib/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
