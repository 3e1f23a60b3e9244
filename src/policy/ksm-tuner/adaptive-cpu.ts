/**
 * ksmd's CPU cost per unit of pages_to_scan, smoothed over decision windows. ksmd's CPU time comes in jiffies
 * (USER_HZ = 100 per second), so a 1 s window at a 5 % cap holds about 5 ticks and one tick more or less is ±20 %:
 * acting on a single window would make the cap flap. The estimate is a ratio of exponentially decayed sums,
 * Σ ticks / Σ (pages_to_scan x seconds), which is % of a core per page of pages_to_scan (ticks per second = % of one
 * core). CPU is taken as proportional to pages_to_scan at a fixed sleep_millisecs, as measured here.
 */

export interface CpuCostState {
  /** Decayed sum of ksmd jiffies over the windows ksmd ran in. */
  ticks: number;
  /** Decayed sum of pages_to_scan x seconds over the same windows. */
  pageSeconds: number;
}

export const CPU_COST_INITIAL: CpuCostState = { ticks: 0, pageSeconds: 0 };

/** Adds a window in which ksmd ran at `pagesToScan`; `keep` is the weight earlier windows keep. */
export function updateCpuCost(
  c: CpuCostState,
  window: { ticks: number; seconds: number; pagesToScan: number },
  keep: number,
): CpuCostState {
  return {
    ticks: c.ticks * keep + window.ticks,
    pageSeconds: c.pageSeconds * keep + window.pagesToScan * window.seconds,
  };
}

/** Percent of one core per page of pages_to_scan; undefined until ksmd has been seen to use CPU. */
export function cpuPercentPerPage(c: CpuCostState): number | undefined {
  return c.ticks > 0 && c.pageSeconds > 0 ? c.ticks / c.pageSeconds : undefined;
}
