import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BalloonState, createBalloonController } from '../../../src/policy/balloon.js';
import { type GuestSpec, type HostSpec, MiB, observation, run, targetsMiB } from './trace.js';

// Guests of 1000 MiB: floor max(128, 250) = 250 MiB, reserve max(64, 100) = 100 MiB, step min(100, 256) = 100 MiB,
// release step 50 MiB, dead band max(10, 4) = 10 MiB. Host of 4000 MiB: low 400, high 800, goal (midpoint) 600 MiB.
const host = (availableMiB: number, extra: Partial<HostSpec> = {}): HostSpec => ({
  totalMiB: 4000,
  availableMiB,
  ...extra,
});
const at = (targets: Record<string, number>): BalloonState => ({
  mode: 'hold',
  guests: Object.fromEntries(
    Object.entries(targets).map(([n, mib]) => [n, { targetBytes: mib * MiB, cooldownUntil: 0 }]),
  ),
});

test('inflates idle guests, largest idle first, when headroom falls below the low watermark', () => {
  const c = createBalloonController();
  const guests: GuestSpec[] = [
    { name: 'b', availableMiB: 250 }, // idle 150 -> half is 75
    { name: 'a', availableMiB: 700 }, // idle 600 -> half is 300, capped by the 100 MiB step
    { name: 'nostats' },
    { name: 'dead', availableMiB: 900, alive: false },
  ];
  const [t] = run(c, [observation(0, host(300), guests)]);
  assert.ok(t);
  assert.deepEqual(targetsMiB(t.actions), { a: 900, b: 925 });
  assert.equal(t.state.mode, 'reclaim');
  assert.deepEqual(Object.keys(t.state.guests).sort(), ['a', 'b', 'nostats']);
  const a = t.actions.find((x) => x.kind === 'balloon' && x.guest === 'a');
  assert.match(a?.reason ?? '', /inflate 1000 MiB -> 900 MiB: host headroom 300 MiB .* low 400 MiB.*idle 600 MiB/);
});

test('takes only what the host needs, counting inflations still under way', () => {
  const c = createBalloonController();
  // headroom 390 -> need 210 to reach 600: largest idle first, a (600) and c (300) give a 100 MiB step each,
  // b (150) only the last 10.
  const guests: GuestSpec[] = [
    { name: 'a', availableMiB: 700 },
    { name: 'b', availableMiB: 250 },
    { name: 'c', availableMiB: 400 },
  ];
  const [t1] = run(c, [observation(0, host(390), guests)]);
  assert.deepEqual(targetsMiB(t1?.actions ?? []), { a: 900, c: 900, b: 990 });
  // Next tick, nothing has moved yet (actual still 1000): the 210 MiB on the way cover the need; nothing more.
  const [t2] = run(c, [observation(1, host(390), guests)], t1?.state);
  assert.deepEqual(t2?.actions, []);
});

test('never goes below the floor, however long the host needs memory', () => {
  const c = createBalloonController();
  // The balloon follows each target; the guest keeps claiming plenty of available memory.
  let state = c.initial;
  const targets: number[] = [];
  for (let s = 0; s < 40; s++) {
    const actualMiB = (state.guests.g?.targetBytes ?? 1000 * MiB) / MiB;
    const [t] = run(c, [observation(s, host(100), [{ name: 'g', availableMiB: 950, actualMiB }])], state);
    for (const a of t?.actions ?? []) if (a.kind === 'balloon') targets.push(a.targetBytes / MiB);
    state = t?.state ?? state;
  }
  assert.ok(targets.length > 0);
  for (const x of targets) assert.ok(x >= 250, `target ${x} MiB below the floor`);
  assert.equal(state.guests.g?.targetBytes, 250 * MiB);
});

test('deflates a paging guest to full memory within one tick, and leaves it alone afterwards', () => {
  const c = createBalloonController();
  const state = at({ g: 500 });
  const calm: GuestSpec = { name: 'g', actualMiB: 500, availableMiB: 300, majorFaults: 1000 };
  const faulting: GuestSpec = { ...calm, majorFaults: 1000 + 5000 };
  const ticks = run(c, [observation(0, host(300), [calm]), observation(1, host(300), [faulting])], state);
  assert.equal(ticks[0]?.actions.length, 1, 'first tick: the host needs memory, the guest has idle memory');
  assert.deepEqual(targetsMiB(ticks[1]?.actions ?? []), { g: 1000 });
  assert.match((ticks[1]?.actions[0] as { reason: string }).reason, /major faults 5000\/s >= 200\/s/);
  // Host still short, guest calm again: no re-inflation during the cooldown.
  const later = run(
    c,
    [observation(2, host(300), [{ ...faulting, actualMiB: 1000, availableMiB: 800 }])],
    ticks[1]?.state,
  );
  assert.deepEqual(later[0]?.actions, []);
  const after = run(
    c,
    [observation(70, host(300), [{ ...faulting, actualMiB: 1000, availableMiB: 800 }])],
    ticks[1]?.state,
  );
  assert.deepEqual(targetsMiB(after[0]?.actions ?? []), { g: 900 });
});

