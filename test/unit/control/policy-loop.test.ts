import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyLoop, type Policy } from '../../../src/control/policy-loop.js';
import { observation } from '../policy/trace.js';

/** A policy that asks for one KSM change every step: the dry-run executor records it and changes nothing. */
const chatty: Policy<number> = {
  name: 'chatty',
  initial: 0,
  step: (_o, _p, n) => ({
    state: n + 1,
    actions: [{ kind: 'ksm', set: { pages_to_scan: 100 + n }, reason: `step ${n}` }],
  }),
};

test('the loop steps policies, records every decision with its reason, and keeps at most `keep` entries', async () => {
  const seen: string[] = [];
  const loop = new PolicyLoop([chatty], { guests: () => [], dryRun: true }, (e) => seen.push(e.action.reason), 3);
  for (let t = 0; t < 6; t++) {
    loop.observe(observation(t, { totalMiB: 1000, availableMiB: 500 }, []));
    await loop.drain();
  }
  assert.deepEqual(seen, ['step 0', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
  assert.deepEqual(
    loop.timeline.map((e) => e.action.reason),
    ['step 3', 'step 4', 'step 5'],
  );
  assert.ok(loop.timeline.every((e) => e.ok && e.detail === 'dry run: not done'));
});

test('a paused loop decides nothing; a listener that throws does not stop it', async () => {
  const loop = new PolicyLoop([chatty], { guests: () => [], dryRun: true }, () => {
    throw new Error('listener bug');
  });
  loop.pause();
  loop.observe(observation(0, { totalMiB: 1000, availableMiB: 500 }, []));
  await loop.drain();
  assert.equal(loop.timeline.length, 0);
  loop.resume();
  loop.observe(observation(1, { totalMiB: 1000, availableMiB: 500 }, []));
  await loop.drain();
  assert.equal(loop.timeline.length, 1);
});
