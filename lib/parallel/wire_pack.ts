/**
 * How a sdpor/odpor job's root travels (wire version 6, wire.ts): its sleep set and wakeup
 * tree name each distinct event once, in a table, and the tree is a flat list of numbers. In
 * memory a job keeps them as plain data (job.ts's DporJob: SleepData, TreeData), where every
 * tree node holds its whole event; in JSON that was some 230 bytes a node, nine tenths of a
 * job (readers(13), 2 workers: 3.8 of 4.2 MB of jobs, and the same again in the outcomes,
 * which carry their job back), for a few distinct events. Pure functions.
 */

import { eventTable } from "../explore/dpor/above.ts";
import type { Event } from "../explore/dpor/event.ts";
import type { SleepData } from "../explore/dpor/sleep.ts";
import type { TreeData } from "../explore/dpor/wakeup_tree.ts";
import type { DporJob, Job } from "./job.ts";

/** A DporJob as it travels. */
export interface PackedDpor {
  readonly probe: boolean;
  /** Each distinct event (alike in every field) once. */
  readonly events: readonly Event[];
  /** Per sleeping actor: its event (an index in `events`) and its alternatives asleep. */
  readonly sleep: readonly (readonly [number, readonly number[]])[];
  /** The tree in preorder: each node's event (an index, -1 for none), then its branch count. */
  readonly tree: readonly number[];
}

/** `dpor` packed: events alike in every field (their JSON) are named by one index. */
export function packDpor(dpor: DporJob): PackedDpor {
  const table = eventTable();
  const events = table.events;
  const ref = (ev: Event | null): number => ev === null ? -1 : table.ref(ev);
  const sleep = dpor.sleep.map(([ev, alts]) => [ref(ev), alts] as const);
  const tree: number[] = [];
  const walk = (t: TreeData): void => {
    tree.push(ref(t.ev), t.below.length);
    for (const b of t.below) walk(b);
  };
  walk(dpor.tree);
  return { probe: dpor.probe, events, sleep, tree };
}

/** The DporJob `packed` stands for (its events shared by the nodes that name them). */
export function unpackDpor(packed: PackedDpor): DporJob {
  const ev = (k: number): Event => {
    const e = packed.events[k];
    if (e === undefined) {
      throw new Error(`a packed job names event ${k} of ${packed.events.length}`);
    }
    return e;
  };
  const sleep: SleepData = packed.sleep.map(([k, alts]) => [ev(k), alts] as const);
  const t = packed.tree;
  let at = 0;
  const node = (): TreeData => {
    if (at + 2 > t.length) throw new Error("a packed job's tree ends early");
    const k = t[at++];
    const count = t[at++];
    const below: TreeData[] = [];
    for (let i = 0; i < count; i++) below.push(node());
    return { ev: k === -1 ? null : ev(k), below };
  };
  const tree = node();
  if (at !== t.length) throw new Error("a packed job's tree has more than one root");
  return { probe: packed.probe, sleep, tree };
}

/** `job` as it travels: its root packed (sdpor, odpor), the rest as it is. */
export function packJob(job: Job): Job | (Omit<Job, "dpor"> & { dpor: PackedDpor }) {
  return job.dpor === undefined ? job : { ...job, dpor: packDpor(job.dpor) };
}

/** `job` as it came (decoded JSON): its root unpacked, if it has one. */
export function unpackJob(job: Job): Job {
  const d = job.dpor as DporJob | PackedDpor | undefined;
  if (d === undefined || !("events" in d)) return job;
  return { ...job, dpor: unpackDpor(d) };
}
