/**
 * Couvreur's root stack for the liveness search (search.ts): the open strongly connected
 * components of the product, each by the number of its first state, with the acceptance marks
 * seen inside it, the actors that moved inside it and the actors enabled in all of its states
 * (weak fairness), and the marks and mover of the edge that entered it. One array per field:
 * the stack is as deep as the search, and plain numbers and bigints cost less than an object
 * per component.
 */

export class RootStack {
  private readonly num: number[] = [];
  private readonly acc: number[] = [];
  private readonly movers: bigint[] = [];
  private readonly enabled: bigint[] = [];
  private readonly arcAcc: number[] = [];
  private readonly arcMover: bigint[] = [];

  /** A new component of one state, `num`, entered by an edge with marks `acc` taken by `mover`. */
  push(num: number, enabled: bigint, acc: number, mover: bigint): void {
    this.num.push(num);
    this.acc.push(0);
    this.movers.push(0n);
    this.enabled.push(enabled);
    this.arcAcc.push(acc);
    this.arcMover.push(mover);
  }

  /** The state `num` is left: when it was its component's root, the component is finished. */
  leave(num: number): boolean {
    const top = this.num.length - 1;
    if (this.num[top] !== num) return false;
    this.num.pop();
    this.acc.pop();
    this.movers.pop();
    this.enabled.pop();
    this.arcAcc.pop();
    this.arcMover.pop();
    return true;
  }

  /**
   * A back edge (marks `acc`, taken by `mover`) into the open state numbered `known`: every
   * component above the one holding it is merged into that one.
   */
  merge(known: number, acc: number, mover: bigint): void {
    let movers = mover;
    let enabled = -1n;
    while (this.num[this.num.length - 1] > known) {
      acc |= this.acc.pop()! | this.arcAcc.pop()!;
      movers |= this.movers.pop()! | this.arcMover.pop()!;
      enabled &= this.enabled.pop()!;
      this.num.pop();
    }
    const r = this.num.length - 1;
    if (r < 0) throw new Error("internal: a back edge into no open component");
    this.acc[r] |= acc;
    this.movers[r] |= movers;
    this.enabled[r] &= enabled;
  }

  /**
   * Whether the top component holds every mark of `all` and, under weak fairness, let every
   * actor enabled in all of its states move.
   */
  accepting(all: number, weak: boolean): boolean {
    const top = this.num.length - 1;
    if ((this.acc[top] & all) !== all) return false;
    return !weak || (this.enabled[top] & ~this.movers[top]) === 0n;
  }

  /** The number of the top component's first state. */
  get topRoot(): number {
    return this.num[this.num.length - 1];
  }
}
