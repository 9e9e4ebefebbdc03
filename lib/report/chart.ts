/**
 * A counterexample as a message-sequence chart, laid out: one lifeline per actor (main's too
 * when the violation is main's), one row per step, arrows from each send to where its receive
 * completed, spans for each lock held (lock to unlock) and each blocking wait (a post to its
 * wait, cond_wait to its return, a barrier's arrival to its leave), the failing step and the
 * violation marked, a deadlock's actors at what they wait for, a lasso's cycle bracketed. Pure:
 * a trace file in, coordinates out; chart_svg.ts draws them. Traces without structured steps
 * (written before them) get lifelines and rows only.
 */

import { formatObjectId } from "../model/transition.ts";
import { clip } from "./svg.ts";
import type { TraceFile, TraceStepJson } from "./trace.ts";

/** Monospace text: every character is this wide at the chart's font size (12 px). */
export const CHAR = 7.2;
const ROW = 30;
const TOP = 64;
const MARGIN = 16;
const LABEL_CHARS = 46;
/** How far a lifeline is from its column's left edge. */
const INSET = 22;
const COLUMN_MIN = 150;
const COLUMN_MAX = 380;

export interface Lifeline {
  readonly key: string;
  readonly name: string;
  readonly x: number;
  /** Its column's width (the lifeline is near its left edge). */
  readonly width: number;
}

export interface Row {
  readonly step: number;
  readonly y: number;
  readonly x: number;
  readonly label: string;
  /** The whole description, when the label had to be cut. */
  readonly full: string;
  readonly source?: string;
  /** The function the step is in, when known. */
  readonly function?: string;
  readonly failing: boolean;
}

export interface Arrow {
  readonly fromStep: number;
  /** The step where the receive completed (null: matched, not yet taken). */
  readonly toStep: number | null;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly label: string;
}

export interface Span {
  readonly kind: "lock" | "wait";
  readonly x: number;
  readonly y1: number;
  readonly y2: number;
  readonly label: string;
  /** Still held (or still waiting) when the trace ends. */
  readonly open: boolean;
  /** Which mutex, for colours (0, 1, ... by first use). */
  readonly shade: number;
}

export interface Mark {
  readonly kind: "violation" | "blocked" | "stutter";
  readonly x: number;
  readonly y: number;
  /** At most as wide as the column: `text` is cut to fit. */
  readonly width: number;
  readonly text: string;
  readonly detail: string;
}

export interface Cycle {
  readonly y1: number;
  readonly y2: number;
  readonly fromStep: number;
}

export interface Chart {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  /** The violation's message, wrapped. */
  readonly message: readonly string[];
  readonly messageY: number;
  readonly gutter: { readonly numberX: number; readonly sourceX: number; readonly right: number };
  readonly endY: number;
  readonly lifelines: readonly Lifeline[];
  readonly rows: readonly Row[];
  readonly arrows: readonly Arrow[];
  readonly spans: readonly Span[];
  readonly marks: readonly Mark[];
  readonly cycle: Cycle | null;
}

const rowY = (index: number): number => TOP + ROW * (index + 0.5);

/** The lifelines: the actors, by id, then an actor only the violation names. */
function lifelinesOf(trace: TraceFile): { key: string; name: string }[] {
  const byId = new Map<number, string>();
  // Every actor the program created when the trace says, even one that never moved.
  for (const a of trace.actors ?? []) byId.set(a.id, a.name);
  for (const s of trace.steps) if (!byId.has(s.actor)) byId.set(s.actor, s.actor_name);
  for (const b of trace.violation?.blocked ?? []) {
    if (!byId.has(b.actor)) byId.set(b.actor, b.actor_name);
  }
  const lines = [...byId].sort(([a], [b]) => a - b).map(([id, name]) => ({ key: `${id}`, name }));
  const culprit = trace.violation?.actor ?? null;
  if (culprit !== null && !lines.some((l) => l.name === culprit)) {
    // main acts only at the end (its code after isomc_run): its lifeline comes first.
    const line = { key: `name:${culprit}`, name: culprit };
    if (culprit === "main") lines.unshift(line);
    else lines.push(line);
  }
  return lines;
}

/** The lifeline of the actor the violation blames: by name, the last to step among equals. */
function culpritKey(trace: TraceFile, lines: readonly { key: string; name: string }[]): string {
  const name = trace.violation?.actor;
  if (name === undefined || name === null) return "";
  const last = trace.steps.findLast((s) => s.actor_name === name);
  return last === undefined ? lines.find((l) => l.name === name)?.key ?? "" : `${last.actor}`;
}

function wrap(text: string, width: number, maxLines: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0 && out.length < maxLines) {
    if ([...rest].length <= width) {
      out.push(rest);
      break;
    }
    const cut = rest.lastIndexOf(" ", width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
    if (out.length === maxLines && rest.length > 0) {
      out[maxLines - 1] = clip(`${out[maxLines - 1]} ${rest}`, width);
    }
  }
  return out;
}

