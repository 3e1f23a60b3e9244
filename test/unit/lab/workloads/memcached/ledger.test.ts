import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyLedger } from '../../../../../src/lab/workloads/memcached/ledger.js';
import { RatePacer } from '../../../../../src/lab/workloads/memcached/pacer.js';
import { PhaseStats, type MemcachedSecondSample } from '../../../../../src/lab/workloads/memcached/stats.js';

describe('key ledger', () => {
  test('versions: sent, acknowledged, failed', () => {
    const l = new KeyLedger(2, 10);
    assert.equal(l.beginSet(0, 3), 1);
    assert.ok(l.setInFlight(0, 3));
    assert.throws(() => l.beginSet(0, 3), /already in flight/);
    assert.ok(l.hitIsCurrent(0, 3, 1, 0), 'a GET racing the SET may see it');
    l.stored(0, 3, 1);
    assert.equal(l.ackedVersion(0, 3), 1);
    assert.equal(l.beginSet(0, 3), 2);
    l.setFailed(0, 3);
    assert.equal(l.ackedVersion(0, 3), 0, 'a failed SET leaves no guarantee');
    assert.equal(l.issuedVersion(0, 3), 2);
    assert.equal(l.ackedVersion(1, 3), 0, 'targets are separate');
  });

  test('judging reads', () => {
    const l = new KeyLedger(1, 4);
    l.stored(0, 1, l.beginSet(0, 1));
    assert.ok(l.missIsLoss(0, 1, 1, 0));
    assert.ok(!l.missIsLoss(0, 2, 0, 0), 'never written: a miss is fine');
    assert.ok(l.hitIsCurrent(0, 1, 1, 1));
    assert.ok(!l.hitIsCurrent(0, 1, 2, 1), 'a version never sent');
    l.beginSet(0, 1);
    assert.ok(!l.missIsLoss(0, 1, 1, 0), 'a SET in flight may fail and drop the key');
    l.stored(0, 1, 2);
    assert.ok(!l.hitIsCurrent(0, 1, 1, 2), 'older than acknowledged when the GET was sent: stale');
    // A GET sent while acked = 2; then a SET fails (the server drops the key) and another is acknowledged before
    // the GET's reply: its miss is not a loss.
    const failuresAtSend = l.failureCount(0, 1);
    l.beginSet(0, 1);
    l.setFailed(0, 1);
    l.stored(0, 1, l.beginSet(0, 1));
    assert.ok(!l.missIsLoss(0, 1, 2, failuresAtSend));
    assert.ok(l.missIsLoss(0, 1, 4, l.failureCount(0, 1)));
  });

  test('counts and anomaly marks', () => {
    const l = new KeyLedger(2, 5);
    for (let k = 0; k < 5; k++) l.stored(0, k, l.beginSet(0, k));
    l.stored(1, 0, l.beginSet(1, 0));
    l.markLost(0, 1);
    l.markLost(0, 1);
    l.markCorrupt(1, 0);
    assert.deepEqual(l.counts(), { keysWritten: 6, lost: 1, corrupt: 1 });
    l.clearAnomalies();
    assert.deepEqual(l.counts(), { keysWritten: 6, lost: 0, corrupt: 0 });
    const seen: number[] = [];
    l.forEachWritten(1, (k) => seen.push(k));
    assert.deepEqual(seen, [0]);
  });
});

describe('rate pacer', () => {
  test('ops come due at rate, intended times are exact', () => {
    const p = new RatePacer(1000, 500);
    assert.equal(p.due(499), 0);
    assert.equal(p.due(500), 1);
    assert.equal(p.take(), 500);
    assert.equal(p.due(510.5), 10);
    for (let i = 0; i < 10; i++) p.take();
    assert.equal(p.take(), 511);
    assert.equal(p.due(1500), 1001 - 12);
  });
});

describe('phase stats', () => {
  test('per-second samples come in order, with empty seconds, and series scale a last partial second', () => {
    const samples: MemcachedSecondSample[] = [];
    const s = new PhaseStats((x) => samples.push(x));
    s.get(0, 100, true, false, false);
    s.get(0, 300, false, true, false);
    s.set(0, 200);
    s.error(0);
    s.set(2, 50);
    s.get(3, 10, true, false, true);
    s.emitThrough(3);
    assert.deepEqual(
      samples.map((x) => [x.second, x.ops, x.gets, x.sets, x.hits, x.misses, x.errors, x.lost, x.corrupt]),
      [
        [0, 3, 2, 1, 1, 1, 1, 1, 0],
        [1, 0, 0, 0, 0, 0, 0, 0, 0],
        [2, 1, 0, 1, 0, 0, 0, 0, 0],
        [3, 1, 1, 0, 1, 0, 0, 0, 1],
      ],
    );
    assert.equal(samples[0]?.p50Us, 200);
    assert.deepEqual(s.series(3.5), [3, 0, 1, 2]);
    assert.deepEqual(s.series(2), [3, 0]);
    assert.equal(s.ops, 5);
    assert.equal(s.latency.count, 5);
  });
});
