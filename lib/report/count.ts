/**
 * Counts as the reports print them, in groups of three digits ("12,345"): what
 * Intl.NumberFormat("en-US") prints, without it for integers. Making that formatter loads ICU
 * data, 15-30 ms of every `isomc check` on our machine (bench/README.md, "Speed, part 1"),
 * for the few numbers a report prints; other numbers still go to it, made on first use.
 */

let intl: Intl.NumberFormat | null = null;

export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) {
    return (intl ??= new Intl.NumberFormat("en-US")).format(n);
  }
  const digits = String(Math.abs(n));
  let out = "";
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    out = out === "" ? group : `${group},${out}`;
  }
  return n < 0 ? `-${out}` : out;
}
