import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HISTOGRAM_MAX_US, LatencyHistogram } from '../../../../../src/lab/workloads/memcached/histogram.js';
import { Prng } from '../../../../../src/lab/workloads/memcached/prng.js';

/** Nearest-rank percentile of sorted values. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function within(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * expected, `${what}: ${actual} vs exact ${expected}`);
}

describe('latency histogram', () => {
  test('empty', () => {
    assert.deepEqual(new LatencyHistogram().summary(), {
      count: 0,
      p50Us: 0,
      p90Us: 0,
      p99Us: 0,
      p999Us: 0,
      maxUs: 0,
      meanUs: 0,
    });
  });

  test('1..100000 us: percentiles within 1% (in fact 0.1%) of exact', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let v = 1; v <= 100_000; v++) {
      h.record(v);
      values.push(v);
    }
    const s = h.summary();
    assert.equal(s.count, 100_000);
    for (const [p, got] of [
      [50, s.p50Us],
      [90, s.p90Us],
      [99, s.p99Us],
      [99.9, s.p999Us],
    ] as const)
      within(got, exact(values, p), 0.001, `p${p}`);
    assert.equal(s.maxUs, 100_000);
    within(s.meanUs, 50_000.5, 1e-9, 'mean');
  });

  test('log-normal latencies from 10 us to seconds: within 1% of exact', () => {
    const rng = new Prng(9);
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Box-Muller: median ~ 300 us, long tail.
      const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      const v = Math.round(Math.exp(Math.log(300) + 1.5 * z));
      h.record(v);
      values.push(Math.min(HISTOGRAM_MAX_US, Math.max(1, v)));
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 75, 90, 99, 99.9, 99.99]) within(h.percentile(p), exact(values, p), 0.01, `p${p}`);
    assert.equal(h.summary().maxUs, values[values.length - 1]);
  });

  test('small values are exact; bimodal data lands on the right mode', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 900; i++) h.record(100);
    for (let i = 0; i < 100; i++) h.record(50_000);
    assert.equal(h.percentile(50), 100);
    assert.equal(h.percentile(90), 100);
    within(h.percentile(91), 50_000, 0.001, 'p91');
    within(h.percentile(99), 50_000, 0.001, 'p99');
    assert.equal(h.percentile(100), 50_000);
  });

  test('clamps to 1 us .. 60 s, rounds fractions', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(-5);
    h.record(0.4);
    h.record(2.6);
    h.record(1e12);
    assert.equal(h.count, 5);
    assert.equal(h.percentile(20), 1);
    assert.equal(h.percentile(80), 3);
    assert.equal(h.summary().maxUs, HISTOGRAM_MAX_US);
    within(h.percentile(100), HISTOGRAM_MAX_US, 0.001, 'max');
  });

  test('merge and reset', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) (v % 2 ? a : b).record(v);
    a.merge(b);
    assert.equal(a.count, 1000);
    assert.equal(a.percentile(50), 500);
    assert.equal(a.summary().maxUs, 1000);
    a.reset();
    assert.equal(a.count, 0);
    a.record(7);
    assert.equal(a.percentile(50), 7);
  });
});
