/**
 * The ints of the program the liveness search reads in every state: the propositions it
 * registers with isomc_prop and the flag isomc_progress() sets, as the runtime's PROP frames
 * announce them (name and address), and their values in the current state, read through the
 * snapshot engine — from the page store when the engine's view is the current state, so that
 * reading them costs no system call, else with one process_vm_readv for all of them.
 */

import { InputError, InternalError } from "../errors.ts";
import type { Message } from "../process/protocol.ts";
import type { Engine } from "./native.ts";

export type PropMessage = Extract<Message, { type: "prop" }>;

/** What one state gives: each proposition's value, and whether a progress marker was passed. */
export interface PropValues {
  readonly props: readonly boolean[];
  readonly progress: boolean;
}

const noValues: PropValues = { props: [], progress: false };

export class PropRegistry {
  /** The propositions, in registration order (the same in every execution). */
  readonly names: string[] = [];
  private readonly addresses: number[] = [];
  /** The progress flag's address, once the program has called isomc_progress(). */
  private progress: number | null = null;

  /** Records a PROP frame; every run of the program announces the same ones. */
  record(m: PropMessage): void {
    if (m.kind === "progress") {
      if (this.progress !== null && this.progress !== m.address) {
        throw new InternalError("the program's progress flag moved between two runs");
      }
      this.progress = m.address;
      return;
    }
    const at = this.names.indexOf(m.name);
    if (at < 0) {
      this.names.push(m.name);
      this.addresses.push(m.address);
    } else if (this.addresses[at] !== m.address) {
      throw new InternalError(
        `the program registered proposition '${m.name}' at another address in another run: isomc needs a deterministic program`,
      );
    }
  }

  get empty(): boolean {
    return this.names.length === 0 && this.progress === null;
  }

  /**
   * The values in the state the program is in: `fromView` says the engine's view is that
   * state (a snapshot or a restore since the program last ran).
   */
  read(engine: Engine, fromView: boolean): PropValues {
    if (this.empty) return noValues;
    const addresses = this.progress === null ? this.addresses : [...this.addresses, this.progress];
    const words = engine.readWords(addresses, fromView);
    if (typeof words === "number") {
      const name = words < this.names.length ? `proposition '${this.names[words]}'` : "progress";
      throw new InputError(
        `cannot read ${name} at 0x${
          addresses[words].toString(16)
        }: the program's memory there is not readable (isomc_prop needs an int that lives as long as the program, such as a global)`,
      );
    }
    const props = this.names.map((_, i) => words[i] !== 0);
    return { props, progress: this.progress !== null && words[this.names.length] !== 0 };
  }
}
