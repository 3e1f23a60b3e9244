import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKLOG_INITIAL, updateBacklog } from '../../../../src/policy/ksm-tuner/adaptive-backlog.js';
import { ADAPTIVE_DEFAULTS } from '../../../../src/policy/ksm-tuner/adaptive-config.js';
import { CPU_COST_INITIAL, cpuPercentPerPage, updateCpuCost } from '../../../../src/policy/ksm-tuner/adaptive-cpu.js';
import { nextRate } from '../../../../src/policy/ksm-tuner/adaptive-rate.js';
import { measureWindow, windowStart, type WindowSignals } from '../../../../src/policy/ksm-tuner/adaptive-window.js';
import { MiB, guest, observation } from './trace.js';

const C = ADAPTIVE_DEFAULTS;
const signals = (s: Partial<WindowSignals>): WindowSignals => ({
  seconds: 1,
  ticks: 0,
  cpuPercent: 0,
  scannedPages: 50_000,
  scannedEstimated: false,
  mergedDelta: 0,
  volatileFraction: 0,
  fullScansDone: 0,
  ...s,
});

describe('adaptive window', () => {
  test('CPU from jiffies over obs.t, yield from the merge and scan counters', () => {
    const k = { pagesShared: 100, pagesSharing: 400, pagesScanned: 1_000_000, fullScans: 3, run: 1 };
    const from = windowStart(observation(10_000, { ksmdCpuTicks: 500, ksm: k }), {
      run: 1,
      pagesToScan: 1000,
      sleepMillisecs: 20,
    });
    const to = observation(12_000, {
      ksmdCpuTicks: 540,
      ksm: { ...k, pagesShared: 300, pagesSharing: 1200, pagesScanned: 1_100_000, pagesVolatile: 500, fullScans: 4 },
    });
    const s = measureWindow(from, to);
    assert.ok(s);
    assert.equal(s.cpuPercent, 20); // 40 jiffies in 2 s = 0.2 core
    assert.equal(s.scannedPages, 100_000);
    assert.equal(s.yield, 0.01); // (1500 - 500) / 100,000
    assert.equal(s.fullScansDone, 1);
    assert.equal(s.volatileFraction, 500 / 2000);
    assert.equal(measureWindow(from, observation(10_000)), undefined, 'no time passed');
  });

  test('unmerging is not a negative yield', () => {
    const from = windowStart(observation(0, { ksm: { pagesSharing: 1000, pagesScanned: 0 } }), {
      run: 1,
      pagesToScan: 100,
      sleepMillisecs: 20,
    });
    const s = measureWindow(from, observation(1000, { ksm: { pagesSharing: 900, pagesScanned: 5000 } }));
    assert.equal(s?.mergedDelta, -100);
    assert.equal(s?.yield, 0);
  });
});

describe('adaptive rate law', () => {
  test('hot ramps by rampFactor from at least startPagesToScan; never blind on the first decision', () => {
    assert.equal(nextRate({ current: 100, pending: 'x', lowStreak: 0 }, C).pagesToScan, 1000);
    assert.equal(nextRate({ current: 5000, pending: 'x', lowStreak: 0 }, C).pagesToScan, 5000);
    const high = signals({ yield: 0.02 });
    assert.equal(nextRate({ current: 1000, signals: high, lowStreak: 0 }, C).pagesToScan, 4000);
    assert.equal(nextRate({ current: 4000, signals: high, lowStreak: 0 }, C).pagesToScan, 10_000);
  });

  test('the CPU cap is proportional: 4,000 pages at 40 % -> 2,000 for a 20 % cap', () => {
    const out = nextRate(
      { current: 4000, signals: signals({ yield: 0.02 }), cpuPercentPerPage: 0.01, lowStreak: 0 },
      C,
    );
    assert.equal(out.pagesToScan, 2000);
    assert.match(out.why, /held to 2000 by the CPU cap \(est\. 40\.0% at 4000\)/);
  });

  test('deadband: a change under 10 % is not made, unless it lands on idle or the ceiling', () => {
    const hold = nextRate(
      { current: 1000, signals: signals({ yield: 0.02 }), cpuPercentPerPage: 0.0191, lowStreak: 0 },
      C,
    );
    assert.equal(hold.pagesToScan, 1000); // the cap allows 1,047
    assert.match(hold.why, /within the 10% deadband/);
    const toIdle = nextRate({ current: 105, signals: signals({ yield: 0 }), lowStreak: 2 }, C);
    assert.equal(toIdle.pagesToScan, 100);
  });

  test('the streak: unproductive decisions count up, a mid-band or high yield resets them', () => {
    const low = signals({ yield: 0.001 });
    assert.deepEqual(
      [0, 1, 2].map((n) => nextRate({ current: 8000, signals: low, lowStreak: n }, C).pagesToScan),
      [8000, 8000, 4000],
    );
    assert.equal(nextRate({ current: 8000, signals: signals({ yield: 0.005 }), lowStreak: 2 }, C).lowStreak, 0);
    const nothing = nextRate({ current: 8000, signals: signals({ scannedPages: 0 }), lowStreak: 2 }, C);
    assert.equal(nothing.lowStreak, 2, 'no scan, no evidence');
  });
});

describe('adaptive CPU cost', () => {
  test('smooths jiffy quantization over windows', () => {
    let c = CPU_COST_INITIAL;
    assert.equal(cpuPercentPerPage(c), undefined);
    for (const ticks of [4, 6, 4, 6, 4, 6]) c = updateCpuCost(c, { ticks, seconds: 1, pagesToScan: 100 }, 0.7);
    const perPage = cpuPercentPerPage(c) ?? 0;
    assert.ok(Math.abs(perPage - 0.05) < 0.003, String(perPage));
  });
});

describe('adaptive backlog', () => {
  const at = (t: number, fullScans: number, ...guests: ReturnType<typeof guest>[]) =>
    observation(t, { guests, ksm: { fullScans } });

  test('a new guest is pending until two more full scans complete', () => {
    let b = updateBacklog(at(0, 5, guest('a', 256 * MiB)), BACKLOG_INITIAL, C);
    assert.equal(b.pendingUntilFullScans, 7);
    assert.equal(b.pendingWhy, 'new guest a');
    b = updateBacklog(at(1, 6, guest('a', 256 * MiB)), b, C);
    assert.equal(b.pendingUntilFullScans, 7);
    b = updateBacklog(at(2, 7, guest('a', 256 * MiB)), b, C);
    assert.equal(b.pendingUntilFullScans, null);
  });

  test('growth counts past max(64 MiB, 5 %) of the baseline, and the baseline follows memory down', () => {
    let b = updateBacklog(at(0, 0, guest('a', 1024 * MiB)), BACKLOG_INITIAL, C);
    b = updateBacklog(at(1, 9, guest('a', 1024 * MiB)), b, C);
    b = updateBacklog(at(2, 9, guest('a', 1060 * MiB)), b, C);
    assert.equal(b.pendingUntilFullScans, null, '+36 MiB is under the threshold');
    b = updateBacklog(at(3, 9, guest('a', 900 * MiB)), b, C); // ballooned down
    assert.equal(b.baselineBytes, 900 * MiB);
    b = updateBacklog(at(4, 9, guest('a', 1000 * MiB)), b, C); // and back up: +100 MiB
    assert.equal(b.pendingUntilFullScans, 11);
    assert.match(b.pendingWhy, /grew 900 MiB -> 1000 MiB/);
  });
});