test('a guest reporting every 2 s at a 1 s tick: its fault rate is taken over its reports, not the ticks', () => {
  // 150 faults/s (threshold 200): every other tick carries a new report with 300 more faults.
  const c = createBalloonController();
  const g = (faults: number, statsAt: number): GuestSpec => ({
    name: 'g',
    actualMiB: 500,
    availableMiB: 300,
    majorFaults: faults,
    statsAt,
  });
  const obs = [0, 1, 2, 3, 4, 5].map((t) =>
    observation(t, host(600), [g(1000 + 300 * Math.floor(t / 2), t - (t % 2))]),
  );
  const ticks = run(c, obs, at({ g: 500 }));
  assert.deepEqual(
    ticks.flatMap((t) => t.actions),
    [],
    'no pressure deflate: 300 faults / 2 s is under the threshold (over 1 s it read as 300/s)',
  );
  // A real burst: 1000 faults between the reports at 4 s and 6 s.
  const burst = run(c, [obs[5]!, observation(6, host(600), [g(1600 + 1000, 6)])], ticks[4]?.state);
  assert.match((burst[1]?.actions[0] as { reason: string }).reason, /major faults 500\/s >= 200\/s/);
});

test('a guest that misses a tick keeps its pressure cooldown: it is not inflated early when it is back', () => {
  const c = createBalloonController();
  const calm: GuestSpec = { name: 'g', actualMiB: 500, availableMiB: 300, majorFaults: 1000 };
  const faulting: GuestSpec = { ...calm, majorFaults: 1000 + 5000 };
  const other: GuestSpec = { name: 'o', actualMiB: 1000, availableMiB: 100 }; // no idle memory
  const ticks = run(
    c,
    [observation(0, host(300), [calm, other]), observation(1, host(300), [faulting, other])],
    at({ g: 500, o: 1000 }),
  );
  assert.deepEqual(targetsMiB(ticks[1]?.actions ?? []), { g: 1000 });
  // Tick 2: g did not answer in time. Tick 3: back, calm, with plenty idle, and the host still short.
  const back: GuestSpec = { ...faulting, actualMiB: 1000, availableMiB: 800 };
  const [missed, returned] = run(
    c,
    [observation(2, host(300), [other]), observation(3, host(300), [back, other])],
    ticks[1]?.state,
  );
  assert.equal(missed?.state.cooling?.g, 1000 + 60_000);
  for (const a of returned?.actions ?? [])
    assert.notEqual(a.kind === 'balloon' && a.guest, 'g', 'g inflated in its cooldown');
  assert.equal(returned?.state.cooling, undefined, 'back in guests: no longer kept apart');
  assert.equal(returned?.state.guests.g?.cooldownUntil, 1000 + 60_000);
  // A guest that is reported dead is forgotten, cooldown and all.
  const [dead] = run(c, [observation(4, host(300), [{ ...back, alive: false }, other])], missed?.state);
  assert.equal(dead?.state.cooling, undefined);
});

test('deflates on guest swap-in and in-guest PSI too, even with no available-memory statistic', () => {
  const c = createBalloonController();
  const a: GuestSpec = { name: 's', actualMiB: 400, swapInBytes: 0, majorFaults: 0 };
  const b: GuestSpec = { ...a, swapInBytes: 2 * MiB };
  const [, t] = run(c, [observation(0, host(3000), [a]), observation(1, host(3000), [b])], at({ s: 400 }));
  assert.deepEqual(targetsMiB(t?.actions ?? []), { s: 1000 });
  const [p] = run(c, [observation(0, host(600), [{ name: 'p', actualMiB: 400, inGuestPsi: 12 }])], at({ p: 400 }));
  assert.deepEqual(targetsMiB(p?.actions ?? []), { p: 1000 });
});

test('a guest low on available memory gets at least a full step back at once', () => {
  const c = createBalloonController();
  // available 60 < reserve 100: up by max(step 100, 2 x 40) = 100 MiB, even while the host is short.
  const [t] = run(c, [observation(0, host(300), [{ name: 'g', actualMiB: 500, availableMiB: 60 }])], at({ g: 500 }));
  assert.deepEqual(targetsMiB(t?.actions ?? []), { g: 600 });
  assert.match((t?.actions[0] as { reason: string }).reason, /available 60.0 MiB < reserve 100 MiB/);
});

