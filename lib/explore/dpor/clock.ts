/**
 * Vector clocks: for an event, how many events of each actor happen before it or are it. An
 * execution with few actors keeps them dense (an array indexed by actor: copying a short one is
 * several times cheaper in V8 than anything else); one with many keeps them sparse (actor to
 * count, only the actors that happen before), so that thousands of independent actors cost
 * memory per event, not per event and actor.
 */

export type Clock = number[] | Map<number, number>;

/** Executions with more actors than this get sparse clocks. */
export const denseWidth = 64;

export function emptyClock(width: number): Clock {
  return width > denseWidth ? new Map() : new Array<number>(width).fill(0);
}

export function clockAt(c: Clock, actor: number): number {
  return Array.isArray(c) ? c[actor] : c.get(actor) ?? 0;
}

export function copyClock(c: Clock): Clock {
  return Array.isArray(c) ? c.slice() : new Map(c);
}

export function setClock(c: Clock, actor: number, value: number): void {
  if (Array.isArray(c)) c[actor] = value;
  else c.set(actor, value);
}

/** into := max(into, other), entry by entry (both of the same execution). */
export function joinClock(into: Clock, other: Clock): void {
  if (Array.isArray(into)) {
    const o = other as number[];
    for (let a = 0; a < into.length; a++) if (o[a] > into[a]) into[a] = o[a];
    return;
  }
  for (const [actor, n] of other as Map<number, number>) {
    if (n > (into.get(actor) ?? 0)) into.set(actor, n);
  }
}
