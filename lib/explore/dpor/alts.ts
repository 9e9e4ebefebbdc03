/**
 * Sets of alternatives of one actor's event (event.ts), as sleep sets and backtrack sets keep
 * them: almost always the one alternative 0, so small ones are bits of a number instead of a
 * Set each (issue 10: a Set made per step and per node was a measurable part of a step).
 */

/**
 * A set of alternatives: those below 31 as bits of `low` (almost every sleeper is one step,
 * alternative 0: no Set to make per step, issue 10), the others in `high`, made when needed.
 */
export interface Alts {
  low: number;
  high: Set<number> | null;
}

const lowAlts = 31;

export function altsOf(alt: number): Alts {
  return alt < lowAlts && alt >= 0
    ? { low: 1 << alt, high: null }
    : { low: 0, high: new Set([alt]) };
}

export function altsHas(alts: Alts, alt: number): boolean {
  if (alt < lowAlts && alt >= 0) return (alts.low & (1 << alt)) !== 0;
  return alts.high?.has(alt) ?? false;
}

export function altsAdd(alts: Alts, alt: number): void {
  if (alt < lowAlts && alt >= 0) alts.low |= 1 << alt;
  else (alts.high ??= new Set()).add(alt);
}

export function altsCopy(alts: Alts): Alts {
  return { low: alts.low, high: alts.high === null ? null : new Set(alts.high) };
}

/** The alternatives, in increasing order. */
export function altsList(alts: Alts): number[] {
  const out: number[] = [];
  for (let alt = 0; alt < lowAlts; alt++) if ((alts.low & (1 << alt)) !== 0) out.push(alt);
  if (alts.high === null) return out;
  out.push(...alts.high);
  return out.sort((x, y) => x - y);
}