test('deflates back slowly when the host has headroom above the high watermark, never below it', () => {
  const c = createBalloonController();
  const [t] = run(c, [observation(0, host(2000), [{ name: 'g', actualMiB: 600, availableMiB: 300 }])], at({ g: 600 }));
  assert.deepEqual(targetsMiB(t?.actions ?? []), { g: 650 });
  assert.equal(t?.state.mode, 'release');
  // Only 30 MiB above the high mark: give 30, not the full 50 MiB step.
  const [u] = run(c, [observation(0, host(830), [{ name: 'g', actualMiB: 600, availableMiB: 300 }])], at({ g: 600 }));
  assert.deepEqual(targetsMiB(u?.actions ?? []), { g: 630 });
  // Over time (the guest following its target), it reaches full memory.
  let state = at({ g: 600 });
  for (let s = 0; s < 20; s++) {
    const actual = (state.guests.g?.targetBytes ?? 0) / MiB;
    const [x] = run(c, [observation(s, host(2000), [{ name: 'g', actualMiB: actual, availableMiB: 300 }])], state);
    state = x?.state ?? state;
  }
  assert.equal(state.guests.g?.targetBytes, 1000 * MiB);
});

test('does nothing inside its dead band', () => {
  const c = createBalloonController();
  // Idle memory 16 MiB -> half is 8 MiB < the 10 MiB dead band.
  const [t] = run(c, [observation(0, host(300), [{ name: 'g', availableMiB: 116 }])]);
  assert.deepEqual(t?.actions, []);
  // 6 MiB above the high mark: a 6 MiB give-back is below the dead band.
  const [u] = run(c, [observation(0, host(806), [{ name: 'g', actualMiB: 600, availableMiB: 300 }])], at({ g: 600 }));
  assert.deepEqual(u?.actions, []);
  // ... but the last small step that lands exactly on full memory is made.
  const [v] = run(c, [observation(0, host(2000), [{ name: 'g', actualMiB: 995, availableMiB: 300 }])], at({ g: 995 }));
  assert.deepEqual(targetsMiB(v?.actions ?? []), { g: 1000 });
});

test('hysteresis: between the watermarks nothing moves; once reclaiming, it continues up to the midpoint', () => {
  const c = createBalloonController();
  const g: GuestSpec = { name: 'g', actualMiB: 700, availableMiB: 500 };
  // Headroom wandering between low (400) and high (800) from hold: no action at all.
  const wander = [450, 790, 420, 760, 500, 700].map((h, s) => observation(s, host(h), [g]));
  assert.deepEqual(
    run(c, wander, at({ g: 700 })).flatMap((t) => t.actions),
    [],
  );
  // From reclaim, 500 (< goal 600) keeps reclaiming; 650 ends it.
  const reclaiming: BalloonState = { ...at({ g: 700 }), mode: 'reclaim' };
  const [r] = run(c, [observation(0, host(500), [g])], reclaiming);
  assert.equal(r?.state.mode, 'reclaim');
  assert.deepEqual(targetsMiB(r?.actions ?? []), { g: 600 });
  const [h] = run(c, [observation(0, host(650), [g])], reclaiming);
  assert.equal(h?.state.mode, 'hold');
  assert.deepEqual(h?.actions, []);
});

test('host stall or swap-in makes the host reclaim even with headroom above the low watermark', () => {
  const c = createBalloonController();
  const g: GuestSpec = { name: 'g', availableMiB: 700 };
  const [t] = run(c, [observation(0, host(700, { psiSome: 20 }), [g])]);
  assert.equal(t?.state.mode, 'reclaim');
  assert.deepEqual(targetsMiB(t?.actions ?? []), { g: 920 }); // 2 % of 4000 MiB = 80 MiB
  const ticks = run(c, [
    observation(0, host(700, { pswpin: 0 }), [g]),
    observation(1, host(700, { pswpin: 1000 }), [g]),
  ]);
  assert.match((ticks[1]?.actions[0] as { reason: string }).reason, /host swap-in 1000 pages\/s >= 256/);
});

test('starts from the balloon actual size, forgets stopped guests, and honours a budget cgroup as the host', () => {
  const c = createBalloonController();
  // Budget 2000 MiB, usage 1900: headroom 100 < low 200 -> reclaim, even though MemAvailable is huge.
  const h = host(3500, { budget: { limitMiB: 2000, usageMiB: 1900 } });
  const [t] = run(c, [observation(0, h, [{ name: 'g', actualMiB: 800, availableMiB: 700 }])]);
  assert.deepEqual(targetsMiB(t?.actions ?? []), { g: 700 });
  const [u] = run(c, [observation(1, h, [{ name: 'g', alive: false }])], t?.state);
  assert.deepEqual(u?.state.guests, {});
});

test('rejects watermarks that cannot work', () => {
  assert.throws(() => createBalloonController({ lowWatermark: 0.3, highWatermark: 0.2 }), RangeError);
});
