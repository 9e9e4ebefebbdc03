/**
 * The liveness search's own cost, without a process: product states per second and bytes per
 * product state on a synthetic target whose steps and restores cost next to nothing — a torus
 * of two counters mod N, each actor moving one, `q` true when their sum is even. `G F q` holds,
 * so the whole product (about 1.5 N² states) is explored. The target keeps the states along
 * its last path, so restoring an ancestor (all the search asks) is free: what is measured is
 * the search. Run: deno run -A --v8-flags=--expose-gc bench/liveness.ts [N] [--memory]
 */

import {
  newCounters,
  type Outcome,
  type PropositionValues,
  type Target,
} from "../lib/explore/target.ts";
import { Kind, type Point, type Step, type Transition } from "../lib/model/transition.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import { searchLiveness } from "../lib/liveness/search.ts";

class Torus implements Target {
  readonly names = { actors: new Map([[1, "a"], [2, "b"]]), objects: new Map() };
  readonly counters = newCounters();
  private a = 0;
  private b = 0;
  constructor(private readonly n: number) {}
  private point(): Outcome {
    const t = (actor: number): Transition => ({
      actor,
      kind: Kind.yield,
      enabled: true,
      ready: false,
      choices: 1,
      object: 0,
      arg0: 0n,
      arg1: 0n,
      extras: [],
    });
    const point: Point = { steps: 0, transitions: [t(1), t(2)] };
    return { kind: "point", point };
  }
  start(): Promise<Outcome> {
    this.a = this.b = 0;
    this.trail = [[0, 0]];
    return Promise.resolve(this.point());
  }
  execute(step: Step): Promise<Outcome> {
    if (step.actor === 1) this.a = (this.a + 1) % this.n;
    else this.b = (this.b + 1) % this.n;
    this.trail.push([this.a, this.b]);
    return Promise.resolve(this.point());
  }
  /** States along the last path, so that going back to an ancestor costs nothing. */
  private trail: [number, number][] = [[0, 0]];
  restore(path: readonly Step[]): Promise<void> {
    this.counters.restores++;
    [this.a, this.b] = this.trail[path.length];
    this.trail.length = path.length + 1;
    return Promise.resolve();
  }
  stateHash(): bigint {
    return BigInt(this.a) * 0x9e3779b97f4a7c15n + BigInt(this.b) * 0x632be59bd9b4e019n &
      0xffffffffffffffffn;
  }
  propositions(): PropositionValues {
    return { names: ["q"], values: [(this.a + this.b) % 2 === 0] };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const n = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 400);
// --memory samples the live heap (a full collection every 100 ms: slower, so no rate then).
const sampleMemory = Deno.args.includes("--memory");
const automaton = translateNegation(parseLtl("G F q"));
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = Deno.memoryUsage().heapUsed;
let peak = before;
let beats = 0;
const r = await searchLiveness(new Torus(n), {
  automaton,
  source: "G F q",
  onProgress: () => {
    // Live memory only: collect first (heapUsed alone counts garbage not yet collected).
    // One beat in 5 (about every 0.5 s): a full collection of a large heap is slow.
    if (!sampleMemory || ++beats % 5 !== 0) return;
    gc?.();
    peak = Math.max(peak, Deno.memoryUsage().heapUsed);
  },
});
const s = r.stats;
console.log(JSON.stringify({
  n,
  verdict: r.verdict,
  product_states: s.states,
  program_states: s.programStates,
  transitions: s.transitions,
  max_depth: s.maxDepth,
  restores: s.restores,
  seconds: Number(s.seconds.toFixed(3)),
  states_per_second: Math.round(s.states / s.seconds),
  table_bytes_per_state: Number((s.tableBytes / s.states).toFixed(1)),
  heap_peak_bytes_per_state: sampleMemory ? Number(((peak - before) / s.states).toFixed(1)) : null,
  heap_peak_bytes_per_frame: sampleMemory
    ? Number(((peak - before - s.tableBytes) / s.maxDepth).toFixed(1))
    : null,
}));
