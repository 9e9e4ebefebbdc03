/**
 * Copies of one program alike (lib/state/alike.ts, native/src/checker/exec_random.zig): two
 * copies started separately and driven along the same path have equal state keys once they
 * start as the reference copy does, under memory and under fork; two copies at different
 * states keep different keys; without the reference's words they do not hash alike (the
 * per-exec bytes, docs/state.md "Copies of one program").
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type OpenedTarget, openTarget } from "../lib/check.ts";
import type { Step } from "../lib/model/transition.ts";
import { ProgramOutput } from "../lib/process/output.ts";
import { resolveProgram } from "../lib/process/resolve.ts";
import { calibrate, type StartWords } from "../lib/state/alike.ts";
import { referenceStart } from "../lib/parallel/reference.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { InputError } from "../lib/errors.ts";

const noise = (): Promise<string> =>
  buildProgram(join(repoRoot, "tests/programs/parallel/exec_noise.c"));

type Restore = "memory" | "fork";

async function copies<T>(
  program: string,
  restore: Restore,
  n: number,
  body: (open: (alike: StartWords | null) => Promise<OpenedTarget>) => Promise<T>,
): Promise<T> {
  const spec = resolveProgram(program, [], Deno.env.toObject());
  const opened: { t: OpenedTarget; out: ProgramOutput }[] = [];
  const open = async (alike: StartWords | null): Promise<OpenedTarget> => {
    assert.ok(opened.length < n);
    const out = new ProgramOutput(false);
    const t = openTarget(spec, out, { pinCpu: false }, restore, true, alike);
    opened.push({ t, out });
    await t.target.start();
    return t;
  };
  try {
    return await body(open);
  } finally {
    for (const { t, out } of opened) {
      await t.target.close();
      out.close();
    }
  }
}

const a: Step = { actor: 1, choice: 0 };
const b: Step = { actor: 2, choice: 0 };

async function keysAlong(t: OpenedTarget, path: readonly Step[]): Promise<(bigint | null)[]> {
  const keys = [t.target.stateHash!()];
  for (const step of path) {
    await t.target.execute(step);
    keys.push(t.target.stateHash!());
  }
  return keys;
}

for (const restore of ["memory", "fork"] as const) {
  Deno.test(`two copies driven along one path have equal keys (${restore})`, async () => {
    const program = await noise();
    const start = await referenceStart((output) =>
      openTarget(
        resolveProgram(program, [], Deno.env.toObject()),
        output,
        {
          pinCpu: false,
        },
        restore,
        true,
      )
    );
    assert.ok(start.key !== null);
    // What each exec sets anew and the ptrace'd start does not fix: glibc's cached thread
    // id, its tcache key (the variable and the freed blocks), the linker's relocation timer.
    assert.ok(start.words.length > 0 && start.words.length < 64, `${start.words.length} words`);
    await copies(program, restore, 2, async (open) => {
      const one = await open(start);
      const two = await open(start);
      assert.equal(one.target.stateHash!(), start.key);
      const k1 = await keysAlong(one, [a, b]);
      const k2 = await keysAlong(two, [a, b]);
      assert.deepEqual(k2, k1);
      assert.equal(new Set(k1).size, 3, "three different states along the path");
    });
  });

  Deno.test(`two copies at different states have different keys (${restore})`, async () => {
    const program = await noise();
    const start = await referenceStart((output) =>
      openTarget(
        resolveProgram(program, [], Deno.env.toObject()),
        output,
        {
          pinCpu: false,
        },
        restore,
        true,
      )
    );
    await copies(program, restore, 2, async (open) => {
      const one = await open(start);
      const two = await open(start);
      const [, afterA] = await keysAlong(one, [a]);
      const [, afterB] = await keysAlong(two, [b]);
      assert.notEqual(afterA, afterB);
      // And both orders meet in one state, in either copy.
      await one.target.execute(b);
      await two.target.execute(a);
      assert.equal(one.target.stateHash!(), two.target.stateHash!());
    });
  });
}

/**
 * A reference start whose third copy is opened by `third` (the first two are exec_noise's, as
 * above): the error it fails with.
 */
