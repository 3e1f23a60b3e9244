import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicySchema } from '../../../src/agent/config.js';
import { STALE_STATS_S } from '../../../src/observe/guest-observation.js';
import { IDLE_STATS_MS, atFullSize, mayInflate } from '../../../src/agent/idle-stats.js';
import { createAutoPolicy } from '../../../src/policy/auto.js';

const policy = (p: unknown = {}) => PolicySchema.parse(p);
const auto = createAutoPolicy().initial;

test('mayInflate: auto only while its balloon tier is on; the balloon controller alone unless it releases', () => {
  assert.equal(mayInflate(policy(), {}), true, 'no step yet: assume it may');
  assert.equal(mayInflate(policy(), { auto: { ...auto, tiers: [] } }), false, 'host state high');
  assert.equal(mayInflate(policy(), { auto: { ...auto, tiers: ['sharing'] } }), false, 'host state clear');
  assert.equal(mayInflate(policy(), { auto: { ...auto, tiers: ['sharing', 'balloon'] } }), true, 'host state soft');
  const alone = policy({ hostStates: { enabled: false } });
  assert.equal(mayInflate(alone, { balloon: { mode: 'release', guests: {} } }), false);
  assert.equal(mayInflate(alone, { balloon: { mode: 'hold', guests: {} } }), true);
  assert.equal(mayInflate(alone, { balloon: { mode: 'reclaim', guests: {} } }), true);
  assert.equal(mayInflate(alone, {}), true);
  const noBalloon = policy({ balloon: { enabled: false } });
  assert.equal(mayInflate(noBalloon, { auto: { ...auto, tiers: ['sharing', 'balloon'] } }), false);
});

test('atFullSize: the balloon gives the guest all its memory', () => {
  assert.equal(atFullSize({ memoryBytes: 100, balloonActualBytes: 100 }), true);
  assert.equal(atFullSize({ memoryBytes: 100, balloonActualBytes: 99 }), false);
});

test('idle statistics stay younger than what the policies accept', () => {
  assert.ok(IDLE_STATS_MS < STALE_STATS_S * 1000);
});
