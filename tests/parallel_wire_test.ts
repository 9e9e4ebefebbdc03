/**
 * The coordinator<->worker protocol (lib/parallel/wire.ts): its frames byte for byte, frames
 * cut anywhere by the transport, bigints across, sizes refused, addresses; and through the
 * CLI, a worker of another version refused with one line.
 */

import assert from "node:assert/strict";
import {
  Connection,
  decodeBody,
  encodeFrame,
  FrameReader,
  maxFrame,
  parseAddress,
  wireVersion,
} from "../lib/parallel/wire.ts";
import { startCli } from "./support/cli.ts";
import { packOps, roomOf, unpackOps } from "../lib/explore/dpor/above.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { join } from "node:path";
import { newStats } from "../lib/explore/result.ts";

Deno.test("protocol version 6: a stop frame byte for byte", () => {
  assert.equal(wireVersion, 6);
  const frame = encodeFrame({ type: "stop" });
  const body = new TextEncoder().encode('{"type":"stop"}');
  assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 0, body.length]);
  assert.deepEqual(frame.subarray(4), body);
});

Deno.test("frames cut at every byte come out whole, bigints and all", () => {
  const messages = [
    { type: "hello", version: 1, pid: 42 },
    { type: "job", job: { id: [1, 2], prefix: [{ actor: 3, choice: 0 }], spawners: [], epoch: 0 } },
    { type: "failed", message: "é \u{1F600}", exit: 2, big: -(2n ** 63n) },
  ] as const;
  const bytes = new Uint8Array(
    messages.flatMap((m) => [...encodeFrame(m as Parameters<typeof encodeFrame>[0])]),
  );
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const reader = new FrameReader();
    const bodies = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.equal(reader.pending, 0);
    assert.deepEqual(bodies.map(decodeBody), messages);
  }
});

Deno.test("large frames in many small chunks, reused by the caller, come out whole; bigints deep inside", () => {
  // An outcome's ops: thousands of events with bigint arguments, nested in arrays and objects
  // (decodeBody puts the bigints back after a plain parse: a "$bigint" beside other keys stays).
  const events = Array.from({ length: 3000 }, (_, i) => ({
    actor: i % 5,
    arg0: BigInt(i) * 2n ** 40n,
    arg1: -BigInt(i),
    clock: [i, [{ deep: BigInt(i) }]],
  }));
  const messages = [
    { type: "failed", message: "x".repeat(70000), exit: 3, events },
    { type: "failed", message: "", exit: 2, kept: { $bigint: "1", other: 2 } },
    { type: "failed", message: "y", exit: 2, events: events.slice(0, 10) },
  ] as const;
  const bytes = new Uint8Array(
    messages.flatMap((m) => [...encodeFrame(m as Parameters<typeof encodeFrame>[0])]),
  );
  assert.ok(bytes.length > 200_000);
  for (const size of [1, 4093, 65536, 1 << 20]) {
    const reader = new FrameReader();
    const chunk = new Uint8Array(size);
    const bodies: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += size) {
      const n = Math.min(size, bytes.length - at);
      // The caller's buffer is overwritten by the next read: the reader keeps copies.
      chunk.set(bytes.subarray(at, at + n));
      bodies.push(...reader.push(chunk.subarray(0, n)));
      chunk.fill(0);
    }
    assert.equal(reader.pending, 0, `chunks of ${size}`);
    assert.deepEqual(bodies.map(decodeBody), messages, `chunks of ${size}`);
  }
});