export function layoutChart(trace: TraceFile): Chart {
  const v = trace.violation;
  const steps = trace.steps;
  const lines = lifelinesOf(trace);
  const numberW = String(steps.length).length * CHAR + 12;
  const sourceChars = Math.max(0, ...steps.map((s) => s.source?.length ?? 0));
  const sourceW = sourceChars === 0 ? 0 : sourceChars * CHAR + 20;
  const cycleW = v?.cycle_start === undefined ? 0 : 28;
  const gutterRight = MARGIN + cycleW + numberW + sourceW;
  // Each lifeline is at the left of its column, its steps' words to its right: a column is as
  // wide as its longest words (or its mark's), within bounds.
  const widths = lines.map((l) => {
    const own = steps.filter((s) => `${s.actor}` === l.key);
    const waits = (v?.blocked ?? []).filter((b) => `${b.actor}` === l.key);
    const chars = Math.max(
      [...l.name].length / 2,
      ...own.map((s) => Math.min(LABEL_CHARS, [...s.transition].length)),
      ...waits.map((b) => Math.min(LABEL_CHARS, [..."waits: "].length + [...b.transition].length)),
    );
    return Math.min(COLUMN_MAX, Math.max(COLUMN_MIN, chars * CHAR + 2 * INSET));
  });
  const lifelines: Lifeline[] = [];
  let left = gutterRight;
  lines.forEach((l, i) => {
    lifelines.push({ ...l, x: left + INSET, width: widths[i] });
    left += widths[i];
  });
  const endY = rowY(steps.length) + 6;
  const xOf = new Map(lifelines.map((l) => [l.key, l.x]));
  const columnOf = new Map(lifelines.map((l) => [l.x, l.width]));
  const x = (actor: number): number => xOf.get(`${actor}`) ?? gutterRight;
  const mark = (kind: Mark["kind"], at: number, words: string, detail: string): Mark => {
    const room = Math.floor(((columnOf.get(at) ?? 2 * COLUMN_MIN) - INSET) / CHAR) - 2;
    const cut = clip(words, Math.max(8, room));
    return { kind, x: at, y: endY, width: [...cut].length * CHAR + 16, text: cut, detail };
  };
  const deadlock = v?.kind === "deadlock";
  const lasso = v?.cycle_start !== undefined;
  const failingStep = v === null || deadlock || lasso ? null : steps.length;

  const rows: Row[] = steps.map((s, i) => {
    const label = clip(s.transition, LABEL_CHARS);
    return {
      step: s.step,
      y: rowY(i),
      x: x(s.actor),
      label,
      full: s.transition,
      ...(s.source === undefined ? {} : { source: s.source }),
      ...(s.location?.function === undefined ? {} : { function: s.location.function }),
      failing: s.step === failingStep,
    };
  });

  const marks: Mark[] = [];
  if (deadlock) {
    for (const b of v.blocked ?? []) {
      const where = b.source === undefined ? "" : ` (${b.source})`;
      marks.push(
        mark(
          "blocked",
          x(b.actor),
          `waits: ${b.transition}`,
          `${b.actor_name} waits at ${b.transition}${where}: ${b.reason}`,
        ),
      );
    }
  } else if (lasso && (v.stutter || v.cycle_start === steps.length)) {
    marks.push(mark("stutter", gutterRight, "the last state repeats forever", v.message));
  } else if (v !== null && !lasso) {
    const at = xOf.get(culpritKey(trace, lines)) ?? gutterRight + INSET;
    const who = v.actor === null ? "" : ` in ${v.actor}`;
    marks.push(mark("violation", at, v.kind, `${v.kind}${who}: ${v.message}`));
  }

  const cycleStart = v?.cycle_start;
  const cycle = cycleStart !== undefined && cycleStart < steps.length
    ? {
      y1: rowY(cycleStart) - ROW / 2 + 3,
      y2: rowY(steps.length - 1) + ROW / 2 - 3,
      fromStep: cycleStart + 1,
    }
    : null;

  const width = Math.max(left + MARGIN, 480);
  const message = v === null ? ["the trace records no violation"] : wrap(
    `${v.kind}${v.actor === null ? "" : ` in ${v.actor}`}: ${v.message}`,
    Math.floor((width - 2 * MARGIN) / CHAR),
    4,
  );
  const messageY = endY + 40;
  return {
    width,
    height: messageY + message.length * 16 + MARGIN,
    title: v === null
      ? "a trace without a violation"
      : `${v.kind}${v.actor === null ? "" : ` in ${v.actor}`}`,
    message,
    messageY,
    gutter: {
      numberX: MARGIN + cycleW + numberW - 8,
      sourceX: MARGIN + cycleW + numberW + 4,
      right: gutterRight,
    },
    endY,
    lifelines,
    rows,
    arrows: arrowsOf(steps, x),
    spans: spansOf(trace, x, endY),
    marks,
    cycle,
  };
}

