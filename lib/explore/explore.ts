/**
 * The search a check runs: the exhaustive DFS (`none`) or a partial-order reduction, and what
 * happens when the reduction meets an execution that never ends. A stateless reduction needs
 * maximal executions (an actor an endless one keeps from running is never scheduled, and no
 * race brings it in), and pruning repeated states is not sound with partial-order reduction
 * without more machinery (Yang et al., 2008); so an execution found to repeat its state makes
 * the search start over as the stateful exhaustive search (--reduction=none --visited), which
 * is sound and ends on every finite-state program. docs/independence.md says more.
 */

import { exploreDfs } from "./dfs.ts";
import { type DporReduction, exploreDpor } from "./dpor/explorer.ts";
import type { ExplorationResult, ExploreOptions } from "./result.ts";
import type { Target } from "./target.ts";

export type Reduction = "none" | DporReduction;

export async function explore(
  target: Target,
  reduction: Reduction,
  options: ExploreOptions = {},
): Promise<ExplorationResult> {
  if (reduction === "none") return await exploreDfs(target, options);
  const startedMs = performance.now();
  const reduced = await exploreDpor(target, reduction, options);
  if (reduced.endless?.kind !== "repeats" || options.fallback !== true) return reduced;
  if (!(target.hashStates?.(true) ?? false)) return reduced;
  const stateful = await exploreDfs(target, { ...options, visited: true, exactCompare: false });
  // The time is the whole check's, the reduction's part included.
  return {
    ...stateful,
    stats: { ...stateful.stats, seconds: (performance.now() - startedMs) / 1000 },
    endless: reduced.endless,
    fallback: "stateful",
  };
}
