/** Time series for the charts, taken from a run's per-second observations. Pure. */
import type { Observation } from '../../observe/observation.js';
import type { StrategyResult } from '../results.js';

/** [seconds since the first observation, value]. */
export type Point = [number, number];

export type MemoryMetric = 'hostUsed' | 'swapUsed' | 'ksmSaved' | 'zramStored' | 'zswapStored';

export interface MemoryLine {
  metric: MemoryMetric;
  label: string;
  /** Bytes over time. */
  points: Point[];
}

const MEMORY_METRICS: readonly { metric: MemoryMetric; label: string; read: (o: Observation) => number }[] = [
  { metric: 'hostUsed', label: 'Host memory used', read: (o) => o.host.memTotalBytes - o.host.memAvailableBytes },
  { metric: 'swapUsed', label: 'Swap used', read: (o) => o.host.swapTotalBytes - o.host.swapFreeBytes },
  { metric: 'ksmSaved', label: 'KSM saved', read: (o) => o.host.ksm.savedBytes },
  { metric: 'zramStored', label: 'zram stored', read: (o) => o.host.zram.origBytes },
  { metric: 'zswapStored', label: 'zswap stored', read: (o) => o.host.zswap.storedBytes },
];

function seconds(o: Observation, t0: number): number {
  return Math.round((o.t - t0) / 100) / 10;
}

/**
 * The memory lines of one run. A line that stays at zero for the whole run (zswap under KSM) is left out, except
 * host memory used, which is always drawn.
 */
export function memoryLines(series: readonly Observation[]): MemoryLine[] {
  const t0 = series[0]?.t ?? 0;
  return MEMORY_METRICS.map(({ metric, label, read }) => ({
    metric,
    label,
    points: series.map((o): Point => [seconds(o, t0), read(o)]),
  })).filter((l) => l.metric === 'hostUsed' || l.points.some(([, v]) => v !== 0));
}

export interface BudgetLine {
  /** Bytes charged to the budget cgroup over time. */
  points: Point[];
  /** The cgroup's limit at the end of the run; null = unlimited. */
  limitBytes: number | null;
}

/** The budget cgroup's usage over one run; undefined when no observation has a budget group. */
export function budgetLine(series: readonly Observation[]): BudgetLine | undefined {
  const t0 = series[0]?.t ?? 0;
  const withBudget = series.filter((o) => o.host.budget !== undefined);
  if (withBudget.length === 0) return undefined;
  return {
    points: withBudget.map((o): Point => [seconds(o, t0), o.host.budget?.usageBytes ?? 0]),
    limitBytes: withBudget.at(-1)?.host.budget?.limitBytes ?? null,
  };
}

/** memcached throughput per second: [second, ops/s], the first second being 1. */
export function opsLine(run: StrategyResult): Point[] {
  return (run.memcached?.opsPerSecSeries ?? []).map((v, i): Point => [i + 1, v]);
}

/** The run a strategy's time-series charts show: its first repetition that has observations. */
export function chartRun(runs: readonly StrategyResult[]): StrategyResult | undefined {
  return runs.find((r) => r.series.length > 0) ?? runs[0];
}
