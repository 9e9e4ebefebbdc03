/**
 * The source line of every step: the runtime's call sites (protocol version 5) read through the
 * program's own DWARF line tables (lib/report/source.ts), for the line tables zig cc writes by
 * default (DWARF 4), DWARF 5, position-independent and optimised builds; a program without
 * debug information, a file that is not ELF and damaged line tables say nothing, never throw.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { kindName } from "../lib/model/transition.ts";
import { ReplayTarget } from "../lib/process/replay_target.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { lineAt, parseLineTables } from "../lib/report/dwarf_line.ts";
import { parseElf, sectionBytes } from "../lib/report/elf.ts";
import { formatSource, readSources } from "../lib/report/source.ts";
import { buildProgram, repoRoot } from "./support/build.ts";

const source = join(repoRoot, "tests/programs/report/lines.c");

/** The line of each `@name` marker of lines.c. */
function markers(): Map<string, number> {
  const lines = Deno.readTextFileSync(source).split("\n");
  const found = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /\/\* @(\w+) \*\//.exec(l);
    if (m !== null) found.set(m[1], i + 1);
  });
  return found;
}

/** One execution (the first enabled actor each time): each step's kind, actor and call site. */
async function sitesOf(binary: string): Promise<{ kind: string; actor: number; site?: number }[]> {
  const target = new ReplayTarget(resolveProgram(binary, []), { timeoutMs: 10_000 });
  const seen: { kind: string; actor: number; site?: number }[] = [];
  try {
    let o = await target.start();
    while (o.kind === "point") {
      const t = o.point.transitions.find((x) => x.enabled);
      assert.ok(t !== undefined, "lines.c does not deadlock");
      seen.push({ kind: kindName(t.kind), actor: t.actor, site: t.site });
      o = await target.execute({ actor: t.actor, choice: 0 });
    }
    assert.equal(o.kind, "done");
  } finally {
    await target.close();
  }
  return seen;
}

/** Which marker each step of lines.c is at, by its kind and actor (1 producer, 2 consumer). */
function expectedMarker(kind: string, actor: number): string {
  if (kind === "isend" || (kind === "wait" && actor === 1)) return "send";
  if (kind === "irecv" || kind === "wait") return "recv";
  if (kind === "mutexLock") return "lock";
  if (kind === "mutexUnlock") return "unlock";
  return kind;
}

const builds: readonly [string, readonly string[]][] = [
  ["zig cc's default (DWARF 4)", []],
  ["DWARF 5", ["-gdwarf-5"]],
  ["PIE", ["-fPIE", "-pie"]],
  ["DWARF 5, PIE, -O2", ["-gdwarf-5", "-fPIE", "-pie", "-O2"]],
];

for (const [label, flags] of builds) {
  Deno.test(`every step of lines.c reads as its own line and function (${label})`, async () => {
    const binary = await buildProgram(source, flags);
    const lines = markers();
    const steps = await sitesOf(binary);
    assert.deepEqual(steps.map((s) => s.kind).sort(), [
      "irecv",
      "isend",
      "mutexLock",
      "mutexUnlock",
      "random",
      "store",
      "wait",
      "wait",
      "yield",
    ]);
    const sources = readSources(binary);
    for (const s of steps) {
      assert.ok(s.site !== undefined, `${s.kind} has a call site`);
      const loc = sources(s.site);
      assert.ok(loc !== undefined, `${s.kind} at 0x${s.site.toString(16)} is in the line tables`);
      const marker = expectedMarker(s.kind, s.actor);
      assert.equal(formatSource(loc), `lines.c:${lines.get(marker)}`, `${s.kind} (${marker})`);
      assert.equal(loc.function, s.actor === 1 ? "producer" : "consumer", s.kind);
      // Where the file can be read back from, whatever the directory the test runs in.
      assert.equal(loc.path, source, s.kind);
    }
  });
}

Deno.test("a program built without -g, a missing file and a non-ELF file give no location", async () => {
  // -g0 after isomc cc's -g: the program's own code has no line table (the runtime's has).
  const bare = await buildProgram(source, ["-g0"]);
  const [first] = await sitesOf(bare);
  assert.ok(first.site !== undefined);
  assert.equal(readSources(bare)(first.site), undefined);
  const binary = await buildProgram(source);
  const [site] = await sitesOf(binary);
  assert.ok(site.site !== undefined);
  assert.ok(readSources(binary)(site.site) !== undefined);
  assert.equal(readSources(join(repoRoot, "no-such-program"))(site.site), undefined);
  assert.equal(readSources(source)(site.site), undefined);
  // An address outside every line table, and one below the load address.
  assert.equal(readSources(binary)(0x10), undefined);
  assert.equal(readSources(binary)(0), undefined);
});

Deno.test("damaged line tables never throw: each unit that parses still answers", async () => {
  const binary = await buildProgram(source);
  const elf = parseElf(Deno.readFileSync(binary));
  assert.ok(elf !== null);
  const section = sectionBytes(elf, ".debug_line");
  assert.ok(section !== null);
  const strings = { str: sectionBytes(elf, ".debug_str"), lineStr: null };
  const whole = parseLineTables(section, strings);
  assert.ok(whole.units.length >= 2, "lines.c's unit and the runtime's");
  // A deterministic walk of damage: bytes flipped, the section cut short.
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let round = 0; round < 200; round++) {
    const damaged = section.slice(0, round % 10 === 0 ? next() % section.length : section.length);
    for (let i = 0; i < 8; i++) damaged[next() % damaged.length] = next() & 0xff;
    const tables = parseLineTables(damaged, strings);
    for (const seq of tables.sequences.slice(0, 16)) lineAt(tables, seq.start);
  }
});
