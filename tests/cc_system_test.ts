/**
 * `isomc cc` with the system's C compiler (lib/build/compiler.ts): the prebuilt runtime links
 * with gcc and clang as it does with zig cc, and a program built each way is checked with the
 * same counts (tests/counts_test.ts's derivations) and the same counterexample. The choice of
 * compiler is tested as a pure function; which compiler really ran is read from the binary's
 * .comment section (zig cc's clang names zig-bootstrap; Debian's clang names its version).
 */

import { instruments } from "../lib/build/instrument.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { takeCompilerOption } from "../lib/build/cc_args.ts";
import { chooseCompiler, compilerCommand } from "../lib/build/compiler.ts";
import { check } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { lines, runCli } from "./support/cli.ts";
import { tempDirs } from "./support/temp_dir.ts";

const threeYields = join(repoRoot, "tests/programs/counts/three_yields.c");
const bank = join(repoRoot, "examples/bank.c");

Deno.test("compiler choice: --cc first, then ./isomc's zig, zig on PATH, cc, gcc, clang", () => {
  const disk = new Set(["/usr/bin/gcc", "/usr/bin/cc", "/opt/zig/zig", "/usr/bin/clang-19"]);
  const has = (p: string): boolean => disk.has(p);
  const path = "/opt/zig:/usr/bin";
  assert.deepEqual(chooseCompiler("clang-19", { path }, has), {
    kind: "system",
    path: "/usr/bin/clang-19",
  });
  assert.deepEqual(chooseCompiler("/opt/zig/zig", { path }, has), {
    kind: "zig",
    path: "/opt/zig/zig",
  });
  assert.deepEqual(chooseCompiler(null, { zig: "/z/zig", path }, has), {
    kind: "zig",
    path: "/z/zig",
  });
  assert.deepEqual(chooseCompiler(null, { path }, has), { kind: "zig", path: "/opt/zig/zig" });
  // An empty ISOMC_ZIG counts as unset: the tests use it to hide ./isomc's zig.
  assert.deepEqual(chooseCompiler(null, { zig: "", path: "/usr/bin" }, has), {
    kind: "system",
    path: "/usr/bin/cc",
  });
  const onlyGcc = (p: string): boolean => p === "/usr/bin/gcc";
  assert.deepEqual(chooseCompiler(null, { path: "/usr/bin" }, onlyGcc), {
    kind: "system",
    path: "/usr/bin/gcc",
  });
  assert.deepEqual(chooseCompiler("tcc", { path }, has), {
    problem: "--cc=tcc: no such compiler",
  });
  assert.match(
    (chooseCompiler(null, { path: "/nowhere" }, has) as { problem: string }).problem,
    /^no C compiler: neither zig nor cc, gcc or clang is on PATH/,
  );
});

Deno.test("compiler command: the memory instrumentation without the sanitizer's runtime, for clang's front end", () => {
  const runtime = { includeDir: "/inc/", library: "/lib/libisomc.a" };
  const flags = [
    "-Xclang",
    "-fsanitize=thread",
    "-mllvm",
    "-tsan-instrument-read-before-write",
    "-mllvm",
    "-tsan-instrument-func-entry-exit=false",
  ];
  const zig = compilerCommand({ kind: "zig", path: "zig" }, ["-o", "app", "app.c"], runtime, true);
  assert.deepEqual(zig.slice(4, 4 + flags.length), flags);
  const clang = compilerCommand(
    { kind: "system", path: "/usr/bin/clang-19" },
    ["app.c"],
    runtime,
    true,
  );
  assert.deepEqual(clang.slice(2, 2 + flags.length), flags);
  // gcc cannot have the instrumentation without its runtime: none.
  assert.equal(
    compilerCommand({ kind: "system", path: "gcc" }, ["app.c"], runtime, true).includes("-Xclang"),
    false,
  );
});

Deno.test("a source that includes isomc.h is a program of the API: not instrumented", () => {
  assert.equal(instruments(['#include "isomc.h"\nint main(void) {}']), false);
  assert.equal(
    instruments(["#include <pthread.h>\n", "  # include <../include/isomc.h>\n"]),
    false,
  );
  assert.equal(instruments(["#include <pthread.h>\nint x;"]), true);
  assert.equal(instruments(['// #include "isomc.h" in a comment is not at a line start\n']), true);
});

Deno.test("compiler command: the system cc gets -g, -I, the runtime and libc's pthread and dl", () => {
  const runtime = { includeDir: "/inc/", library: "/lib/libisomc.a" };
  assert.deepEqual(
    compilerCommand({ kind: "system", path: "gcc" }, ["-O2", "-o", "app", "app.c"], runtime),
    ["gcc", "-g", "-I/inc/", "-O2", "-o", "app", "app.c", "/lib/libisomc.a", "-lpthread", "-ldl"],
  );
  assert.deepEqual(
    compilerCommand({ kind: "system", path: "gcc" }, ["-c", "app.c"], runtime),
    ["gcc", "-g", "-I/inc/", "-c", "app.c"],
  );
  assert.deepEqual(
    compilerCommand({ kind: "zig", path: "zig" }, ["-o", "app", "app.c"], runtime),
    [
      "zig",
      "cc",
      "-g",
      "-fno-sanitize=undefined",
      "-I/inc/",
      "-o",
      "app",
      "app.c",
      "/lib/libisomc.a",
    ],
  );
});

