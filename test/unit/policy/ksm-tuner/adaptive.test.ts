import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adaptiveTuner } from '../../../../src/policy/ksm-tuner/index.js';
import { KERNEL_DEFAULTS, simulate, writtenPages, type SimRecord, type SimScenario } from './ksm-sim.js';
import { MiB, guest, prng } from './trace.js';

/** Three 256 MiB guests (196,608 pages). */
const GUESTS = () => [guest('a', 256 * MiB), guest('b', 256 * MiB), guest('c', 256 * MiB)];
/** ksmd cost measured here: ~1 s of CPU per ~290k pages scanned, i.e. 3.4e-4 jiffies per page. */
const REAL_COST = 3.4e-4;
const CHEAP = 1e-6;

const scenario = (s: Partial<SimScenario>): SimScenario => ({
  guests: GUESTS,
  yieldAt: () => 0.05,
  ticksPerPage: () => CHEAP,
  ...s,
});

const actionsOf = (records: SimRecord[]) => records.flatMap((r) => r.actions.map((a) => ({ t: r.t, ...a })));

describe('adaptive: speed', () => {
  test('starts aggressive on new guest memory and ramps up while the yield is high', () => {
    const { records } = simulate(adaptiveTuner(), scenario({}), { seconds: 30 });
    const first = records[0]?.actions[0];
    assert.deepEqual(first?.set, { pages_to_scan: 1000, run: 1 });
    assert.match(
      first?.reason ?? '',
      /unscanned: new guest a, b, c; 768 MiB of guest memory, full scans 0\/2; no window yet/,
    );
    assert.deepEqual(writtenPages(records), [1000, 4000, 10_000]);
    assert.equal(records.at(-1)?.pagesToScan, 10_000);
  });

  test('goes idle once the yield stayed low for 3 decisions over full scans (all merged)', () => {
    const s = scenario({ yieldAt: (t) => (t < 20 ? 0.05 : 0) });
    const { records } = simulate(adaptiveTuner(), s, { seconds: 60 });
    assert.deepEqual(writtenPages(records), [1000, 4000, 10_000, 100]);
    const idle = actionsOf(records).find((a) => a.set.pages_to_scan === 100);
    assert.equal(idle?.t, 23);
    assert.match(idle?.reason ?? '', /yield < 0.002 3 times over full scans: idle/);
    assert.match(idle?.reason ?? '', /yield 0.0 \(0 merged \/ 500000 scanned\)/);
    assert.ok(records.filter((r) => r.t > 30).every((r) => r.actions.length === 0));
  });

  test('guest memory growth speeds scanning up again even before the yield shows it', () => {
    const guests = (t: number) => (t < 40 ? GUESTS() : [...GUESTS().slice(1), guest('a', 512 * MiB)]);
    const { records } = simulate(adaptiveTuner(), scenario({ guests, yieldAt: () => 0 }), { seconds: 90 });
    const boost = actionsOf(records).find((a) => a.t >= 40);
    assert.equal(boost?.t, 40);
    assert.equal(boost?.set.pages_to_scan, 1000);
    assert.match(boost?.reason ?? '', /guest memory grew 768 MiB -> 1\.00 GiB/);
    assert.equal(records.at(-1)?.pagesToScan, 100, 'and idles again once two full scans found nothing');
  });

  test('volatile pages turn a mid-band yield into a back-off; without them it holds', () => {
    const mid = scenario({ yieldAt: (t) => (t < 15 ? 0.05 : 0.005) });
    const held = simulate(adaptiveTuner(), mid, { seconds: 40 });
    assert.equal(held.records.at(-1)?.pagesToScan, 10_000);
    const churn = simulate(adaptiveTuner(), { ...mid, volatilePages: () => 5_000_000 }, { seconds: 40 });
    assert.equal(churn.records.at(-1)?.pagesToScan, 100);
    const firstBackOff = actionsOf(churn.records).find((a) => /back off/.test(a.reason));
    assert.match(firstBackOff?.reason ?? '', /volatile > 0.3 3 times: back off; .* volatile 9\d%/);
  });

  test('without a pages_scanned counter it estimates pages scanned from the settings', () => {
    const s = scenario({ yieldAt: (t) => (t < 20 ? 0.05 : 0), scannedCounter: false });
    const { records } = simulate(adaptiveTuner(), s, { seconds: 60 });
    assert.equal(records.at(-1)?.pagesToScan, 100);
    assert.match(actionsOf(records).at(-1)?.reason ?? '', /est\. scanned\)/);
  });
});

