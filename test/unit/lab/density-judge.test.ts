import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldRatio, judgeStep } from '../../../src/lab/density-judge.js';
import type { StrategyResult } from '../../../src/lab/results.js';
import { labResults, run } from './report/fixture.js';

const zram = (): StrategyResult => structuredClone(run(labResults(), 'zram'));

test('a step holds with enough throughput, nothing lost, every guest alive', () => {
  const r = zram();
  assert.ok(r.memcached);
  const base = r.memcached.opsPerSec / 0.95;
  const step = judgeStep(r, base, 2, 0.9);
  assert.equal(step.held, true);
  assert.ok(Math.abs((step.throughput ?? 0) - 0.95) < 1e-9);
  assert.equal(step.why, undefined);
});

test('below the SLO, a lost key, a dead guest or no data: not held, with the reason', () => {
  const r = zram();
  assert.ok(r.memcached);
  const base = r.memcached.opsPerSec / 0.8;
  assert.match(judgeStep(r, base, 3, 0.9).why ?? '', /throughput 80 % of baseline < 90 %/);
  const lost = zram();
  assert.ok(lost.memcached);
  lost.memcached.integrity.lost = 2;
  assert.match(judgeStep(lost, 1, 3, 0.9).why ?? '', /2 lost/);
  const dead = zram();
  const last = dead.series.at(-1);
  assert.ok(last?.guests[0]);
  last.guests[0].alive = false;
  assert.equal(judgeStep(dead, 1, 3, 0.9).why, 'a guest died');
  const none = zram();
  delete none.memcached;
  assert.equal(judgeStep(none, 1, 3, 0.9).held, false);
});

test('the held ratio is the last step before the first failure', () => {
  const s = (ratio: number, held: boolean) => ({ ratio, held });
  assert.equal(heldRatio([s(1.5, true), s(2, true), s(3, false), s(4, true)]), 2);
  assert.equal(heldRatio([s(1.5, false)]), null);
  assert.equal(heldRatio([]), null);
});

test('the density table ranks strategies by the ratio they held and says why each stopped', async () => {
  const { densityTable } = await import('../../../src/lab/report/density-table.js');
  const t = densityTable([
    {
      strategy: 'zram',
      heldRatio: 2,
      steps: [
        { ratio: 2, held: true, throughput: 0.93 },
        { ratio: 3, held: false, why: 'a guest died' },
      ],
    },
    { strategy: 'auto', heldRatio: 3, steps: [{ ratio: 3, held: true, throughput: 0.91 }] },
    { strategy: 'ksm', heldRatio: null, steps: [{ ratio: 1.5, held: false, why: 'no memcached data' }] },
  ]);
  assert.ok(t);
  assert.deepEqual(
    t.rows.map((r) => r.slice(0, 2)),
    [
      ['auto (best)', '3×'],
      ['zram', '2×'],
      ['ksm', 'none'],
    ],
  );
  assert.equal(t.rows[1]?.[2], '2×: 93 %; 3×: missed (a guest died)');
  assert.equal(densityTable(undefined), undefined);
});
