import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recorder } from '../../../src/observe/recorder.js';
import type { Observation } from '../../../src/observe/observation.js';

test('the recorder takes one observation per period, survives a failing tick, and stops cleanly', async () => {
  let n = 0;
  const collector = {
    observe(): Promise<Observation> {
      n++;
      if (n === 2) return Promise.reject(new Error('one bad tick'));
      return Promise.resolve({ t: Date.now(), host: {} as Observation['host'], guests: [] });
    },
  };
  const r = new Recorder(collector, 20);
  r.start();
  await new Promise((res) => setTimeout(res, 150));
  const series = await r.stop();
  const after = series.length;
  assert.ok(after >= 4 && after <= 9, `${after} observations in 150 ms at 20 ms`);
  assert.equal(r.errors, 1);
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(r.series.length, after, 'no tick after stop');
});
