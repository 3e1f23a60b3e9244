import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spikeOutcome } from '../../../src/lab/spike-outcome.js';
import type { Observation } from '../../../src/observe/observation.js';
import { labResults, run } from './report/fixture.js';

const MiB = 1024 * 1024;

/** The stored zram run's series with lab1's balloon rewritten: 200 MiB until t0 + 3 s, then back up in two steps. */
function series(): { obs: Observation[]; t0: number } {
  const obs = structuredClone(run(labResults(), 'zram').series);
  const t0 = (obs[5] as Observation).t;
  for (const o of obs) {
    const g = o.guests[0];
    if (!g) continue;
    const dt = o.t - t0;
    g.balloonActualBytes = dt < 3000 ? g.memoryBytes - 56 * MiB : dt < 5000 ? g.memoryBytes - 20 * MiB : g.memoryBytes;
  }
  return { obs, t0 };
}

test('spike outcome: inflation at the start, the first deflate decision, the time back to full', () => {
  const { obs, t0 } = series();
  const name = obs[0]?.guests[0]?.name ?? '';
  const mem = obs[0]?.guests[0]?.memoryBytes ?? 0;
  const r = spikeOutcome(
    { guest: name, startedAt: t0, endedAt: t0 + 9000, keysWritten: 100, refused: 0, lost: 0, corrupt: 0 },
    obs,
    [
      // after the start, but a further inflation: not a deflate
      {
        t: t0 + 500,
        policy: 'auto',
        ok: true,
        action: { kind: 'balloon', guest: name, targetBytes: mem - 80 * MiB, reason: 'down' },
      },
      {
        t: t0 - 5000,
        policy: 'auto',
        ok: true,
        action: { kind: 'balloon', guest: name, targetBytes: 1, reason: 'old' },
      },
      {
        t: t0 + 1000,
        policy: 'auto',
        ok: true,
        action: { kind: 'balloon', guest: name, targetBytes: mem, reason: 'up' },
      },
    ],
  );
  assert.equal(r.inflatedBeforeBytes, 56 * MiB);
  assert.equal(r.deflateDecidedAfterS, 1);
  assert.ok(r.fullAfterS !== undefined && r.fullAfterS >= 5 && r.fullAfterS < 7, `${r.fullAfterS}`);
  assert.equal(r.fillSeconds, 9);
});

test('a guest that was never inflated has no deflate times', () => {
  const obs = structuredClone(run(labResults(), 'zram').series);
  const t0 = (obs[3] as Observation).t;
  const name = obs[0]?.guests[0]?.name ?? '';
  const r = spikeOutcome(
    { guest: name, startedAt: t0, endedAt: t0, keysWritten: 0, refused: 0, lost: 0, corrupt: 0 },
    obs,
  );
  assert.equal(r.fullAfterS, undefined);
  assert.equal(r.deflateDecidedAfterS, undefined);
});
