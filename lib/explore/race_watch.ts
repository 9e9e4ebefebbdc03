/**
 * Data races as violations (`--races=report`, the default): a Target that watches the steps a
 * search takes through it and turns the step that completes a data race (data_race.ts) into a
 * `data-race` violation, whatever the algorithm (none, sleep, sdpor, odpor) — they only see an
 * execution that ends there. It keeps the current path's transitions: the detector is fed a
 * step when one that can complete a race comes (the path caught up on the way), and starts over
 * only on a restore to a point before what it was fed (a restore's path is a prefix of a path it
 * has seen: the searches only go back). The message names both accesses (actor, kind, source line when known) and the
 * location. Under --memory=sync each point also brings the window of the step that led to it
 * (the plain accesses made after that step, which are no steps): they are fed to the detector
 * after the step, and the step's execution ends there when one completes a race.
 */

import {
  accessOf,
  actorName,
  type NameTable,
  type Point,
  type Step,
  type Transition,
  transitionOf,
  type WindowEvent,
} from "../model/transition.ts";
import type { AheadHint, Outcome, Target } from "./target.ts";
import { ForwardingTarget } from "./forwarding_target.ts";
import { type DataRace, type RaceAccess, RaceDetector } from "./data_race.ts";
import { formatSource, noSources, type SourceResolver } from "../report/source.ts";

interface Taken {
  readonly step: Step;
  readonly transition: Transition;
  /** Actors that appeared after it (it created them). */
  readonly created: readonly number[];
  /** What ran after it that is no step (--memory=sync; empty otherwise). */
  readonly window: readonly WindowEvent[];
}

const noActors: readonly number[] = Object.freeze([]);
/** The window of a step without one (most), shared: a Taken is read-only. */
const noWindow: readonly WindowEvent[] = Object.freeze([]);

/** What a race's message names, read when the first race is found (the program's tables). */
export interface RaceContext {
  readonly sources: SourceResolver;
  readonly symbol?: (address: number) => string | undefined;
}

function accessWords(a: RaceAccess, names: NameTable, sources: SourceResolver): string {
  const what = `${a.access.atomic ? "atomic " : ""}${a.access.write ? "write" : "read"}`;
  const site = a.site === undefined ? undefined : sources(a.site);
  const where = site === undefined ? "" : ` at ${formatSource(site)}`;
  // An access between steps (--memory=sync) ran after the step it is counted with.
  const when = !a.between
    ? `step ${a.step + 1}`
    : a.step < 0
    ? "before step 1"
    : `after step ${a.step + 1}`;
  return `${actorName(names, a.actor)}'s ${what}${where} (${when})`;
}

/** The one line a data race reads as. */
export function raceMessage(race: DataRace, names: NameTable, context: RaceContext): string {
  const location = context.symbol?.(race.address) ?? `0x${race.address.toString(16)}`;
  const { sources } = context;
  return `data race on ${location}: ${accessWords(race.first, names, sources)} and ${
    accessWords(race.second, names, sources)
  } are not ordered by happens-before`;
}

export class RaceWatch extends ForwardingTarget {
  private detector = new RaceDetector();
  /** The window of the start (what ran before the first point). */
  private initial: readonly WindowEvent[] = [];
  private path: Taken[] = [];
  /** The point after each prefix of the path (null: an end), to know what a step executes. */
  private points: (Point | null)[] = [];
  /** A restore to a path this watch has not seen: no race reported until the next start. */
  private blind = false;
  /**
   * The detector has been fed the start's window and the first `fed` steps of the path. A
   * step that makes no plain access (none itself, none in its window) cannot complete a race,
   * so it is fed only when a later one can, on its way (issue 10: a restore replayed the whole
   * path into a new detector, and a program without plain accesses fed every step for nothing).
   * Fed in the same order, the detector answers as it did.
   */
  private fed = 0;
  /** Steps fed to a detector over the whole search, replays included (for tests). */
  stepsFed = 0;

  constructor(
    inner: Target,
    private readonly context: () => RaceContext = () => ({ sources: noSources }),
  ) {
    super(inner);
  }

