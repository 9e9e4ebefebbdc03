/**
 * The coordinator<->worker protocol, defined once (docs/parallel.md): frames of a 4-byte
 * big-endian length then that many bytes of UTF-8 JSON, one message each; bigints (transition
 * arguments) travel as {"$bigint": "decimal"}. The worker's first message says the version; a
 * coordinator of another version answers with an error and closes.
 */

import type { Job, JobOutcome, SplitConfig } from "./job.ts";
import type { Step } from "../model/transition.ts";
import { packJob, unpackJob } from "./wire_pack.ts";

/**
 * 1: the first. 2: with --visited the setup carries how every copy starts (split.start, the
 * reference's words and initial key) and the program's environment (programEnv); a version 1
 * worker would ignore them and hash its copies' states unlike the others'; --every-end
 * (everyEnd) came with it. 3: sdpor and odpor jobs carry their root's sleep set and wakeup
 * tree (job.dpor, the coordinator's), answer probes (`node`) and record what their races add
 * above their root (part.ops); the coordinator tells a worker to `drop` a job of no use.
 * 4: the setup says whether data races are looked for (`races`: a worker watches every step
 * of a job, its prefix's included, as the sequential search's race watch does), the memory
 * mode and --join-on-exit (which a worker's program gets in its environment even without
 * programEnv), the split carries --max-executions (`split.maxExecutions`) and a job the
 * executions it may run (`job.maxExecutions`: what is left of the bound before it in the
 * sequential order), and with --show-output (`showOutput`) a part its executions' output
 * (`part.output`); a worker told to `donate` gives the branches left at its search's
 * shallowest node away (`donated`, none and sleep), before its outcome.
 * 5: the setup carries --nondet-range and --svcomp (`nondetRange`, `svcomp`: the runtime reads
 * them from its environment, which a worker's program got without them before), and an outcome
 * says whether the worker's program drew a value from the nondet range (`nondetRange`).
 * 6: a sdpor/odpor job's root (`job.dpor`, in a job and in the outcome that carries it back)
 * travels packed (wire_pack.ts): each distinct event once in `events`, the sleep set and the
 * wakeup tree naming them by index, the tree a flat preorder list (readers(13), 2 workers:
 * 4.2 MB of jobs and 7.2 MB of outcomes before).
 */
export const wireVersion = 6;

/** Largest frame either side accepts (a job's prefix, a counterexample, names). */
export const maxFrame = 64 * 2 ** 20;

/** What a worker needs beside its own program: how to search, and how its target restores. */
export interface WorkerSetup {
  readonly split: SplitConfig;
  readonly restore: "memory" | "fork" | "replay";
  /** --races: data races are violations (report: every step watched, prefixes too) or not. */
  readonly races: "report" | "ignore";
  /** --memory: which accesses are steps (the runtime reads it from its environment). */
  readonly memory: "all" | "sync";
  /** --join-on-exit (the runtime reads it from its environment). */
  readonly joinOnExit?: boolean;
  /** --nondet-range (docs/svcomp.md; the runtime reads it from its environment). */
  readonly nondetRange?: readonly [number, number];
  /** --svcomp: abort() ends an execution quietly (the runtime reads it from its environment). */
  readonly svcomp?: boolean;
  readonly timeoutMs: number;
  readonly pinCpu: boolean;
  readonly snapshotSpacing?: number;
  readonly maxCheckpoints?: number;
  /** --every-end: each worker runs main's end after every execution. */
  readonly everyEnd?: boolean;
  /** --show-output: each job's executions' output comes back with its part (output.ts). */
  readonly showOutput?: boolean;
  /** With visited: the program's environment, the coordinator's (the same stack everywhere). */
  readonly programEnv?: Readonly<Record<string, string>>;
}

export type ToCoordinator =
  | { readonly type: "hello"; readonly version: number; readonly pid: number }
  | {
    readonly type: "outcome";
    readonly job: Job;
    readonly outcome: JobOutcome;
    /** Actor names the worker's program told it (ids are the same in every copy). */
    readonly actors: readonly [number, string][];
    readonly objects: readonly [number, string][];
    /**
     * The worker's program drew a wide nondet value from the range, in this job or an earlier
     * one (outcome_watch.ts): a search that finds nothing is then incomplete, not ok.
     */
    readonly nondetRange?: boolean;
  }
  | { readonly type: "failed"; readonly message: string; readonly exit: number }
  /** --visited: may this job explore the state of this hash (is it the first to ask)? */
  | { readonly type: "claim"; readonly hash: bigint; readonly epoch: number }
  /**
   * Asked to donate: the branches the running job gave away (paths from the initial state, in
   * the sequential order), which it no longer explores; none when it had none to give.
   */
  | {
    readonly type: "donated";
    readonly id: readonly number[];
    readonly epoch: number;
    readonly paths: readonly (readonly Step[])[];
  };

