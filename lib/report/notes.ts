/**
 * What a report says about how the search went, beside its verdict and statistics: an
 * execution found never to end (and what the search did about it), the warnings of
 * lib/explore/result.ts. The human report prints them as lines, the JSON report as fields.
 */

import { type ExplorationResult, warningsOf } from "../explore/result.ts";
import { actorName, type NameTable } from "../model/transition.ts";
import { formatCount } from "./count.ts";

function list(actors: readonly number[], names: NameTable): string {
  const all = actors.map((a) => actorName(names, a));
  if (all.length === 1) return `actor ${all[0]}`;
  return `actors ${all.slice(0, -1).join(", ")} and ${all[all.length - 1]}`;
}

function who(actors: readonly number[], names: NameTable): string {
  return `${list(actors, names)} ${actors.length === 1 ? "runs" : "run"}`;
}

/**
 * What a report says once of a check with --preload (docs/pthreads.md, "Binaries built
 * elsewhere"): the preloaded runtime sees the calls, not the memory.
 */
export const preloadNote =
  "only synchronisation is seen (--preload): the pthread and semaphore calls are steps; plain memory accesses are not, nor their data races";

/** The note lines, for the human report (`canHash`: --restore=memory was used). */
export function searchNotes(
  result: ExplorationResult,
  names: NameTable,
  canHash: boolean,
): string[] {
  const lines: string[] = [];
  const e = result.endless ?? null;
  if (e !== null && e.kind === "repeats") {
    const [later, earlier] = e.steps;
    const at = earlier === 0 ? "the initial state" : `the state after step ${formatCount(earlier)}`;
    lines.push(
      `Note: ${who(e.actors, names)} forever: the state after step ${
        formatCount(later)
      } is ${at}.` + (result.fallback === "stateful"
        ? " Partial-order reduction cannot end such an execution, so the search started over" +
          " as the stateful exhaustive search (--reduction=none --visited)."
        : ""),
    );
  } else if (e !== null) {
    lines.push(
      `Note: an execution ran ${formatCount(e.steps[0])} steps without ending (its last ` +
        `thousand steps: ${list(e.actors, names)}); it may never end.` +
        " --max-depth=N explores executions cut at N steps" +
        (canHash ? "." : ", and --restore=memory recognises executions that repeat a state."),
    );
  }
  if (result.incomplete === "max-depth" && result.violation === null) {
    lines.push(
      "Note: no violation is reachable within --max-depth steps (every search finds each one" +
        " within the bound); what only longer executions reach was not explored.",
    );
  }
  for (const w of warningsOf(result)) lines.push(`Warning: ${w.message}.`);
  return lines;
}

/** The same, as fields of the JSON report. */
export function searchJson(result: ExplorationResult, names: NameTable): Record<string, unknown> {
  const e = result.endless ?? null;
  return {
    endless: e === null ? null : {
      kind: e.kind,
      steps: e.steps,
      actors: e.actors.map((a) => actorName(names, a)),
    },
    fallback: result.fallback ?? null,
    warnings: warningsOf(result).map((w) => ({ kind: w.kind, message: w.message })),
  };
}
