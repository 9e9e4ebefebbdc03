/**
 * Decoding STATE frames (lib/process/decode.ts `decode`; protocol.ts's before its split), alone,
 * in one process: frames of 14 transition records (readers(13)'s width: a load each, an address
 * and a call site), one of them changed from one STATE to the next (the actor that moved),
 * decoded 200,000 times after 20,000 to warm up (through a RecordCache where the tree has one),
 * for each tree given (its checkout root), in turn. It isolates the checker's decode from the
 * round trip around it (bench/README.md, "Speed, part 5" and "part 7").
 *
 *   deno run -A bench/decode_state.ts ROOT...   (default: this checkout)
 */

const roots = Deno.args.length > 0 ? Deno.args : [new URL("..", import.meta.url).pathname];
const records = 14;

for (const root of roots) {
  const p = await import(`${root}/lib/process/protocol.ts`);
  // decode.ts since the protocol's split (issue 10); protocol.ts in older trees.
  const d = await import(`${root}/lib/process/decode.ts`).catch(() => p);
  const length = 8 + 16 + records * 48;
  const frame = new Uint8Array(length);
  const v = new DataView(frame.buffer);
  v.setUint32(0, length, true);
  v.setUint16(4, p.MessageType.state, true);
  v.setUint16(6, p.PROTOCOL_VERSION, true);
  v.setUint32(8, 5, true); // steps
  v.setUint32(12, records, true);
  for (let i = 0; i < records; i++) {
    const at = 24 + i * 48;
    v.setUint32(at, i, true); // actor
    v.setUint8(at + 4, 3); // a load
    v.setUint8(at + 5, 1); // enabled
    v.setUint32(at + 8, 1, true); // choices
    v.setBigUint64(at + 16, 0x7f0000001000n + BigInt(i * 8), true); // object
    v.setBigUint64(at + 40, 0x401234n, true); // site
  }
  // The usual sequence: the actor that moved has a new record at the next STATE (record k of
  // frame k has another value), the others repeat theirs.
  const frames = Array.from({ length: records }, (_, k) => {
    const f = frame.slice();
    new DataView(f.buffer).setBigInt64(24 + k * 48 + 24, BigInt(k + 1), true); // arg0
    return f;
  });
  // Through the program run's RecordCache where the tree has one (decode.ts), else plain.
  const cache = d.RecordCache === undefined ? undefined : new d.RecordCache();
  let seen = 0;
  for (let k = 0; k < 20_000; k++) {
    seen += d.decode(frames[k % records], cache).point.transitions.length;
  }
  const rounds = 200_000;
  const t0 = performance.now();
  for (let k = 0; k < rounds; k++) {
    seen += d.decode(frames[k % records], cache).point.transitions.length;
  }
  const us = (performance.now() - t0) * 1000 / rounds;
  if (seen !== (rounds + 20_000) * records) throw new Error("decode lost records");
  console.log(`${root}: ${us.toFixed(2)} µs per STATE of ${records} records`);
}