  override async start(): Promise<Outcome> {
    const outcome = await this.inner.start();
    this.detector = new RaceDetector();
    this.path = [];
    this.fed = 0;
    this.blind = false;
    const point = outcome.kind === "point" ? outcome.point : null;
    this.points = [point];
    this.initial = point?.window ?? [];
    const race = this.detector.window(this.initial);
    return race === null ? outcome : this.violation(race);
  }

  /** The outcome a race makes of a step's (or the start's). */
  private violation(race: DataRace): Outcome {
    return {
      kind: "violation",
      violation: {
        kind: "data-race",
        message: raceMessage(race, this.inner.names, this.context()),
        actor: race.second.actor,
      },
    };
  }

  /**
   * Feeds a step taken, then its window, then the creation of the actors it created that the
   * window did not name (without a window: every one, at the step's end).
   */
  private feed(taken: Taken): DataRace | null {
    this.stepsFed++;
    const race = this.detector.step(taken.transition) ?? this.detector.window(taken.window);
    for (const a of taken.created) {
      if (!taken.window.some((e) => e.kind === "create" && e.created === a)) {
        this.detector.created(a, taken.step.actor);
      }
    }
    return race;
  }

  override execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    const before = this.blind ? null : this.points[this.path.length];
    // `then` rather than an async method: an async frame per step costs more garbage (issue 10).
    return this.inner.execute(step, ahead).then((outcome) => this.executed(step, before, outcome));
  }

  /** What `step`, taken at `before` (null: blind, undefined: past the path), led to. */
  private executed(step: Step, before: Point | null | undefined, outcome: Outcome): Outcome {
    const after = outcome.kind === "point" ? outcome.point : null;
    const t = before === null || before === undefined
      ? undefined
      : transitionOf(before, step.actor);
    if (t === undefined) {
      this.blind = true;
      return outcome;
    }
    const created = after === null ? noActors : this.createdBy(before!, after);
    const taken: Taken = { step, transition: t, created, window: after?.window ?? noWindow };
    this.path.push(taken);
    this.points.push(after);
    if (!mayRace(taken)) return outcome;
    // The steps not fed yet complete no race (mayRace): fed now, before this one.
    for (; this.fed < this.path.length - 1; this.fed++) {
      if (this.feed(this.path[this.fed]) !== null) {
        throw new Error("internal: a step without plain accesses completed a data race");
      }
    }
    this.fed = this.path.length;
    const race = this.feed(taken);
    if (race === null || outcome.kind === "violation") return outcome;
    return this.violation(race);
  }

  /** The actors of `after` not in `before` that never moved on the path (the step created them). */
  private createdBy(before: Point, after: Point): readonly number[] {
    let out: number[] | null = null;
    for (const x of after.transitions) {
      if (before.transitions.some((y) => y.actor === x.actor) || this.seen(x.actor)) continue;
      (out ??= []).push(x.actor);
    }
    return out ?? noActors;
  }

  /** Whether an actor moved on the path already (so it was not created by the last step). */
  private seen(actor: number): boolean {
    return this.path.some((p) => p.step.actor === actor || p.created.includes(actor));
  }

  override async restore(path: readonly Step[], known?: number): Promise<void> {
    await this.inner.restore(path, known);
    const same = path.length <= this.path.length &&
      path.every((s, i) =>
        s.actor === this.path[i].step.actor && s.choice === this.path[i].step.choice
      );
    // A prefix of the path seen: the detector starts over on it. Anything else (a parallel
    // job's prefix, never executed here): no race is reported until the next start.
    this.blind = !same;
    if (!same) return;
    // Cut in place: no copy of the path at each restore.
    this.path.length = path.length;
    this.points.length = path.length + 1;
    // What the detector was fed is still the start of the path: its state stands.
    if (this.fed <= path.length) return;
    this.detector = new RaceDetector();
    this.detector.window(this.initial);
    this.fed = 0;
  }
}

/** Whether feeding `taken` to the detector can complete a race: a plain access, its own or in its window. */
function mayRace(taken: Taken): boolean {
  return accessOf(taken.transition) !== null || taken.window.some((e) => e.kind === "access");
}
