import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareRun, guestDeaths, summarizeStrategies } from '../../../../src/lab/report/aggregate.js';
import type { LabResults, StrategyResult } from '../../../../src/lab/results.js';
import { labResults, run } from './fixture.js';

function near(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

/** A copy of `r` as another repetition, with its memcached ops/s and p99 set. */
function rep(r: StrategyResult, repetition: number, opsPerSec: number, p99Us: number): StrategyResult {
  const c = structuredClone(r);
  c.repetition = repetition;
  if (!c.memcached) throw new Error('fixture run without memcached');
  c.memcached.opsPerSec = opsPerSec;
  c.memcached.latency.p99Us = p99Us;
  return c;
}

describe('summarizeStrategies', () => {
  test('the fixture: one summary per strategy, in order, with ratios computed against none', () => {
    const s = summarizeStrategies(labResults());
    assert.deepEqual(
      s.map((x) => x.strategy),
      ['none', 'ksm', 'zram'],
    );
    const [none, ksm, zram] = s;
    assert.ok(none && ksm && zram);
    assert.equal(none.isBaseline, true);
    near(none.vsBaseline.throughput, 1, 'none throughput');
    near(ksm.vsBaseline.throughput, 4071 / 4202.5, 'ksm throughput');
    near(ksm.vsBaseline.p99, 3410 / 2910, 'ksm p99');
    near(zram.vsBaseline.throughput, 3912 / 4202.5, 'zram throughput');
    near(zram.vsBaseline.p99, 6080 / 2910, 'zram p99');
    assert.equal(zram.overcommitRatio, 2);
    assert.equal(zram.swapIo.pagesOut, 76176);
    assert.equal(zram.lost, 0);
    assert.deepEqual(zram.problems, []);
  });

  test("a run's own vsBaseline wins over the computed ratio", () => {
    const r = labResults();
    run(r, 'ksm').vsBaseline = { throughput: 0.5, p99: 3 };
    const ksm = summarizeStrategies(r)[1];
    assert.deepEqual(ksm?.vsBaseline, { throughput: 0.5, p99: 3 });
  });

  test('repetitions: each run against the baseline of its repetition, then the mean of the ratios', () => {
    const r = labResults();
    const none = run(r, 'none');
    const ksm = run(r, 'ksm');
    const results: LabResults = {
      ...r,
      strategies: [rep(none, 1, 1000, 100), rep(none, 2, 2000, 200), rep(ksm, 2, 1000, 400), rep(ksm, 1, 900, 100)],
    };
    const [sNone, sKsm] = summarizeStrategies(results);
    assert.equal(sKsm?.runs.map((x) => x.repetition).join(','), '1,2');
    near(sKsm?.vsBaseline.throughput, (900 / 1000 + 1000 / 2000) / 2, 'mean of per-repetition throughput ratios');
    near(sKsm?.vsBaseline.p99, (100 / 100 + 400 / 200) / 2, 'mean of per-repetition p99 ratios');
    near(sKsm?.opsPerSec, 950, 'mean ops/s');
    near(sNone?.vsBaseline.throughput, 1, 'baseline against itself');
  });

  test('a repetition without its baseline is compared with the mean of the baseline runs', () => {
    const r = labResults();
    const none = run(r, 'none');
    const ksm = rep(run(r, 'ksm'), 3, 1200, 300);
    const c = compareRun(ksm, [rep(none, 1, 1000, 100), rep(none, 2, 2000, 200)]);
    near(c.throughput, 1200 / 1500, 'throughput');
    near(c.p99, 300 / 150, 'p99');
  });

  test('no baseline, or a run without memcached: no ratio, and the summary says what is missing', () => {
    const r = labResults();
    delete run(r, 'zram').memcached;
    r.strategies = r.strategies.filter((s) => s.strategy !== 'none');
    const [ksm, zram] = summarizeStrategies(r);
    assert.equal(ksm?.vsBaseline.throughput, undefined);
    assert.equal(zram?.memcachedRuns, 0);
    assert.equal(zram?.opsPerSec, undefined);
    assert.deepEqual(zram?.problems, ['no memcached data']);
  });

  test('losses are summed over repetitions and reported', () => {
    const r = labResults();
    const zram = run(r, 'zram');
    const again = structuredClone(zram);
    again.repetition = 2;
    if (!again.memcached) throw new Error('fixture run without memcached');
    again.memcached.integrity.lost = 3;
    again.memcached.integrity.corrupt = 1;
    r.strategies.push(again);
    const s = summarizeStrategies(r).find((x) => x.strategy === 'zram');
    assert.equal(s?.lost, 3);
    assert.equal(s?.corrupt, 1);
    assert.deepEqual(s?.problems, ['repetition 2: 3 of 200000 keys lost', 'repetition 2: 1 of 200000 values corrupt']);
  });
});

describe('guestDeaths', () => {
  test('a guest that stops being alive is reported once, with the second it was first seen dead', () => {
    const r = run(labResults(), 'zram');
    for (const o of r.series.slice(14)) {
      const g = o.guests.find((x) => x.name === 'web2');
      if (g) g.alive = false;
    }
    assert.deepEqual(guestDeaths(r), ['guest web2 not alive from 14 s']);
    assert.deepEqual(guestDeaths(run(labResults(), 'zram')), []);
  });
});