Deno.test("version 2's setup: the reference start's words and key, the program's environment", () => {
  const setup = {
    type: "setup",
    version: 2,
    setup: {
      split: {
        reduction: "none",
        splitDepth: 4,
        maxFanout: 64,
        visited: true,
        start: { words: [[0x7ffff7d93a10n, 0x4635n]], key: 2n ** 64n - 1n },
      },
      restore: "memory",
      // Version 4: whether races are violations, and the runtime's memory mode.
      races: "report",
      memory: "sync",
      timeoutMs: 10000,
      pinCpu: true,
      programEnv: { PATH: "/usr/bin", HOME: "/root" },
    },
  } as const;
  const body = new TextDecoder().decode(encodeFrame(setup).subarray(4));
  assert.match(
    body,
    /"start":\{"words":\[\[\{"\$bigint":"140737351596560"\},\{"\$bigint":"17973"\}\]\],"key":\{"\$bigint":"18446744073709551615"\}\}/,
  );
  assert.match(body, /"programEnv":\{"PATH":"\/usr\/bin","HOME":"\/root"\}/);
  assert.match(body, /"races":"report","memory":"sync"/);
  assert.deepEqual(decodeBody(new TextEncoder().encode(body)), setup);
});

Deno.test("version 3: a sdpor/odpor job's root and a part's ops cross; an unbounded room as null", () => {
  const ev = {
    actor: 1,
    alt: 0,
    transition: { actor: 1, kind: 3, object: 7, enabled: true, choices: 1, extras: [] },
    accesses: [{ cell: "m7", mode: "write" }],
    created: [],
  };
  const job = {
    type: "job",
    job: {
      id: [0, 1],
      prefix: [{ actor: 0, choice: 0 }],
      spawners: [0],
      epoch: 1,
      key: "x|0.0|1:0|",
      dpor: { probe: false, sleep: [[ev, [0]]], tree: { ev: null, below: [{ ev, below: [] }] } },
    },
  } as const;
  assert.deepEqual(decodeBody(encodeFrame(job as never).subarray(4)), job);
  const drop = { type: "drop", id: [0, 1], epoch: 1, key: "x|0.0|1:0|" } as const;
  assert.deepEqual(decodeBody(encodeFrame(drop).subarray(4)), drop);
  // JSON has no Infinity: an op carries a room without bound as null (above.ts's roomOf).
  assert.equal(roomOf(Infinity), null);
  assert.equal(roomOf(5), 5);
  const op = { kind: "sequence", at: 0, v: [ev], room: roomOf(Infinity) };
  assert.deepEqual(decodeBody(new TextEncoder().encode(JSON.stringify(op))), op);
});

Deno.test("version 4: the setup's races, memory and split.maxExecutions, a job's maxExecutions cross", () => {
  const setup = {
    type: "setup",
    version: 4,
    setup: {
      split: { reduction: "odpor", splitDepth: 2, maxFanout: 64, maxExecutions: 7 },
      restore: "memory",
      timeoutMs: 10000,
      pinCpu: false,
      races: "report",
      memory: "sync",
    },
  } as const;
  const body = new TextDecoder().decode(encodeFrame(setup).subarray(4));
  assert.match(body, /"split":\{[^}]*"maxExecutions":7\}/);
  assert.match(body, /"races":"report"/);
  assert.match(body, /"memory":"sync"/);
  assert.deepEqual(decodeBody(new TextEncoder().encode(body)), setup);
  const job = {
    type: "job",
    job: { id: [2], prefix: [{ actor: 1, choice: 0 }], spawners: [], epoch: 0, maxExecutions: 3 },
  } as const;
  assert.match(new TextDecoder().decode(encodeFrame(job).subarray(4)), /"maxExecutions":3/);
  assert.deepEqual(decodeBody(encodeFrame(job).subarray(4)), job);
  // A donation asked and made: the job named by its id and epoch, the paths given away.
  const donate = { type: "donate", id: [0, 2], epoch: 1 } as const;
  assert.equal(
    new TextDecoder().decode(encodeFrame(donate).subarray(4)),
    '{"type":"donate","id":[0,2],"epoch":1}',
  );
  const donated = {
    type: "donated",
    id: [0, 2],
    epoch: 1,
    paths: [[{ actor: 0, choice: 0 }, { actor: 2, choice: 1 }], [{ actor: 0, choice: 0 }, {
      actor: 3,
      choice: 0,
    }]],
  } as const;
  assert.deepEqual(decodeBody(encodeFrame(donated).subarray(4)), donated);
  // A part's output: base64, so that any bytes cross.
  const part = { stats: {}, output: [{ fd: 1, base64: "eD01Cg==" }] };
  assert.deepEqual(decodeBody(new TextEncoder().encode(JSON.stringify(part))), part);
});

