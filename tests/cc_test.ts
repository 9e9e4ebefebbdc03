/**
 * `isomc cc` (lib/build/cc.ts, lib/build/cc_args.ts): inputs that do not exist and sanitizers
 * the runtime cannot have are refused with one line and exit 2 before zig runs; UBSan works.
 * The argument rules are tested as pure functions, the refusals and UBSan through the CLI.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ccArgsProblem,
  inputFiles,
  type PathKind,
  sanitizerProblem,
} from "../lib/build/cc_args.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const source = fileURLToPath(new URL("./programs/cc/signed_overflow.c", import.meta.url));

Deno.test("cc arguments: inputs are the arguments that are neither options nor their values", () => {
  assert.deepEqual(
    inputFiles(["-o", "app", "-I", "inc", "a.c", "-DX=1", "-lm", "-Wl,-z,now", "b.o", "-x", "c"]),
    ["a.c", "b.o"],
  );
  assert.deepEqual(inputFiles(["-O2", "-", "lib.a", "--", "-odd.c"]), ["lib.a", "-odd.c"]);
  assert.deepEqual(inputFiles(["-c", "-MF", "deps.d", "-include", "pre.h", "x.c"]), ["x.c"]);
});

Deno.test("cc arguments: a missing input or a directory is named; existing inputs pass", () => {
  const disk: Record<string, PathKind> = { "a.c": "file", "dir": "directory" };
  const kindOf = (p: string): PathKind => disk[p] ?? "missing";
  assert.equal(ccArgsProblem(["-o", "x", "a.c"], kindOf), null);
  assert.equal(ccArgsProblem(["-o", "x", "a.c", "missing.c"], kindOf), "no such file: missing.c");
  assert.equal(
    ccArgsProblem(["-o", "x", "dir"], kindOf),
    "dir is a directory, not a source or object file",
  );
  // The output need not exist: it is -o's value.
  assert.equal(ccArgsProblem(["a.c", "-o", "not-yet"], kindOf), null);
});

Deno.test("cc arguments: ASan, TSan, MSan and LSan are refused, in lists too; UBSan is not", () => {
  for (const name of ["address", "thread", "memory", "leak"]) {
    const why = sanitizerProblem([`-fsanitize=${name}`]) ?? "";
    assert.match(why, new RegExp(`^-fsanitize=${name} is not supported: `));
    assert.match(why, /UBSan is: -fsanitize=undefined$/);
  }
  assert.match(sanitizerProblem(["-fsanitize=undefined,address"]) ?? "", /AddressSanitizer/);
  assert.equal(sanitizerProblem(["-fsanitize=undefined"]), null);
  assert.equal(sanitizerProblem(["-fno-sanitize=address", "-fsanitize-trap=undefined"]), null);
});

const inTempDir = tempDirs("isomc-cc-");

function assertRefused(r: { code: number; stdout: string; stderr: string }, line: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.deepEqual(lines(r.stderr), [line]);
}

Deno.test("isomc cc -o x missing.c: exit 2, 'no such file: missing.c', nothing built", async () => {
  await inTempDir(async (dir) => {
    const r = await runCli(["cc", "-o", "x", "missing.c"], { cwd: dir });
    assertRefused(r, "isomc: cc: no such file: missing.c");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("isomc cc -fsanitize=address: exit 2, one line saying ASan is not supported and UBSan is", async () => {
  await inTempDir(async (dir) => {
    const r = await runCli(["cc", "-fsanitize=address", "-o", "x", source], { cwd: dir });
    assertRefused(
      r,
      "isomc: cc: -fsanitize=address is not supported: programs built by isomc cc cannot use AddressSanitizer (zig cc has no runtime for it, and its shadow memory would be program state); UBSan is: -fsanitize=undefined",
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("isomc cc -fsanitize=undefined: builds; the overflow stops with UBSan's message and is a crash under check", async () => {
  await inTempDir(async (dir) => {
    const app = join(dir, "app");
    const built = await runCli(["cc", "-fsanitize=undefined", "-o", app, source]);
    assert.equal(built.code, 0, built.stderr);
    const alone = await new Deno.Command(app, { stdout: "piped", stderr: "piped" }).output();
    assert.equal(alone.signal, "SIGABRT");
    assert.match(new TextDecoder().decode(alone.stderr), /signed integer overflow/);
    const checked = await runCli(["check", "--json", "--", app], { cwd: dir });
    assert.equal(checked.code, 1, checked.stderr);
    const report = JSON.parse(checked.stdout);
    assert.equal(report.violation.kind, "crash");
    assert.equal(report.violation.actor, "adder");
    // Without the sanitizer the addition wraps and the program ends normally.
    const plain = join(dir, "plain");
    assert.equal((await runCli(["cc", "-o", plain, source])).code, 0);
    const wraps = await new Deno.Command(plain, { stdout: "piped", stderr: "piped" }).output();
    assert.equal(wraps.code, 0);
  });
});
