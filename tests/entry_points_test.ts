/**
 * Every API function a program calls from an actor goes through an entry point that clears the
 * stack below its caller and the scratch registers (native/src/runtime/entry.zig, docs/state.md):
 * include/isomc.h renames it to its entry point, and entry.zig's table makes that entry point.
 * A function declared without one would leave the runtime's frames in the actor's stack, which
 * is hashed, and equal states would differ (isomc_progress, added by the liveness branch, had
 * none when the canonical runtime was merged).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./support/build.ts";

/** main's functions, and the one that never returns: no entry point. */
const without = ["init", "run", "assert_fail"];

Deno.test("every API function of include/isomc.h has an entry point, and entry.zig makes each", async () => {
  const header = await Deno.readTextFile(join(repoRoot, "include/isomc.h"));
  // Declarations: a return type, `isomc_NAME(`, up to the `;` (the attribute may be on the
  // next line).
  const declared = [...header.matchAll(/^[a-z][\w ]*?\**\s*isomc_(\w+)\(([^;]*);/gm)]
    .map((m) => ({ name: m[1], entry: /ISOMC_ENTRY\((\w+)\)/.exec(m[2])?.[1] ?? null }));
  const names = declared.map((d) => d.name);
  assert.ok(names.includes("progress") && names.includes("prop") && names.includes("send"));
  for (const d of declared) {
    if (without.includes(d.name)) {
      assert.equal(d.entry, null, d.name);
    } else {
      assert.equal(d.entry, d.name, `isomc_${d.name} is declared without ISOMC_ENTRY(${d.name})`);
    }
  }
  const source = await Deno.readTextFile(join(repoRoot, "native/src/runtime/entry.zig"));
  // The table of the API's functions (the file's tests make probes of their own).
  const table = /const functions = \[_\]Function\{([^}]*)\};/.exec(source)?.[1] ?? "";
  const made = [...table.matchAll(/\bf\("(\w+)", \d, (?:true|false)\)/g)].map((m) => m[1]);
  assert.deepEqual(
    [...made].sort(),
    names.filter((n) => !without.includes(n)).sort(),
  );
});