async function referenceError(
  third: (output: ProgramOutput) => OpenedTarget,
): Promise<Error> {
  const program = await noise();
  let opened = 0;
  const error = await referenceStart((output) =>
    ++opened === 3 ? third(output) : openTarget(
      resolveProgram(program, [], Deno.env.toObject()),
      output,
      { pinCpu: false },
      "memory",
      true,
    )
  ).then(() => null, (e: Error) => e);
  assert.equal(opened, 3);
  assert.ok(error instanceof InputError, String(error));
  return error;
}

Deno.test("a third copy that differs beyond the words is told apart by where it differs", async () => {
  // One more argument: its string is on the main stack, which no word of the reference covers.
  const program = await noise();
  const error = await referenceError((output) =>
    openTarget(
      resolveProgram(program, ["one-more"], Deno.env.toObject()),
      output,
      { pinCpu: false },
      "memory",
      true,
    )
  );
  assert.match(
    error.message,
    /^--visited with --jobs or --coordinator: two copies of the program differ at their initial state beyond what isomc can make alike \(\d+ words differ: .*\b\d+ in \[stack\] at 0x7ff[0-9a-f]+ \(first at \+0x[0-9a-f]+\)/,
  );
});

Deno.test("a third copy that does not reach its initial state is not called different", async () => {
  // A copy that times out before its first point has no key: the line says so (before, it
  // read as copies that differ, which a slow start on a loaded machine could cause).
  const slow = await buildProgram(join(repoRoot, "tests/programs/parallel/slow_start.c"));
  const error = await referenceError((output) =>
    openTarget(
      resolveProgram(slow, [], Deno.env.toObject()),
      output,
      { pinCpu: false, timeoutMs: 300 },
      "memory",
      true,
    )
  );
  assert.match(
    error.message,
    /^--visited with --jobs or --coordinator: a copy of the program did not reach its initial state: the actors did not reach their first visible operation within 0\.3 s$/,
  );
});

Deno.test("without the reference's words two copies do not hash alike", async () => {
  const program = await noise();
  await copies(program, "memory", 2, async (open) => {
    const one = await open(null);
    const two = await open(null);
    assert.notEqual(one.target.stateHash!(), two.target.stateHash!());
    const found = calibrate(one.stateful!.copy()!, two.stateful!.copy()!);
    assert.ok(typeof found !== "string");
    // Fixed at exec: the canary (AT_RANDOM's first 8 bytes, the low one cleared) and the
    // pointer guard (the next 8) are no word that differs.
    const bytes = new DataView(new TextEncoder().encode("isomc AT_RANDOM!").buffer);
    const canary = bytes.getBigUint64(0, true) & ~0xffn;
    const guard = bytes.getBigUint64(8, true);
    for (const [, value] of found.words) assert.ok(value !== canary && value !== guard);
    for (const t of [one, two]) {
      assert.equal(atRandom(t.stateful!.copy()!.pid), "isomc AT_RANDOM!");
    }
  });
});

/** The 16 bytes at AT_RANDOM in the process `pid` (its auxiliary vector says where). */
function atRandom(pid: number): string {
  const auxv = new BigUint64Array(Deno.readFileSync(`/proc/${pid}/auxv`).buffer);
  let address = -1;
  for (let i = 0; i + 1 < auxv.length && auxv[i] !== 0n; i += 2) {
    if (auxv[i] === 25n) address = Number(auxv[i + 1]);
  }
  assert.ok(address > 0, "AT_RANDOM in the auxiliary vector");
  const file = Deno.openSync(`/proc/${pid}/mem`);
  try {
    const out = new Uint8Array(16);
    file.seekSync(address, Deno.SeekMode.Start);
    assert.equal(file.readSync(out), 16);
    return new TextDecoder().decode(out);
  } finally {
    file.close();
  }
}
