import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMomBalloonPeer } from '../../../../src/policy/peers/mom-balloon.js';
import { type GuestSpec, type HostSpec, MiB, observation, run, targetsMiB } from '../trace.js';

// MOM's host free % = (MemFree + Cached) / MemTotal: 1000 + 500 of 10000 MiB = 15 % (< 20 %: shrink).
const tight: HostSpec = { totalMiB: 10000, availableMiB: 9000, freeMiB: 1000, cachedMiB: 500 };
const roomy: HostSpec = { totalMiB: 10000, availableMiB: 9000, freeMiB: 2500, cachedMiB: 500 };

function balloonTimes(ticks: { obs: { t: number }; actions: { kind: string }[] }[]): number[] {
  return ticks.filter((t) => t.actions.some((a) => a.kind === 'balloon')).map((t) => t.obs.t / 1000);
}

test('reproduces a hand-computed shrink sequence from its 5 s samples, deciding every 10 s', () => {
  // The guest (1000 MiB, MemFree 600) follows the first target at t=11: actual 950, MemFree 550.
  const g = (s: number): GuestSpec =>
    s < 11 ? { name: 'g', actualMiB: 1000, freeMiB: 600 } : { name: 'g', actualMiB: 950, freeMiB: 550 };
  const ticks = run(
    createMomBalloonPeer(),
    Array.from({ length: 21 }, (_, s) => observation(s, tight, [g(s)])),
  );
  assert.deepEqual(balloonTimes(ticks), [10, 20]);
  // t=10, samples t=0,5,10: host 15 %, guest free target 0.20 x 15/20 = 15 %; used = 1000 - 600 = 400;
  // floor = 400 + 0.15 x 1000 = 550; size = max(1000 x 0.95, 550) = 950 MiB.
  assert.deepEqual(targetsMiB(ticks[10]?.actions ?? []), { g: 950 });
  assert.match(ticks[10]?.actions[0]?.reason ?? '', /MOM shrink: host free 15.00% \(avg of 3 samples\) < 20.00%/);
  // t=20, samples t=0..20: avg balloon_cur 980, avg mem_unused 580 -> used 400; balloon_cur 950;
  // floor = 400 + 0.15 x 950 = 542.5; size = max(950 x 0.95 = 902.5, 542.5) = 902.5 MiB = 924160 KiB.
  assert.equal(ticks[20]?.actions[0]?.kind === 'balloon' && ticks[20].actions[0].targetBytes, 924160 * 1024);
  assert.equal(ticks[20]?.state.host.length, 5);
});

test('critical host pressure lets the floor go below used + reserve', () => {
  // Host 4 % free (<= 5 %): guest free target = -0.05 + 0.04 = -1 %. used = 1000 - 20 = 980;
  // floor = 980 - 0.01 x 1000 = 970 > 950 -> 970 MiB. (At 15 % the floor 980 + 150 > 1000 blocks any shrink.)
  const critical: HostSpec = { totalMiB: 10000, availableMiB: 400, freeMiB: 300, cachedMiB: 100 };
  const guest: GuestSpec = { name: 'g', actualMiB: 1000, freeMiB: 20 };
  const c = run(
    createMomBalloonPeer(),
    Array.from({ length: 11 }, (_, s) => observation(s, critical, [guest])),
  );
  assert.deepEqual(targetsMiB(c[10]?.actions ?? []), { g: 970 });
  const n = run(
    createMomBalloonPeer(),
    Array.from({ length: 11 }, (_, s) => observation(s, tight, [guest])),
  );
  assert.deepEqual(n[10]?.actions, []);
});

test('grows guests when the host has room: max(5 %, used + 20 %), capped at the maximum', () => {
  // cur 800, MemFree 100 -> used 700; floor = 700 + 0.2 x 800 = 860 > 800 x 1.05 = 840 -> 860 MiB.
  const ticks = run(
    createMomBalloonPeer(),
    Array.from({ length: 11 }, (_, s) =>
      observation(s, roomy, [
        { name: 'a', actualMiB: 800, freeMiB: 100 },
        { name: 'b', actualMiB: 990, freeMiB: 500 }, // 990 x 1.05 > 1000 -> 1000
        { name: 'full', actualMiB: 1000, freeMiB: 500 }, // at its maximum: nothing to do
      ]),
    ),
  );
  assert.deepEqual(targetsMiB(ticks[10]?.actions ?? []), { a: 860, b: 1000 });
});

test('skips changes of 0.25 % or less, honours balloon_min, and leaves out guests without MemFree', () => {
  const ten = (g: GuestSpec[], cfg = {}) =>
    run(
      createMomBalloonPeer(cfg),
      Array.from({ length: 11 }, (_, s) => observation(s, tight, g)),
    )[10]?.actions;
  // used 848: floor = 848 + 150 = 998 -> a 2 MiB change (0.2 %) is skipped.
  assert.deepEqual(ten([{ name: 'g', actualMiB: 1000, freeMiB: 152 }]), []);
  // used 840: floor 990 -> 10 MiB, made.
  assert.deepEqual(targetsMiB(ten([{ name: 'g', actualMiB: 1000, freeMiB: 160 }]) ?? []), { g: 990 });
  assert.deepEqual(
    targetsMiB(ten([{ name: 'g', actualMiB: 1000, freeMiB: 600 }], { balloonMinBytes: { g: 980 * MiB } }) ?? []),
    {
      g: 980,
    },
  );
  assert.deepEqual(ten([{ name: 'g', actualMiB: 1000 }]), []);
});

test('with a budget cgroup, MOM sees the budget as the host', () => {
  // Budget 2000 MiB, usage 1800: 10 % free although MemFree + Cached is 90 % of MemTotal.
  const h: HostSpec = { ...roomy, freeMiB: 8000, cachedMiB: 1000, budget: { limitMiB: 2000, usageMiB: 1800 } };
  const ticks = run(
    createMomBalloonPeer(),
    Array.from({ length: 11 }, (_, s) => observation(s, h, [{ name: 'g', actualMiB: 1000, freeMiB: 600 }])),
  );
  assert.deepEqual(targetsMiB(ticks[10]?.actions ?? []), { g: 950 });
});

test('acts only every 10 s (first 10 s after start), whatever the observation rate', () => {
  // Observations every 0.5 s for 60 s; the guest follows each target; the host stays tight.
  let actual = 1000;
  const peer = createMomBalloonPeer();
  let state = peer.initial;
  const times: number[] = [];
  for (let i = 0; i <= 120; i++) {
    const d = peer.step(
      observation(i / 2, tight, [{ name: 'g', actualMiB: actual, freeMiB: actual - 400 }]),
      undefined,
      state,
    );
    state = d.state;
    for (const a of d.actions) {
      if (a.kind !== 'balloon') continue;
      times.push(i / 2);
      actual = a.targetBytes / MiB;
    }
  }
  assert.deepEqual(times, [10, 20, 30, 40, 50, 60]);
});