describe('adaptive: CPU cap', () => {
  test('a ramp stops at the cap: ksmd stays within 20 % (+ the 10 % deadband)', () => {
    const { records } = simulate(adaptiveTuner(), scenario({ ticksPerPage: () => REAL_COST }), { seconds: 60 });
    const pages = writtenPages(records);
    assert.equal(pages[0], 1000); // 1,000 / 20 ms costs 17 % here
    assert.ok(pages.length <= 3, `settles quickly: ${pages.join(', ')}`);
    for (const r of records.slice(2)) assert.ok(r.cpuPercent <= 22, `t=${r.t}: ${r.cpuPercent.toFixed(1)} %`);
    assert.ok((records.at(-1)?.pagesToScan ?? 0) > 1000, 'and uses the headroom under the cap');
  });

  test('over the cap it lowers pages_to_scan proportionally (5,000 at 85 % -> 1,176 for 20 %)', () => {
    const kernel = { ...KERNEL_DEFAULTS, run: 1, pagesToScan: 5000 };
    const { records } = simulate(adaptiveTuner(), scenario({ ticksPerPage: () => REAL_COST }), { seconds: 10, kernel });
    assert.deepEqual(records[0]?.actions, [], 'already fast and running: nothing to change before measuring');
    const cut = records[1]?.actions[0];
    assert.equal(cut?.set.pages_to_scan, 1176);
    assert.match(cut?.reason ?? '', /ksmd CPU 85\.0% \(cap 20%\)/);
    assert.match(cut?.reason ?? '', /held to 1176 by the CPU cap/);
  });

  test('a lower cap gives a lower rate', () => {
    const tuner = adaptiveTuner({ maxCpuPercent: 5 });
    const { records } = simulate(tuner, scenario({ ticksPerPage: () => REAL_COST }), { seconds: 30 });
    assert.ok(records.slice(3).every((r) => r.cpuPercent <= 5.5));
  });
});

describe('adaptive: when to act', () => {
  test('no guest memory and KSM off: never an action', () => {
    const { records } = simulate(adaptiveTuner(), scenario({ guests: () => [] }), { seconds: 30 });
    assert.equal(actionsOf(records).length, 0);
  });

  test('steady idle: no action once settled', () => {
    const { records } = simulate(adaptiveTuner(), scenario({ yieldAt: () => 0 }), { seconds: 120 });
    assert.ok(actionsOf(records).length > 0);
    assert.deepEqual(
      actionsOf(records).filter((a) => a.t > 30),
      [],
    );
  });

  test('decides at most once per decideEverySeconds', () => {
    const s = scenario({ yieldAt: (t) => (t < 10 ? 0.05 : 0) });
    const { records } = simulate(adaptiveTuner({ decideEverySeconds: 2 }), s, { seconds: 40, stepMs: 250 });
    const times = actionsOf(records).map((a) => a.t);
    assert.ok(times.length > 3);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 2, times.join(', '));
  });

  test('guests gone: run=0 (never 2: merged pages are kept); back: run=1 and fast again', () => {
    const guests = (t: number) => (t >= 10 && t < 20 ? [] : GUESTS());
    const { records } = simulate(adaptiveTuner(), scenario({ guests }), { seconds: 30 });
    const acts = actionsOf(records);
    assert.ok(acts.every((a) => a.set.run !== 2));
    const stop = acts.find((a) => a.set.run === 0);
    assert.equal(stop?.t, 10);
    assert.deepEqual(stop?.set, { run: 0 });
    assert.match(stop?.reason ?? '', /no guest memory/);
    const restart = acts.find((a) => a.t >= 20);
    assert.equal(restart?.set.run, 1);
    assert.match(restart?.reason ?? '', /new guest a, b, c/);
  });

  test('the kernel advisor is switched off and smart_scan ensured once', () => {
    const kernel = { ...KERNEL_DEFAULTS, advisorMode: 'scan-time', pagesToScan: 100 };
    const { records } = simulate(adaptiveTuner(), scenario({}), { seconds: 20, kernel });
    const first = records[0]?.actions[0];
    assert.deepEqual(first?.set, { advisor_mode: 'none', pages_to_scan: 1000, run: 1, smart_scan: 1 });
    assert.match(first?.reason ?? '', /advisor_mode scan-time -> none/);
    assert.equal(actionsOf(records).filter((a) => a.set.smart_scan !== undefined).length, 1);
    assert.equal(actionsOf(records).filter((a) => a.set.advisor_mode !== undefined).length, 1);
  });

  test('no flapping: noise inside the hysteresis band (yield and CPU) never moves the rate', () => {
    const rnd = prng(7);
    const noisy = scenario({
      yieldAt: (t) => (t < 10 ? 0.05 : 0.003 + rnd() * 0.006), // between yieldLow and yieldHigh
      ticksPerPage: () => REAL_COST * (0.9 + 0.2 * rnd()),
    });
    const { records } = simulate(adaptiveTuner(), noisy, { seconds: 300 });
    assert.deepEqual(
      actionsOf(records).filter((a) => a.t > 10),
      [],
    );
  });

  test('no flapping: a yield crossing both thresholds at random changes the rate rarely', () => {
    const rnd = prng(42);
    const noisy = scenario({
      yieldAt: () => rnd() * 0.016, // 12.5 % of windows below yieldLow, 37.5 % above yieldHigh, independent
      ticksPerPage: () => REAL_COST * (0.9 + 0.2 * rnd()),
    });
    const { records } = simulate(adaptiveTuner(), noisy, { seconds: 300 });
    const later = actionsOf(records).filter((a) => a.t > 5);
    // Only a run of 3 low windows (p = 0.2 % per decision) backs off, and the next high window speeds up again.
    assert.ok(later.length <= 6, `${later.length} changes in 295 decisions`);
    for (const r of records.slice(3)) assert.ok(r.cpuPercent <= 25, `t=${r.t}: ${r.cpuPercent.toFixed(1)} %`);
  });
});
