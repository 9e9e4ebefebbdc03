/**
 * Data races as violations (`--races=report`, the default): a Target that watches the steps a
 * search takes through it and turns the step that completes a data race (data_race.ts) into a
 * `data-race` violation, whatever the algorithm (none, sleep, sdpor, odpor) — they only see an
 * execution that ends there. It keeps the current path's transitions to start its detector
 * over on a restore (a restore's path is a prefix of a path it has seen: the searches only go
 * back). The message names both accesses (actor, kind, source line when known) and the
 * location.
 */

import {
  accessOf,
  actorName,
  type NameTable,
  type Point,
  type Step,
  type Transition,
  transitionOf,
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
}

/** What a race's message names, read when the first race is found (the program's tables). */
export interface RaceContext {
  readonly sources: SourceResolver;
  readonly symbol?: (address: number) => string | undefined;
}

function accessWords(a: RaceAccess, names: NameTable, sources: SourceResolver): string {
  const access = accessOf(a.transition)!;
  const what = `${access.atomic ? "atomic " : ""}${access.write ? "write" : "read"}`;
  const site = a.transition.site === undefined ? undefined : sources(a.transition.site);
  const where = site === undefined ? "" : ` at ${formatSource(site)}`;
  return `${actorName(names, a.actor)}'s ${what}${where} (step ${a.step + 1})`;
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
  private path: Taken[] = [];
  /** The point after each prefix of the path (null: an end), to know what a step executes. */
  private points: (Point | null)[] = [];
  /** A restore to a path this watch has not seen: no race reported until the next start. */
  private blind = false;

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
    this.blind = false;
    this.points = [outcome.kind === "point" ? outcome.point : null];
    return outcome;
  }

  override async execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    const before = this.blind ? null : this.points[this.path.length];
    const outcome = await this.inner.execute(step, ahead);
    const after = outcome.kind === "point" ? outcome.point : null;
    const t = before === null || before === undefined
      ? undefined
      : transitionOf(before, step.actor);
    if (t === undefined) {
      this.blind = true;
      return outcome;
    }
    const created = after === null ? [] : after.transitions
      .map((x) => x.actor)
      .filter((a) => !before!.transitions.some((x) => x.actor === a) && !this.seen(a));
    this.path.push({ step, transition: t, created });
    this.points.push(after);
    const race = this.detector.step(t);
    for (const a of created) this.detector.created(a, step.actor);
    if (race === null || outcome.kind === "violation") return outcome;
    return {
      kind: "violation",
      violation: {
        kind: "data-race",
        message: raceMessage(race, this.inner.names, this.context()),
        actor: race.second.actor,
      },
    };
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
    this.path = this.path.slice(0, path.length);
    this.points = this.points.slice(0, path.length + 1);
    this.detector = new RaceDetector();
    for (const p of this.path) {
      this.detector.step(p.transition);
      for (const a of p.created) this.detector.created(a, p.step.actor);
    }
  }
}