Deno.test("a job's operations above its root travel packed: each distinct event once", () => {
  const event = (actor: number, object: number) => ({
    actor,
    alt: 0,
    transition: { actor, kind: 3, object, enabled: true, choices: 1, extras: [], arg: 2n ** 40n },
    accesses: [{ cell: `m${object}`, mode: "write" as const }],
    created: [],
  });
  const a = event(1, 7);
  const b = event(2, 8);
  // The same event made again in a later execution: another object, alike in every field.
  const a2 = event(1, 7);
  const ops = [
    { kind: "sequence", at: 0, v: [a, b], room: null },
    { kind: "sequence", at: 1, v: [b, a2], room: 3 },
    { kind: "initials", at: 0, starts: [a2] },
  ] as const;
  const packed = packOps(ops as never);
  assert.equal(packed.events.length, 2);
  const crossed = decodeBody(
    encodeFrame({ type: "failed", message: "", exit: 3, packed } as never)
      .subarray(4),
  ) as { packed: typeof packed };
  assert.deepEqual(unpackOps(crossed.packed), ops);
});

Deno.test("a frame larger than the limit is refused, not buffered", () => {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, maxFrame + 1);
  assert.throws(() => new FrameReader().push(header), /too large/);
});

Deno.test("addresses: HOST:PORT, [v6]:PORT, unix:PATH; others refused", () => {
  assert.deepEqual(parseAddress("node1:7400"), { transport: "tcp", hostname: "node1", port: 7400 });
  assert.deepEqual(parseAddress("[::1]:7400"), { transport: "tcp", hostname: "::1", port: 7400 });
  assert.deepEqual(parseAddress("unix:/tmp/s"), { transport: "unix", path: "/tmp/s" });
  for (const bad of ["node1", ":7400", "node1:99999", "unix:", "node1:port"]) {
    assert.equal(parseAddress(bad), null, bad);
  }
});

Deno.test("a worker of another protocol version is refused; the coordinator stops on SIGTERM", async () => {
  const bank = await buildProgram(join(repoRoot, "examples", "bank.c"));
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const coordinator = startCli([
    "check",
    "--json",
    `--coordinator=127.0.0.1:${port}`,
    "--expect-workers=1",
    "--",
    bank,
  ]);
  let conn: Deno.Conn | null = null;
  for (let i = 0; i < 200 && conn === null; i++) {
    conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => null);
    if (conn === null) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(conn !== null, "the coordinator listens");
  const link = new Connection(conn);
  await link.send({ type: "hello", version: 99, pid: 1 });
  const answer = await link.receive() as { type: string; message: string };
  assert.equal(answer.type, "refused");
  assert.match(answer.message, /version 99/);
  assert.equal(await link.receive(), null, "and it closes");
  link.close();
  coordinator.child.kill("SIGTERM");
  const r = await coordinator.result;
  assert.equal(r.code, 3, r.stderr);
  assert.equal(JSON.parse(r.stdout).incomplete, "interrupted");
});

Deno.test("version 5: the setup's nondetRange and svcomp, an outcome's nondetRange cross", () => {
  const setup = {
    type: "setup",
    version: 5,
    setup: {
      split: { reduction: "none", splitDepth: 4, maxFanout: 64 },
      restore: "memory",
      timeoutMs: 10000,
      pinCpu: false,
      races: "report",
      memory: "all",
      nondetRange: [0, 10],
      svcomp: true,
    },
  } as const;
  const body = new TextDecoder().decode(encodeFrame(setup).subarray(4));
  assert.match(body, /"nondetRange":\[0,10\],"svcomp":true/);
  assert.deepEqual(decodeBody(new TextEncoder().encode(body)), setup);
  const outcome = {
    type: "outcome",
    job: { id: [], prefix: [], spawners: [], epoch: 0 },
    outcome: { kind: "split", branches: [], stats: { ...newStats(), assumesFailed: 1 } },
    actors: [],
    objects: [],
    nondetRange: true,
  } as const;
  assert.match(new TextDecoder().decode(encodeFrame(outcome).subarray(4)), /"nondetRange":true\}$/);
  assert.deepEqual(decodeBody(encodeFrame(outcome).subarray(4)), outcome);
});