function arrowsOf(steps: readonly TraceStepJson[], x: (actor: number) => number): Arrow[] {
  const completion = new Map<number, number>();
  for (const s of steps) {
    if (typeof s.completes === "number") completion.set(s.completes, s.step);
  }
  const arrows: Arrow[] = [];
  for (const s of steps) {
    if (s.kind !== "isend" || typeof s.partner !== "number") continue;
    const receive = steps[s.partner - 1];
    if (receive === undefined) continue;
    const done = completion.get(receive.step) ?? null;
    const toIndex = (done ?? Math.max(s.step, receive.step)) - 1;
    arrows.push({
      fromStep: s.step,
      toStep: done,
      x1: x(s.actor),
      y1: rowY(s.step - 1),
      x2: x(receive.actor),
      y2: rowY(toIndex),
      label: s.object_name ?? (s.mailbox === undefined ? "" : `mailbox ${s.mailbox}`),
    });
  }
  return arrows;
}

/** Where a mutex is taken or given back by a step, or null. */
function lockEffect(s: { kind?: string; object?: number; arg0?: string }): {
  take: boolean;
  mutex: number;
} | null {
  if (s.kind === "mutex_lock") return { take: true, mutex: s.object ?? 0 };
  if (s.kind === "mutex_trylock" && s.arg0 === "0") return { take: true, mutex: s.object ?? 0 };
  if (s.kind === "cond_wake") return { take: true, mutex: Number(s.arg0 ?? 0) };
  if (s.kind === "mutex_unlock") return { take: false, mutex: s.object ?? 0 };
  if (s.kind === "cond_wait") return { take: false, mutex: Number(s.arg0 ?? 0) };
  return null;
}

/** What a blocking first half waits to complete with: the second half's kind and object. */
function waitsFor(s: TraceStepJson): { kind: string; object: number } | null {
  if (s.kind === "cond_wait") return { kind: "cond_wake", object: s.object ?? 0 };
  if (s.kind === "barrier_arrive") return { kind: "barrier_leave", object: s.object ?? 0 };
  return null;
}

function spansOf(trace: TraceFile, x: (actor: number) => number, endY: number): Span[] {
  const steps = trace.steps;
  const blocked = trace.violation?.blocked ?? [];
  const spans: Span[] = [];
  const shades = new Map<number, number>();
  const held = new Map<string, { y: number; mutex: number }>();
  for (const s of steps) {
    const effect = lockEffect(s);
    if (effect === null) continue;
    if (!shades.has(effect.mutex)) shades.set(effect.mutex, shades.size);
    const key = `${s.actor}:${effect.mutex}`;
    const y = rowY(s.step - 1);
    if (effect.take) {
      held.set(key, { y, mutex: effect.mutex });
      continue;
    }
    const from = held.get(key);
    held.delete(key);
    if (from === undefined) continue;
    spans.push(lock(x(s.actor), from.y, y, effect.mutex, false, shades));
  }
  for (const [key, from] of held) {
    const actor = Number(key.split(":")[0]);
    spans.push(lock(x(actor), from.y, endY, from.mutex, true, shades));
  }

  const completedAt = new Map<number, number>();
  for (const s of steps) {
    if (typeof s.completes === "number" && (s.kind === "wait" || s.kind === "waitany")) {
      completedAt.set(s.completes, s.step);
    }
  }
  for (const s of steps) {
    const y1 = rowY(s.step - 1);
    let end: number | null = null;
    let label = "";
    if (s.kind === "isend" || s.kind === "irecv") {
      const done = completedAt.get(s.step);
      label = s.kind === "isend" ? "send" : "receive";
      if (done !== undefined) end = rowY(done - 1);
      else if (
        blocked.some((b) => b.actor === s.actor && b.kind === "wait" && b.object === s.comm)
      ) end = endY;
    } else {
      const second = waitsFor(s);
      if (second === null) continue;
      label = s.kind === "cond_wait" ? "cond_wait" : "barrier";
      const later = steps.find((t) =>
        t.step > s.step && t.actor === s.actor && t.kind === second.kind &&
        t.object === second.object
      );
      if (later !== undefined) end = rowY(later.step - 1);
      else if (blocked.some((b) => b.actor === s.actor && b.kind === second.kind)) end = endY;
    }
    if (end === null || end <= y1) continue;
    spans.push({ kind: "wait", x: x(s.actor), y1, y2: end, label, open: end === endY, shade: 0 });
  }
  return spans;
}

function lock(
  x: number,
  y1: number,
  y2: number,
  mutex: number,
  open: boolean,
  shades: ReadonlyMap<number, number>,
): Span {
  return {
    kind: "lock",
    x,
    y1,
    y2,
    label: `mutex ${formatObjectId(mutex)}`,
    open,
    shade: shades.get(mutex) ?? 0,
  };
}
