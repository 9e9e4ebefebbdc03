/**
 * Shared memory is program state (issue 8, item 1): MAP_SHARED anonymous memory and memfd
 * mappings are snapshotted and restored by --restore=memory and written back into every copy
 * of a --restore=fork checkpoint, so every strategy gives replay's verdict; the mappings no
 * strategy but replay can restore (a file's, a SysV segment's) are refused with one line
 * naming the mapping and the strategy that works, exit 2.
 */

import assert from "node:assert/strict";
import { check, type Reduction, type Restore } from "../lib/check.ts";
import { InputError } from "../lib/errors.ts";
import { buildProgram } from "./support/build.ts";
import { runCli } from "./support/cli.ts";

const program = (): Promise<string> => buildProgram("tests/programs/state/shared_map.c");

const runs: readonly { restore: Restore; reduction: Reduction; everyEnd?: boolean }[] = [
  { restore: "replay", reduction: "odpor" },
  { restore: "memory", reduction: "odpor" },
  { restore: "memory", reduction: "odpor", everyEnd: true },
  { restore: "memory", reduction: "none" },
  { restore: "memory", reduction: "none", everyEnd: true },
  { restore: "fork", reduction: "odpor" },
  { restore: "fork", reduction: "none" },
];

for (const kind of ["anon", "memfd", "private"]) {
  Deno.test(`${kind} memory: the reader-first execution fails under every strategy`, async () => {
    const binary = await program();
    for (const r of runs) {
      const result = await check(binary, ["lost", kind], r);
      const what = JSON.stringify(r);
      assert.equal(result.verdict, "violation", what);
      assert.match(result.violation?.message ?? "", /^the reader did not see the write/, what);
      // The reader first, then the writer: the second execution of both searches.
      assert.equal(result.stats.executions, 2, what);
    }
  });

  Deno.test(`${kind} memory: two atomic adds never lose an update, under every strategy`, async () => {
    const binary = await program();
    for (const r of runs) {
      const result = await check(binary, ["adds", kind], r);
      const what = JSON.stringify(r);
      assert.equal(result.verdict, "ok", `${what}: ${result.violation?.message}`);
      // Two orders of the adds; with --visited (memory, none) both end in one state.
      if (r.reduction === "odpor") assert.equal(result.stats.executions, 2, what);
    }
  });
}

Deno.test("shared memory is in the state hash: --visited tells the two stores apart", async () => {
  const binary = await program();
  // writer-reader and reader-writer reach states that differ only in `seen`, and before that
  // in the shared page: 2 + 2 + the initial state, none pruned wrongly.
  const shared = await check(binary, ["lost", "anon"], { reduction: "none", restore: "memory" });
  const privately = await check(binary, ["lost", "private"], {
    reduction: "none",
    restore: "memory",
  });
  assert.equal(shared.stats.states, privately.stats.states);
  assert.equal(shared.stats.pruned, privately.stats.pruned);
});

Deno.test("a file's or a SysV segment's shared mapping is refused by memory and fork, exit 2", async () => {
  const binary = await program();
  const dir = await Deno.makeTempDir({ prefix: "isomc-shared-" });
  try {
    for (
      const [kind, what] of [["file", /MAP_SHARED mapping of the file .*shared\.bin/], [
        "sysv",
        /SysV shared memory segment/,
      ]] as const
    ) {
      for (const restore of ["memory", "fork"] as const) {
        await assert.rejects(
          () => check(binary, ["lost", kind, dir], { restore }),
          (e: unknown) =>
            e instanceof InputError &&
            new RegExp(
              `^the program maps 0x[0-9a-f]+-0x[0-9a-f]+ \\(a ${what.source}.*\\), which --restore=${restore} cannot restore \\(.*\\); use --restore=replay$`,
            ).test(e.message),
          `${kind} ${restore}`,
        );
      }
      const replayed = await check(binary, ["lost", kind, dir], { restore: "replay" });
      assert.equal(replayed.verdict, "violation", kind);
    }
    // Through the CLI: one line, exit 2.
    const cli = await runCli(["check", "--", binary, "lost", "file", dir]);
    assert.equal(cli.code, 2);
    assert.match(
      cli.stderr,
      /^isomc: the program maps 0x[0-9a-f]+-0x[0-9a-f]+ .*use --restore=replay\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
