import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProxmoxBalloonPeer } from '../../../../src/policy/peers/proxmox-balloon.js';
import { type GuestSpec, type HostSpec, MiB, observation, run, targetsMiB } from '../trace.js';

// Host 5000 MiB: the 80 % target is 4000 MiB used. Guests 1000 MiB, minimum max(128, 25 %) = 256 MiB.
const used = (mib: number): HostSpec => ({ totalMiB: 5000, availableMiB: 5000 - mib });
const spare = (name: string, actualMiB = 1000): GuestSpec => ({ name, actualMiB, freeMiB: 500 });
const squeezed = (name: string, actualMiB: number): GuestSpec => ({ name, actualMiB, freeMiB: 10 });

/** The decision at t = 10 s (pvestatd's first run) for one host and guest picture. */
function firstRun(h: HostSpec, guests: GuestSpec[], cfg = {}) {
  const ticks = run(
    createProxmoxBalloonPeer(cfg),
    Array.from({ length: 11 }, (_, s) => observation(s, h, guests)),
  );
  assert.ok(ticks.slice(0, 10).every((t) => t.actions.length === 0));
  return ticks[10]?.actions ?? [];
}

test('reproduces a hand-computed shrink sequence, 100 MiB per VM per run', () => {
  // Run 1: used 4400 -> goal -400 MiB. Both VMs have freemem 500 > 25 % of 256: shrink them first.
  // alloc_old = 2 x (1000 - 256) = 1488, alloc_new = 1088; desired = 256 + 1088 / 2000 x 1000 = 800;
  // the move is capped at 100 MiB -> 900 each; rest -200; the next pass changes nothing, so it stops.
  const a1 = firstRun(used(4400), [spare('a'), spare('b')]);
  assert.deepEqual(targetsMiB(a1), { a: 900, b: 900 });
  assert.match(a1[0]?.reason ?? '', /Proxmox shrink: goal -400 MiB = 80% of 4.88 GiB - used 4.30 GiB/);
  // Run 2: the balloons reached 900, used fell to 4200 -> goal -200: alloc_old 1288, alloc_new 1088 -> desired 800.
  assert.deepEqual(targetsMiB(firstRun(used(4200), [spare('a', 900), spare('b', 900)])), { a: 800, b: 800 });
  // Run 3: at the target (goal 0) nothing moves; within 10 MiB neither.
  assert.deepEqual(firstRun(used(4000), [spare('a', 800), spare('b', 800)]), []);
  assert.deepEqual(firstRun(used(4009), [spare('a', 800), spare('b', 800)]), []);
});

test('grows VMs under pressure first, capped at their memory and 100 MiB per run', () => {
  // used 3500 -> goal +500; both squeezed (freemem 10 < 64): alloc_old 2 x 544 = 1088, alloc_new 1588;
  // desired 256 + 794 = 1050 -> capped at 1000; +100 MiB each -> 900.
  assert.deepEqual(targetsMiB(firstRun(used(3500), [squeezed('a', 800), squeezed('b', 800)])), { a: 900, b: 900 });
  // Only b is squeezed: it alone grows (a is not under pressure, and b made progress).
  assert.deepEqual(targetsMiB(firstRun(used(3500), [spare('a', 800), squeezed('b', 800)])), { b: 900 });
});

test('weights VMs by shares and skips VMs with shares 0 or no balloon driver', () => {
  // goal -400, a has 3000 shares, b 1000: alloc_new 1088 -> a desired 256 + 816 = 1072 -> 1000 (no change),
  // b desired 256 + 272 = 528 -> 900 (capped step); rest -300. Next pass, b alone: alloc_new 644 - 300 = 344,
  // desired 600, still 900 from its balloon of 1000: no change, stop.
  assert.deepEqual(targetsMiB(firstRun(used(4400), [spare('a'), spare('b')], { shares: { a: 3000 } })), { b: 900 });
  assert.deepEqual(targetsMiB(firstRun(used(4400), [spare('a'), spare('b')], { shares: { a: 0 } })), { b: 900 });
  const noDriver: GuestSpec = { name: 'a', freeMiB: 500 };
  const g = observation(0, used(4400), [noDriver]).guests[0];
  assert.ok(g);
  delete g.balloonActualBytes;
  const peer = createProxmoxBalloonPeer();
  const obs = (t: number) => ({ ...observation(t, used(4400), []), guests: [g] });
  assert.deepEqual(run(peer, [obs(0), obs(10)])[1]?.actions, []);
});

test('a budget cgroup is the host: MemTotal = its limit, used = its usage', () => {
  const h: HostSpec = { totalMiB: 64000, availableMiB: 60000, budget: { limitMiB: 2500, usageMiB: 2300 } };
  // goal = 0.8 x 2500 - 2300 = -300 -> shrink both by the 100 MiB step.
  assert.deepEqual(targetsMiB(firstRun(h, [spare('a'), spare('b')])), { a: 900, b: 900 });
});

test('acts only every 10 s, the first time 10 s after start', () => {
  const peer = createProxmoxBalloonPeer();
  let state = peer.initial;
  let actual = 1000;
  const times: number[] = [];
  for (let i = 0; i <= 100; i++) {
    // Observations every 0.7 s; the host stays 400 MiB over its target; the VM follows.
    const t = i * 0.7;
    const d = peer.step(observation(t, used(4400), [spare('a', actual)]), undefined, state);
    state = d.state;
    for (const a of d.actions) {
      if (a.kind !== 'balloon') continue;
      times.push(Math.round(t * 10) / 10);
      actual = a.targetBytes / MiB;
    }
  }
  // Due at 10, 20, ... and taken by the first observation at or after it.
  assert.deepEqual(times, [10.5, 20.3, 30.1, 40.6, 50.4, 60.2, 70]);
  // The goal never shrinks (used stays put), so the VM walks down 100 MiB per run: 1000 -> 300.
  assert.equal(actual, 300);
});
