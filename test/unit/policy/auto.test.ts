import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAutoPolicy } from '../../../src/policy/auto.js';
import { observation, run, type GuestSpec } from './trace.js';

// A 2000 MiB budget host with minFree = 10 % (200 MiB): clear >= 200, soft >= 128, hard >= 64, low < 64 MiB headroom.
const policy = () => createAutoPolicy({ hostStates: { minFreeFraction: 0.1 } });
const idle = (name: string): GuestSpec => ({ name, availableMiB: 700, freeMiB: 600, majorFaults: 0 });
const at = (t: number, usageMiB: number, guests: GuestSpec[] = [idle('a'), idle('b')]) =>
  observation(t, { totalMiB: 24000, availableMiB: 20000, budget: { limitMiB: 2000, usageMiB } }, guests);

test('plenty of headroom: host high, no tier, no KSM, no inflation', () => {
  const ticks = run(policy(), [at(0, 500), at(1, 500), at(2, 500)]);
  assert.deepEqual(ticks.at(-1)?.state.tiers, []);
  assert.deepEqual(
    ticks.flatMap((t) => t.actions),
    [],
  );
});

test('the budget tightens: tiers come on cheapest first, KSM starts, idle guests are inflated', () => {
  const ticks = run(policy(), [at(0, 500), at(1, 1850), at(2, 1850)]);
  const t1 = ticks[1];
  assert.ok(t1);
  // 150 MiB headroom = 0.75 x minFree: soft -> sharing + balloon.
  assert.equal(t1.state.host.state, 'soft');
  assert.deepEqual(t1.state.tiers, ['sharing', 'balloon']);
  const kinds = t1.actions.map((a) => (a.kind === 'tier' ? `tier:${a.tier}:${String(a.enable)}` : a.kind));
  assert.deepEqual(kinds.slice(0, 3), ['host-state', 'tier:sharing:true', 'tier:balloon:true']);
  assert.ok(
    t1.actions.some((a) => a.kind === 'ksm' && a.set.run === 1),
    'KSM started',
  );
  const inflated = ticks.flatMap((t) => t.actions).filter((a) => a.kind === 'balloon');
  assert.ok(inflated.length > 0, 'idle guests inflated');
  for (const a of inflated) {
    assert.ok(a.kind === 'balloon' && a.targetBytes < 1000 * 1024 * 1024);
    assert.match(a.reason, /^\[balloon\] /);
  }
});

test('outside the balloon tier only deflations go through: a paging guest gets its memory back at once', () => {
  const p = policy();
  // Host calm (high), guest a has a balloon left inflated at 600 MiB and starts paging.
  const ticks = run(p, [
    at(0, 500, [{ ...idle('a'), actualMiB: 600, availableMiB: 20 }, idle('b')]),
    at(1, 500, [{ ...idle('a'), actualMiB: 600, availableMiB: 20, majorFaults: 5000 }, idle('b')]),
  ]);
  const all = ticks.flatMap((t) => t.actions);
  const a = all.filter((x) => x.kind === 'balloon' && x.guest === 'a').at(-1);
  assert.ok(a && a.kind === 'balloon', 'guest a deflated');
  assert.equal(a.targetBytes, 1000 * 1024 * 1024);
  assert.ok(!all.some((x) => x.kind === 'balloon' && x.targetBytes < 600 * 1024 * 1024), 'no inflation in high');
});

test('headroom gone: compressed swap then disk swap; sharing off stops ksmd without unmerging', () => {
  const p = policy();
  const down = run(p, [at(0, 500), at(1, 1980)]);
  const last = down.at(-1);
  assert.ok(last);
  assert.equal(last.state.host.state, 'low');
  assert.deepEqual(last.state.tiers, ['sharing', 'balloon', 'compressed-swap', 'disk-swap']);
  // Back to plenty: one state up per 30 s hold; after enough time the host is high and KSM was stopped with run=0.
  const trace = [];
  for (let t = 2; t <= 200; t++) trace.push(at(t, 300));
  const up = run(p, trace, last.state);
  const end = up.at(-1);
  assert.ok(end);
  assert.equal(end.state.host.state, 'high');
  const acts = up.flatMap((t) => t.actions);
  const off = acts.filter((a) => a.kind === 'tier' && !a.enable).map((a) => (a.kind === 'tier' ? a.tier : ''));
  assert.deepEqual(off, ['disk-swap', 'compressed-swap', 'balloon', 'sharing']);
  const stop = acts.filter((a) => a.kind === 'ksm').at(-1);
  assert.ok(stop && stop.kind === 'ksm');
  assert.deepEqual(stop.set, { run: 0 });
});