export type ToWorker =
  | { readonly type: "setup"; readonly version: number; readonly setup: WorkerSetup }
  | { readonly type: "job"; readonly job: Job }
  | { readonly type: "claimed"; readonly mine: boolean }
  /** The job `id` (of `epoch`, `key`) can no longer count: the worker stops it, goes on. */
  | {
    readonly type: "drop";
    readonly id: readonly number[];
    readonly epoch: number;
    readonly key: string | null;
  }
  /** A worker is free and no job is pending: the job `id` (of `epoch`) gives work away. */
  | { readonly type: "donate"; readonly id: readonly number[]; readonly epoch: number }
  | { readonly type: "stop" }
  | { readonly type: "refused"; readonly message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One message as a frame. */
export function encodeFrame(message: ToCoordinator | ToWorker): Uint8Array {
  const wire = message.type === "job" || message.type === "outcome"
    ? { ...message, job: packJob(message.job) }
    : message;
  const body = encoder.encode(
    JSON.stringify(wire, (_k, v) => typeof v === "bigint" ? { $bigint: v.toString() } : v),
  );
  if (body.length > maxFrame) throw new Error(`a message of ${body.length} bytes is too large`);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/**
 * A frame's body as the message it holds. Parsed without a reviver, then the bigints put back
 * in one walk: JSON.parse with a reviver calls it for every value and was most of the
 * coordinator's own time (indexer(15), 2 workers: 0.86 s of its 2.9 s; a reviver parses a
 * 0.9 MB outcome in 87 ms, this in 16 ms: bench/README.md).
 */
export function decodeBody(body: Uint8Array): unknown {
  const m = revive(JSON.parse(decoder.decode(body)));
  if (m !== null && typeof m === "object" && "job" in m) {
    const type = (m as { type?: unknown }).type;
    const job = (m as { job?: unknown }).job;
    if ((type === "job" || type === "outcome") && job !== null && typeof job === "object") {
      (m as { job: Job }).job = unpackJob(job as Job);
    }
  }
  return m;
}

/** `v` with every `{"$bigint": "..."}` (alone in its object) turned into its bigint, in place. */
function revive(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === "object") v[i] = revive(x);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const big = o.$bigint;
  if (typeof big === "string" && Object.keys(o).length === 1) return BigInt(big);
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === "object") o[k] = revive(x);
  }
  return o;
}

/**
 * Cuts a byte stream into frames' bodies, as chunks arrive. The bytes held grow by doubling
 * (a large frame arrives in many chunks: copying what is held at each made it quadratic).
 */
export class FrameReader {
  private buffer = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Adds `chunk`; returns the bodies now complete. Throws on a frame larger than maxFrame. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.hold(chunk);
    const out: Uint8Array[] = [];
    while (this.end - this.start >= 4) {
      const length = new DataView(this.buffer.buffer, this.start, 4).getUint32(0);
      if (length > maxFrame) throw new Error(`a frame of ${length} bytes is too large`);
      if (this.end - this.start - 4 < length) break;
      out.push(this.buffer.slice(this.start + 4, this.start + 4 + length));
      this.start += 4 + length;
    }
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  /** Bytes held of a frame not yet complete. */
  get pending(): number {
    return this.end - this.start;
  }

  private hold(chunk: Uint8Array): void {
    const held = this.end - this.start;
    if (this.end + chunk.length > this.buffer.length) {
      if (held + chunk.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(held + chunk.length, 2 * this.buffer.length));
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.start = 0;
      this.end = held;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/** Reads messages from a connection until it closes (null then). */
export class Connection {
  private readonly reader = new FrameReader();
  private readonly ready: Uint8Array[] = [];
  messages = 0;
  /**
   * The size of the last frame sent and of the last one received, and the milliseconds spent
   * encoding and writing the one, decoding the other (the job log, drive.ts).
   */
  lastSent = 0;
  lastReceived = 0;
  lastSendMs = 0;
  lastDecodeMs = 0;

  /** What a read fills (the reader copies what it keeps). */
  private readonly chunk = new Uint8Array(1 << 20);

  constructor(readonly conn: Deno.Conn) {}

  async send(message: ToCoordinator | ToWorker): Promise<void> {
    const from = performance.now();
    const frame = encodeFrame(message);
    let at = 0;
    while (at < frame.length) at += await this.conn.write(frame.subarray(at));
    this.messages++;
    this.lastSent = frame.length;
    this.lastSendMs = performance.now() - from;
  }

  /** The next message, or null when the other side closed (or the connection failed). */
  async receive(): Promise<unknown | null> {
    const chunk = this.chunk;
    while (this.ready.length === 0) {
      let n: number | null;
      try {
        n = await this.conn.read(chunk);
      } catch {
        return null;
      }
      if (n === null) return null;
      this.ready.push(...this.reader.push(chunk.subarray(0, n)));
    }
    this.messages++;
    const body = this.ready.shift()!;
    this.lastReceived = 4 + body.length;
    const from = performance.now();
    const message = decodeBody(body);
    this.lastDecodeMs = performance.now() - from;
    return message;
  }

  /** Says no more is coming, and lets the other side end (its last words still arrive). */
  async closeWrite(): Promise<void> {
    try {
      await this.conn.closeWrite();
    } catch {
      // closed already
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed already
    }
  }
}

/** Where to connect or listen: "unix:PATH", or "HOST:PORT" for TCP. */
export type Address = { transport: "unix"; path: string } | {
  transport: "tcp";
  hostname: string;
  port: number;
};

export function parseAddress(text: string): Address | null {
  if (text.startsWith("unix:") && text.length > 5) {
    return { transport: "unix", path: text.slice(5) };
  }
  const m = /^(.*):(\d{1,5})$/.exec(text);
  if (m === null || m[1] === "") return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  return { transport: "tcp", hostname: m[1].replace(/^\[(.*)\]$/, "$1"), port };
}
