/**
 * A Target that passes every call to another: the base of wrappers that watch or pace a
 * target (they override what they change). The optional calls are always present and answer
 * as an absent one would ("null or absent" means the same, target.ts), so a wrapper never
 * drops one of its inner target's answers.
 */

import type { NameTable, Step } from "../model/transition.ts";
import type {
  AheadHint,
  ExactState,
  Outcome,
  PropositionValues,
  Target,
  TargetCounters,
} from "./target.ts";

export class ForwardingTarget implements Target {
  constructor(protected readonly inner: Target) {}

  get names(): NameTable {
    return this.inner.names;
  }

  get counters(): TargetCounters {
    return this.inner.counters;
  }

  start(): Promise<Outcome> {
    return this.inner.start();
  }

  execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    return this.inner.execute(step, ahead);
  }

  restore(path: readonly Step[], known?: number): Promise<void> {
    return this.inner.restore(path, known);
  }

  stateHash(): bigint | null {
    return this.inner.stateHash?.() ?? null;
  }

  hashStates(on: boolean): boolean {
    return this.inner.hashStates?.(on) ?? false;
  }

  exactState(): ExactState | null {
    return this.inner.exactState?.() ?? null;
  }

  propositions(): PropositionValues | null {
    return this.inner.propositions?.() ?? null;
  }

  progressed(): boolean {
    return this.inner.progressed?.() ?? false;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
