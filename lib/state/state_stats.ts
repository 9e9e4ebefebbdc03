/**
 * What a memory target reports of its work (`stats.state` in the JSON report): the snapshot
 * engine's counts summed over every program process of a check, the page store's, the known
 * ends of main, running ahead, and the restores' shortcuts (lib/state/memory_target.ts).
 */

import type { EndStats } from "./known_ends.ts";
import type { EngineStats, StoreStats, TrackerKind } from "./native.ts";

/** What running ahead did (docs/protocol.md, "Running ahead"). */
export interface AheadStats {
  /** RUNs sent with a continuation rule, and the steps served from their reports. */
  aheadBatches: number;
  aheadSteps: number;
  /** Steps the search took other than the one the program ran ahead with (each a restore). */
  mispredictions: number;
}

/** The shortcuts of restores (docs/state.md, "Restore"). */
export interface RestoreStats {
  /**
   * Restores whose replayed steps went with the next step, in one RUN, instead of a RUN of
   * their own.
   */
  replaysJoined: number;
  /**
   * Restores that found the program as the engine last saw it (nothing ran since: a known
   * end), so that nothing had to be asked of the write tracker before the pages went back.
   */
  cleanRestores: number;
}

export interface StateStats extends EndStats, AheadStats, RestoreStats {
  tracker: TrackerKind | "unknown";
  snapshots: number;
  restores: number;
  pagesRead: number;
  pagesWritten: number;
  bytesRead: number;
  bytesWritten: number;
  mapsReads: number;
  snapshotSeconds: number;
  restoreSeconds: number;
  /** Distinct pages in the page store now, and pages stored per snapshot taken (dedup). */
  storePages: number;
  storePeakPages: number;
  storeDeduplicated: number;
  storeInterned: number;
}

/** The statistics of every engine of a check (finished ones and the live one) put together. */
export function stateStats(
  tracker: TrackerKind | "unknown",
  engines: readonly EngineStats[],
  store: StoreStats,
  ends: EndStats,
  ahead: AheadStats,
  restores: RestoreStats,
): StateStats {
  const sum = (f: (s: EngineStats) => number): number => engines.reduce((a, s) => a + f(s), 0);
  return {
    tracker,
    snapshots: sum((s) => s.snapshots),
    restores: sum((s) => s.restores),
    pagesRead: sum((s) => s.pagesRead),
    pagesWritten: sum((s) => s.pagesWritten),
    bytesRead: sum((s) => s.bytesRead),
    bytesWritten: sum((s) => s.bytesWritten),
    mapsReads: sum((s) => s.mapsReads),
    snapshotSeconds: sum((s) => s.syncSeconds),
    restoreSeconds: sum((s) => s.restoreSeconds),
    ...ends,
    ...ahead,
    ...restores,
    storePages: store.pages,
    storePeakPages: store.peakPages,
    storeDeduplicated: store.deduplicated,
    storeInterned: store.interned,
  };
}
