import type { Observation } from '../observe/observation.js';
import type { StrategyResult } from './results.js';

const TICK = 100; // USER_HZ

/** What a strategy cost between two observations, from the kernel's counters. Pure. */
export function costBetween(
  first: Observation,
  last: Observation,
): Pick<StrategyResult, 'savedBytes' | 'cpuSeconds' | 'swapIo'> {
  const a = first.host;
  const b = last.host;
  const balloon = last.guests.reduce(
    (s, g) => s + (g.balloonActualBytes !== undefined ? Math.max(0, g.memoryBytes - g.balloonActualBytes) : 0),
    0,
  );
  return {
    savedBytes: {
      ksm: b.ksm.savedBytes,
      zram: Math.max(0, b.zram.origBytes - b.zram.memUsedBytes),
      zswap: Math.max(0, b.zswap.storedBytes - b.zswap.poolBytes),
      balloon,
    },
    cpuSeconds: {
      ksmd: (b.ksmdCpuTicks - a.ksmdCpuTicks) / TICK,
      kswapd: (b.kswapdCpuTicks - a.kswapdCpuTicks) / TICK,
      system: (b.cpu.system - a.cpu.system) / TICK,
      user: (b.cpu.user - a.cpu.user) / TICK,
      iowait: (b.cpu.iowait - a.cpu.iowait) / TICK,
    },
    swapIo: { pagesIn: b.pswpin - a.pswpin, pagesOut: b.pswpout - a.pswpout },
  };
}

/** Adds throughput and p99 ratios against the baseline (`none`) of the same repetition. Pure. */
export function withBaselineRatios(results: StrategyResult[]): StrategyResult[] {
  return results.map((r) => {
    const base = results.find((b) => b.strategy === 'none' && b.repetition === r.repetition);
    if (!base?.memcached || !r.memcached || base.memcached.opsPerSec === 0 || base.memcached.latency.p99Us === 0)
      return r;
    return {
      ...r,
      vsBaseline: {
        throughput: r.memcached.opsPerSec / base.memcached.opsPerSec,
        p99: r.memcached.latency.p99Us / base.memcached.latency.p99Us,
      },
    };
  });
}
