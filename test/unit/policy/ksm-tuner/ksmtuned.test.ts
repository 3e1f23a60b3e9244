import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KsmAction } from '../../../../src/policy/actions.js';
import {
  KSMTUNED_DEFAULTS,
  KSMTUNED_INITIAL,
  PROXMOX_KSMTUNED,
  committedKb,
  ksmtunedConstants,
  ksmtunedStep,
  type KsmtunedConfig,
  type KsmtunedState,
} from '../../../../src/policy/ksm-tuner/ksmtuned.js';
import { GiB, KiB, MiB, guest, observation, type ObsOptions } from './trace.js';

const C: KsmtunedConfig = { ...KSMTUNED_DEFAULTS };
const T0 = 1_000_000;
const MINUTE = 60_000;

// An 8 GiB host: total 8388608 kB, sleep = 10*16777216/8388608 = 20 ms, thres = 8388608*20/100 = 1677721 kB.
const THRES_KB = 1677721;
/** Three 3 GiB guests: committed + thres > total, so ksmtuned keeps KSM running. */
const BUSY = [guest('a', 3 * GiB), guest('b', 3 * GiB), guest('c', 3 * GiB)];
const LOW_FREE = 1 * GiB; // < thres: boost
const HIGH_FREE = 2 * GiB; // > thres: decay

/** Runs ksmtuned over one observation per minute (after the start one) and returns each minute's action. */
function run(minutes: ObsOptions[], config: KsmtunedConfig = C): { actions: KsmAction[]; state: KsmtunedState } {
  let state = ksmtunedStep(observation(T0, minutes[0]), KSMTUNED_INITIAL, config).state;
  const actions: KsmAction[] = [];
  minutes.forEach((o, i) => {
    const d = ksmtunedStep(observation(T0 + (i + 1) * MINUTE, o), state, config);
    assert.equal(d.actions.length, 1, `one action per adjust (minute ${i + 1})`);
    const a = d.actions[0];
    assert.ok(a && a.kind === 'ksm');
    actions.push(a);
    state = d.state;
  });
  return { actions, state };
}

const pages = (actions: KsmAction[]) => actions.map((a) => a.set.pages_to_scan);

describe('ksmtuned constants (bash integer arithmetic)', () => {
  test('8 GiB: sleep 20 ms, thres 20 % truncated', () => {
    assert.deepEqual(ksmtunedConstants(8 * GiB, C), { totalKb: 8388608, sleepMs: 20, thresKb: THRES_KB });
  });
  test('24 GiB: 167772160 / 25165824 = 6 -> floored to 10 ms; thres 5033164', () => {
    assert.deepEqual(ksmtunedConstants(24 * GiB, C), { totalKb: 25165824, sleepMs: 10, thresKb: 5033164 });
  });
  test('a MemTotal that is not a power of two truncates: 3,000,000 kB -> 55 ms, thres 600000', () => {
    assert.deepEqual(ksmtunedConstants(3_000_000 * KiB, C), { totalKb: 3_000_000, sleepMs: 55, thresKb: 600_000 });
  });
  test('thres never below KSM_THRES_CONST (2048 kB)', () => {
    assert.equal(ksmtunedConstants(8 * MiB, C).thresKb, 2048);
  });
  test('Proxmox variant: KSM_SLEEP_MSEC=100 -> 200 ms on 8 GiB', () => {
    assert.equal(ksmtunedConstants(8 * GiB, { ...C, ...PROXMOX_KSMTUNED }).sleepMs, 200);
  });
});

describe('ksmtuned timing', () => {
  test('sleeps a full interval before its first adjust, then adjusts once per interval', () => {
    let state = KSMTUNED_INITIAL;
    const adjustedAt: number[] = [];
    for (let t = T0; t <= T0 + 200_000; t += 7_000) {
      const d = ksmtunedStep(observation(t, { memFreeBytes: LOW_FREE, guests: BUSY }), state, C);
      if (d.actions.length > 0) adjustedAt.push((t - T0) / 1000);
      state = d.state;
    }
    // Observations every 7 s: the first at or after 60 s since the last adjust.
    assert.deepEqual(adjustedAt, [63, 126, 189]);
  });
});

