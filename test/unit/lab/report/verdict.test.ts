import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarizeStrategies } from '../../../../src/lab/report/aggregate.js';
import { decideVerdict, disqualification, rankEligible } from '../../../../src/lab/report/verdict.js';
import type { LabResults } from '../../../../src/lab/results.js';
import { labResults, run } from './fixture.js';

function verdictOf(r: LabResults): ReturnType<typeof decideVerdict> {
  return decideVerdict(summarizeStrategies(r));
}

describe('decideVerdict', () => {
  test('the fixture: zram wins at 2.00× with 93.1% of the baseline, and the paragraph says at what cost', () => {
    const v = verdictOf(labResults());
    assert.equal(v.winner?.strategy, 'zram');
    assert.equal(v.headline, 'zram won.');
    assert.match(v.body, /2\.00× \(1\.00 GiB of guest RAM in a 512 MiB budget\)/);
    assert.match(v.body, /93\.1% of the baseline's throughput \(3,912 ops\/s vs 4,203 ops\/s\)/);
    assert.match(v.body, /p99 latency 2\.09× the baseline's \(6\.08 ms vs 2\.91 ms\)/);
    assert.match(v.body, /4\.66 s of kswapd CPU/);
    assert.match(v.body, /76,176 pages swapped out/);
    assert.match(v.body, /192\.7 MiB by zram/);
    assert.match(v.body, /Also within the bar: ksm at 1\.33× \(96\.9% throughput\)/);
  });

  test('below 90% of the baseline a higher ratio does not win', () => {
    const r = labResults();
    run(r, 'zram').vsBaseline = { throughput: 0.85, p99: 2.5 };
    const v = verdictOf(r);
    assert.equal(v.winner?.strategy, 'ksm');
    assert.match(v.body, /Did not meet the bar: zram \(throughput 85\.0% of baseline\)/);
  });

  test('a lost key disqualifies, whatever the throughput', () => {
    const r = labResults();
    const mc = run(r, 'zram').memcached;
    assert.ok(mc);
    mc.integrity.lost = 2;
    const s = summarizeStrategies(r);
    assert.equal(disqualification(s[2]!), '2 keys lost');
    assert.deepEqual(
      rankEligible(s).map((x) => x.strategy),
      ['ksm'],
    );
  });

  test('no strategy meets the bar: said so, with each reason', () => {
    const r = labResults();
    delete run(r, 'zram').memcached;
    run(r, 'ksm').vsBaseline = { throughput: 0.5, p99: 4 };
    const v = verdictOf(r);
    assert.equal(v.winner, undefined);
    assert.equal(v.headline, 'No strategy met the bar.');
    assert.match(v.body, /ksm \(throughput 50\.0% of baseline\) and zram \(no memcached data\)/);
  });

  test('without a baseline nothing can be compared', () => {
    const r = labResults();
    r.strategies = r.strategies.filter((s) => s.strategy !== 'none');
    const v = verdictOf(r);
    assert.equal(v.winner, undefined);
    assert.match(v.body, /no baseline \('none'\) run/);
    assert.match(v.body, /ksm \(no baseline to compare with\)/);
  });

  test('empty results', () => {
    const r = labResults();
    r.strategies = [];
    assert.equal(verdictOf(r).headline, 'No result.');
  });
});
