import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostObservation, Observation } from '../../../src/observe/observation.js';
import type { StrategyResult } from '../../../src/lab/results.js';
import { costBetween, withBaselineRatios } from '../../../src/lab/summarize.js';

function host(p: Partial<HostObservation>): HostObservation {
  return {
    memTotalBytes: 0,
    memAvailableBytes: 0,
    memFreeBytes: 0,
    cachedBytes: 0,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
    cpu: { user: 0, system: 0, iowait: 0, steal: 0, idle: 0, total: 0 },
    ksmdCpuTicks: 0,
    kswapdCpuTicks: 0,
    pswpin: 0,
    pswpout: 0,
    psi: {},
    ksm: { run: 1, pagesShared: 0, pagesSharing: 0, pagesVolatile: 0, fullScans: 0, savedBytes: 0 },
    zram: { origBytes: 0, comprBytes: 0, memUsedBytes: 0 },
    zswap: { poolBytes: 0, storedBytes: 0, zswpin: 0, zswpout: 0, zswpwb: 0 },
    ...p,
  };
}

test('costBetween: CPU seconds from tick deltas, savings from the last observation, swap IO deltas', () => {
  const a: Observation = {
    t: 0,
    host: host({
      ksmdCpuTicks: 100,
      kswapdCpuTicks: 10,
      pswpin: 5,
      pswpout: 7,
      cpu: { user: 1000, system: 500, iowait: 0, steal: 0, idle: 0, total: 0 },
    }),
    guests: [],
  };
  const b: Observation = {
    t: 10_000,
    host: host({
      ksmdCpuTicks: 350,
      kswapdCpuTicks: 60,
      pswpin: 105,
      pswpout: 1007,
      cpu: { user: 1800, system: 900, iowait: 40, steal: 0, idle: 0, total: 0 },
      ksm: { run: 1, pagesShared: 10, pagesSharing: 1000, pagesVolatile: 0, fullScans: 3, savedBytes: 4096000 },
      zram: { origBytes: 300, comprBytes: 100, memUsedBytes: 120 },
      zswap: { poolBytes: 50, storedBytes: 200, zswpin: 0, zswpout: 0, zswpwb: 0 },
    }),
    guests: [{ name: 'g', alive: true, memoryBytes: 1000, balloonActualBytes: 600 }],
  };
  assert.deepEqual(costBetween(a, b), {
    savedBytes: { ksm: 4096000, zram: 180, zswap: 150, balloon: 400 },
    cpuSeconds: { ksmd: 2.5, kswapd: 0.5, system: 4, user: 8, iowait: 0.4 },
    swapIo: { pagesIn: 100, pagesOut: 1000 },
  });
});

test('withBaselineRatios: throughput and p99 relative to none of the same repetition', () => {
  const mk = (strategy: string, ops: number, p99: number, repetition = 1) =>
    ({ strategy, repetition, memcached: { opsPerSec: ops, latency: { p99Us: p99 } } }) as unknown as StrategyResult;
  const [none, zram, other] = withBaselineRatios([
    mk('none', 2000, 1000),
    mk('zram', 1500, 4000),
    mk('ksm', 100, 100, 2),
  ]);
  assert.deepEqual(none?.vsBaseline, { throughput: 1, p99: 1 });
  assert.deepEqual(zram?.vsBaseline, { throughput: 0.75, p99: 4 });
  assert.equal(other?.vsBaseline, undefined);
});