describe('ksmtuned rule', () => {
  test('free below thres for 5 intervals, then above: boost to the max, then decay', () => {
    const trace = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ memFreeBytes: i <= 5 ? LOW_FREE : HIGH_FREE, guests: BUSY }));
    const { actions, state } = run(trace);
    assert.deepEqual(pages(actions), [300, 600, 900, 1200, 1250, 1200, 1150, 1100]);
    for (const a of actions) assert.deepEqual(Object.keys(a.set).sort(), ['pages_to_scan', 'run', 'sleep_millisecs']);
    assert.ok(actions.every((a) => a.set.run === 1 && a.set.sleep_millisecs === 20));
    assert.equal(state.npages, 1100);
    assert.match(actions[0]?.reason ?? '', /free 1048576 kB < thres, boost 300: pages_to_scan 0 -> 300/);
  });

  test('decay from the start clamps at KSM_NPAGES_MIN (0 - 50 -> 64, 64 - 50 -> 64)', () => {
    const { actions } = run([1, 2, 3].map(() => ({ memFreeBytes: HIGH_FREE, guests: BUSY })));
    assert.deepEqual(pages(actions), [64, 64, 64]);
  });

  test('stop writes run=0 every interval and keeps npages; the next start continues from it', () => {
    const idle = { memFreeBytes: 6 * GiB, guests: [guest('a', 1 * GiB)] }; // 1 GiB + thres < 8 GiB, free > thres
    const trace = [
      { memFreeBytes: LOW_FREE, guests: BUSY },
      { memFreeBytes: LOW_FREE, guests: BUSY },
      idle,
      idle,
      { memFreeBytes: HIGH_FREE, guests: BUSY },
    ];
    const { actions } = run(trace);
    assert.deepEqual(
      actions.map((a) => a.set),
      [
        { pages_to_scan: 300, sleep_millisecs: 20, run: 1 },
        { pages_to_scan: 600, sleep_millisecs: 20, run: 1 },
        { run: 0 },
        { run: 0 },
        { pages_to_scan: 550, sleep_millisecs: 20, run: 1 },
      ],
    );
    assert.match(actions[2]?.reason ?? '', /committed 1048576 kB .* \+ thres 1677721 kB < total 8388608 kB/);
  });

  test('low free memory alone keeps KSM on even when little is committed', () => {
    const { actions } = run([{ memFreeBytes: LOW_FREE, guests: [guest('a', 1 * GiB)] }]);
    assert.deepEqual(actions[0]?.set, { pages_to_scan: 300, sleep_millisecs: 20, run: 1 });
  });

  test('boundaries as bash compares them: free == thres decays; committed + thres == total starts', () => {
    const exact = (THRES_KB + 1) * KiB; // free just above thres: only committed decides
    const atThres = { memFreeBytes: THRES_KB * KiB, guests: BUSY };
    assert.deepEqual(pages(run([atThres]).actions), [64]);
    const committedKbToFill = 8388608 - THRES_KB; // committed + thres == total: not < total
    const fill = { memFreeBytes: exact, guests: [guest('a', committedKbToFill * KiB)] };
    assert.deepEqual(run([fill]).actions[0]?.set, { pages_to_scan: 64, sleep_millisecs: 20, run: 1 });
    const oneLess = { memFreeBytes: exact, guests: [guest('a', (committedKbToFill - 1) * KiB)] };
    assert.deepEqual(run([oneLess]).actions[0]?.set, { run: 0 });
  });

  test('free = MemFree + Cached', () => {
    const split = { memFreeBytes: 1 * GiB, cachedBytes: 1 * GiB, guests: BUSY }; // 2 GiB > thres: decay
    assert.deepEqual(pages(run([split]).actions), [64]);
  });
});

describe('ksmtuned committed memory', () => {
  test('sums alive guests only, RSS floored to kB', () => {
    const o = observation(T0, {
      guests: [guest('a', 1 * MiB + 1023), guest('b', 2 * MiB), guest('dead', 4 * MiB, { alive: false })],
    });
    assert.equal(committedKb(o, 'rss'), 3 * 1024);
  });

  test('the Proxmox variant sums PSS: shared pages count once, so KSM can stop where RSS keeps it on', () => {
    const shared = [1, 2, 3].map((i) => guest(`g${i}`, 3 * GiB, { pssBytes: 1 * GiB }));
    const o = { memFreeBytes: 6 * GiB, guests: shared };
    assert.deepEqual(run([o]).actions[0]?.set, { pages_to_scan: 64, sleep_millisecs: 20, run: 1 });
    const pss = { ...C, committedMetric: 'pss' as const };
    assert.deepEqual(run([o], pss).actions[0]?.set, { run: 0 });
    assert.match(run([o], pss).actions[0]?.reason ?? '', /guest PSS/);
  });
});