Deno.test("version 6: a job's root travels packed, each distinct event once, in a job and in its outcome", () => {
  const event = (actor: number, arg0: bigint) => ({
    actor,
    alt: 0,
    transition: { actor, kind: 19, object: 7, enabled: true, choices: 1, arg0, extras: [] },
    accesses: [{ cell: "mem:7", mode: "read" }],
    created: [],
  });
  const a = event(1, 0n);
  const b = event(2, 0n);
  // Alike in every field but another object: sent once too; unlike by a bigint: apart.
  const a2 = event(1, 0n);
  const c = event(1, 5n);
  const leaf = (ev: unknown) => ({ ev, below: [] });
  const tree = {
    ev: a,
    below: [{ ev: b, below: [leaf(a), leaf(a2)] }, { ev: a2, below: [leaf(c), leaf(b)] }],
  };
  const job = {
    id: [0, 1],
    prefix: [{ actor: 0, choice: 0 }],
    spawners: [],
    epoch: 0,
    key: "x|0.0|2:0|00",
    dpor: { probe: false, sleep: [[b, [0]], [c, [0, 1]]], tree },
  };
  const message = { type: "job", job } as const;
  const body = new TextDecoder().decode(encodeFrame(message as never).subarray(4));
  const sent = JSON.parse(body);
  // In the order first met: the sleep set's b and c, then the tree's a.
  assert.equal(sent.job.dpor.events.length, 3, "a, b and c once each");
  assert.deepEqual(sent.job.dpor.sleep, [[0, [0]], [1, [0, 1]]]);
  assert.deepEqual(sent.job.dpor.tree, [2, 2, 0, 2, 2, 0, 2, 0, 2, 2, 1, 0, 0, 0]);
  assert.equal(body.match(/"transition"/g)?.length, 3);
  const back = decodeBody(encodeFrame(message as never).subarray(4)) as typeof message;
  assert.deepEqual(back, message);
  // The events alike are one object after (the tree is rebuilt with shared events).
  const root = back.job.dpor.tree;
  assert.equal(root.ev, root.below[0].below[0].ev);
  assert.equal(root.ev, root.below[1].ev);
  // The outcome carries its job back: packed the same way.
  const outcome = {
    type: "outcome",
    job,
    outcome: { kind: "split", branches: [], stats: newStats() },
    actors: [],
    objects: [],
  } as const;
  const out = new TextDecoder().decode(encodeFrame(outcome as never).subarray(4));
  assert.equal(out.match(/"transition"/g)?.length, 3);
  assert.deepEqual(decodeBody(new TextEncoder().encode(out)), outcome);
  // A probe's empty tree, and a job without a root (none, sleep), cross as they are.
  const probe = { ...job, dpor: { probe: true, sleep: [], tree: { ev: null, below: [] } } };
  assert.deepEqual(decodeBody(encodeFrame({ type: "job", job: probe } as never).subarray(4)), {
    type: "job",
    job: probe,
  });
  const plain = { type: "job", job: { id: [1], prefix: [], spawners: [], epoch: 0 } } as const;
  assert.deepEqual(decodeBody(encodeFrame(plain).subarray(4)), plain);
  // A packed tree naming an event it does not have, or cut short, is refused.
  const bad = { ...sent, job: { ...sent.job, dpor: { ...sent.job.dpor, tree: [7, 0] } } };
  assert.throws(() => decodeBody(new TextEncoder().encode(JSON.stringify(bad))), /event 7 of 3/);
  const short = { ...sent, job: { ...sent.job, dpor: { ...sent.job.dpor, tree: [0, 1] } } };
  assert.throws(() => decodeBody(new TextEncoder().encode(JSON.stringify(short))), /ends early/);
});
