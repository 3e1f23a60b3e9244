import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action } from '../../../src/policy/actions.js';
import { createHostStatePolicy, esxiMinFreeBytes, type HostStateMachine } from '../../../src/policy/host-state.js';
import { GiB, MiB, observation, run, type Tick } from './trace.js';

// minFree 100 MiB: high >= 400, clear >= 100, soft >= 64, hard >= 32, low below; up needs +10 % for 30 s.
const policy = () => createHostStatePolicy({ minFreeBytes: 100 * MiB });
const at = (t: number, headroomMiB: number, psiSome = 0) =>
  observation(t, { totalMiB: 8192, availableMiB: headroomMiB, psiSome }, []);
const from = (state: HostStateMachine['state']): HostStateMachine => ({ state, betterSince: undefined });
/** "t:state" for every state change in a run, t in seconds. */
const moves = (ticks: Tick<HostStateMachine>[]): string[] =>
  ticks.flatMap((t) => t.actions.flatMap((a) => (a.kind === 'host-state' ? [`${t.obs.t / 1000}:${a.to}`] : [])));
const tiers = (actions: Action[]) =>
  actions.flatMap((a) => (a.kind === 'tier' ? [`${a.enable ? '+' : '-'}${a.tier}`] : []));

test("minFree follows ESXi's sliding scale: ~899 MB at 28 GB, ~1.9 GB at 128 GB", () => {
  assert.equal(Math.round(esxiMinFreeBytes(28 * GiB) / MiB), 901);
  assert.equal(Math.round(esxiMinFreeBytes(128 * GiB) / MiB), 1925);
  assert.equal(Math.round(esxiMinFreeBytes(2 * GiB) / MiB), 123);
});

test('moves down at once, enabling each more costly tier, cheapest first', () => {
  const ticks = run(policy(), [at(0, 500), at(1, 300), at(2, 50), at(3, 20)]);
  assert.deepEqual(
    ticks.map((t) => t.state.state),
    ['high', 'clear', 'hard', 'low'],
  );
  assert.deepEqual(ticks[0]?.actions, []);
  assert.deepEqual(tiers(ticks[1]?.actions ?? []), ['+sharing']);
  assert.deepEqual(tiers(ticks[2]?.actions ?? []), ['+balloon', '+compressed-swap']);
  assert.deepEqual(tiers(ticks[3]?.actions ?? []), ['+disk-swap']);
  const hs = ticks[2]?.actions[0];
  assert.equal(hs?.kind, 'host-state');
  assert.match(hs?.reason ?? '', /host clear -> hard: headroom 50.0 MiB = 0.50 x minFree 100 MiB/);
});

test('moves up one state at a time, only after the headroom stays above threshold + margin for 30 s', () => {
  const p = policy();
  // From hard: 70 MiB is above soft's 64 but not 64 x 1.1 = 70.4: no move however long.
  const stay = run(
    p,
    Array.from({ length: 60 }, (_, s) => at(s, 70)),
    from('hard'),
  );
  assert.ok(stay.every((t) => t.state.state === 'hard' && t.actions.length === 0));
  // 500 MiB from t=0: soft at t=30, clear at t=60, high at t=90 (each step waits its own 30 s).
  const up = run(
    p,
    Array.from({ length: 100 }, (_, s) => at(s, 500)),
    from('hard'),
  );
  assert.deepEqual(moves(up), ['30:soft', '60:clear', '90:high']);
  // Backing off disables tiers in reverse order.
  assert.deepEqual(tiers(up[30]?.actions ?? []), ['-compressed-swap']);
  assert.deepEqual(tiers(up[60]?.actions ?? []), ['-balloon']);
  assert.deepEqual(tiers(up[90]?.actions ?? []), ['-sharing']);
});

test('a dip during the hold restarts it', () => {
  const trace = [
    ...Array.from({ length: 20 }, (_, s) => at(s, 90)),
    at(20, 60),
    ...Array.from({ length: 35 }, (_, s) => at(21 + s, 90)),
  ];
  const ticks = run(policy(), trace, from('soft'));
  // t=20 drops to hard at once; back to soft only 30 s after t=21.
  assert.deepEqual(moves(ticks), ['20:hard', '51:soft']);
});

test('does not flap on a noisy trace around a threshold', () => {
  // Headroom 100 MiB +- 8 MiB (deterministic noise), around the clear/soft boundary, for 10 minutes.
  let seed = 42;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 16 - 8;
  };
  const trace = Array.from({ length: 600 }, (_, s) => at(s, 100 + noise()));
  const ticks = run(policy(), trace, from('clear'));
  const changes = ticks.filter((t) => t.actions.some((a) => a.kind === 'host-state'));
  assert.equal(changes.length, 1, `${changes.length} state changes`);
  assert.equal(ticks.at(-1)?.state.state, 'soft');
});

test('memory stall pushes the state down, and it comes back after the stall and the hold', () => {
  const ticks = run(policy(), [at(0, 500, 0), at(1, 500, 12), at(2, 500, 35), at(3, 500, 0)]);
  assert.deepEqual(
    ticks.map((t) => t.state.state),
    ['high', 'clear', 'soft', 'soft'],
  );
  assert.match(ticks[1]?.actions[0]?.reason ?? '', /PSI memory some 12.0% \(stall pushes 1 step down\)/);
  const later = run(
    policy(),
    Array.from({ length: 31 }, (_, s) => at(3 + s, 500, 0)),
    ticks[3]?.state,
  );
  assert.equal(later.at(-1)?.state.state, 'clear');
});

test('uses the budget cgroup as the host and derives minFree from its size', () => {
  const p = createHostStatePolicy();
  // 2 GiB budget: minFree 6 % of 2 GiB = 122.9 MiB; usage leaves 100 MiB -> ratio 0.81 -> soft.
  const o = observation(0, { totalMiB: 65536, availableMiB: 60000, budget: { limitMiB: 2048, usageMiB: 1948 } }, []);
  const [t] = run(p, [o]);
  assert.equal(t?.state.state, 'soft');
  assert.deepEqual(tiers(t?.actions ?? []), ['+sharing', '+balloon']);
});

test('rejects thresholds that do not fall', () => {
  assert.throws(() => createHostStatePolicy({ thresholds: { high: 4, clear: 1, soft: 1, hard: 0.32 } }), RangeError);
});