Deno.test("--cc=PATH is taken out of the arguments; an option's value is left alone", () => {
  assert.deepEqual(takeCompilerOption(["--cc=gcc", "-o", "a", "a.c"]), {
    compiler: "gcc",
    rest: ["-o", "a", "a.c"],
  });
  assert.deepEqual(takeCompilerOption(["-o", "--cc=x", "a.c"]), {
    compiler: null,
    rest: ["-o", "--cc=x", "a.c"],
  });
  assert.deepEqual(takeCompilerOption(["a.c", "--", "--cc=odd.c"]), {
    compiler: null,
    rest: ["a.c", "--", "--cc=odd.c"],
  });
  assert.deepEqual(takeCompilerOption(["--cc=", "a.c"]), {
    problem: "--cc needs a value: --cc=PATH (e.g. --cc=gcc)",
  });
});

/** Which compiler built `binary`, from the strings its .comment section holds. */
function builtBy(binary: string): string {
  const text = new TextDecoder("latin1").decode(Deno.readFileSync(binary));
  if (text.includes("zig-bootstrap")) return "zig";
  const clang = text.match(/Debian clang version (\d+)\./);
  if (clang !== null) return `clang-${clang[1]}`;
  return text.includes("GCC: (") ? "gcc" : "unknown";
}

/** The system compilers this machine has (.ci/run installs gcc and clang). */
function systemCompilers(): string[] {
  const found: string[] = [];
  for (const name of ["gcc", "clang", "clang-15", "clang-19"]) {
    const on = (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
      try {
        return Deno.statSync(join(dir, name)).isFile;
      } catch {
        return false;
      }
    });
    if (on) found.push(name);
  }
  return found;
}

const inTempDir = tempDirs("isomc-cc-system-");

Deno.test("isomc cc --cc=gcc / clang: the same 90 executions, 271 states as zig cc", async () => {
  const compilers = systemCompilers();
  assert.ok(compilers.includes("gcc"), `gcc is needed (found: ${compilers.join(", ")})`);
  assert.ok(compilers.some((c) => c.startsWith("clang")), "clang is needed");
  const viaZig = await buildProgram(threeYields);
  assert.equal(builtBy(viaZig), "zig");
  const expected = await check(viaZig, [], { reduction: "none", visited: false });
  assert.deepEqual(
    [expected.stats.executions, expected.stats.states, expected.stats.maxDepth],
    [90, 271, 6],
  );
  await inTempDir(async (dir) => {
    for (const compiler of compilers) {
      const out = join(dir, `three_yields-${compiler}`);
      const r = await runCli(["cc", `--cc=${compiler}`, "-O2", "-o", out, threeYields]);
      assert.equal(r.code, 0, `${compiler}: ${r.stderr}`);
      const by = builtBy(out);
      assert.ok(
        compiler === "clang" ? by.startsWith("clang-") : by === compiler,
        `${compiler}: ${by}`,
      );
      const result = await check(out, [], { reduction: "none", visited: false });
      assert.equal(result.verdict, expected.verdict, compiler);
      assert.deepEqual(
        [result.stats.executions, result.stats.states, result.stats.maxDepth],
        [90, 271, 6],
        compiler,
      );
    }
  });
});

Deno.test("isomc cc without zig uses the system cc: bank.c's counterexample names its globals", async () => {
  await inTempDir(async (dir) => {
    const out = join(dir, "bank");
    // ISOMC_ZIG empty and a PATH without .tools/: as on a machine where Zig is not installed.
    const env = { ISOMC_ZIG: "", PATH: "/usr/local/bin:/usr/bin:/bin" };
    const r = await runCli(["cc", "-o", out, bank], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(builtBy(out), "gcc"); // Debian's cc is gcc
    const viaZig = await check(await buildProgram("examples/bank.c"), []);
    const result = await check(out, []);
    assert.equal(result.violation?.kind, "assertion");
    assert.deepEqual(
      [result.stats.executions, result.stats.states],
      [viaZig.stats.executions, viaZig.stats.states],
    );
    const report = await runCli(["check", "--", out], { cwd: dir, env });
    assert.equal(report.code, 1, report.stderr);
    assert.match(report.stdout, /teller-1: store\(alice\[1\], 90\)/);
  });
});

Deno.test("isomc cc with no compiler at all, or --cc naming none: exit 2, one line", async () => {
  await inTempDir(async (dir) => {
    const none = await runCli(["cc", "-o", "x", bank], {
      cwd: dir,
      env: { ISOMC_ZIG: "", PATH: dir },
    });
    assert.equal(none.code, 2, none.stderr);
    assert.deepEqual(lines(none.stderr), [
      "isomc: cc: no C compiler: neither zig nor cc, gcc or clang is on PATH (install one, or give --cc=PATH)",
    ]);
    const missing = await runCli(["cc", "--cc=no-such-cc", "-o", "x", bank], { cwd: dir });
    assert.equal(missing.code, 2, missing.stderr);
    assert.deepEqual(lines(missing.stderr), ["isomc: cc: --cc=no-such-cc: no such compiler"]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});
