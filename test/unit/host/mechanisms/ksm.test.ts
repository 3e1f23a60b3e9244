import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  KSM_OBSERVED_FILES,
  ksmDir,
  ksmWritePlan,
  parseKsm,
  parseProcessKsmStat,
  type KsmSettings,
} from '../../../../src/host/mechanisms/ksm.js';
import { readDirFiles } from '../../../../src/host/fsio.js';
import { planPreset } from '../../../../src/host/presets.js';
import { UKSM_DEFAULTS, uksmUpstreamSettings } from '../../../../src/host/mechanisms/uksm.js';
import { fixture, fixtureDir, fixturePath } from '../../fixtures.js';

const ksm618 = await fixtureDir('6.18', 'ksm');
const ksm61 = await fixtureDir('6.1', 'ksm');

describe('parseKsm', () => {
  test('6.18 capture during a real merge: every setting, every counter, advisor modes', () => {
    const k = parseKsm(ksm618);
    assert.equal(k.present, true);
    assert.deepEqual(k.settings, {
      run: 1,
      pages_to_scan: 1000,
      sleep_millisecs: 20,
      max_page_sharing: 256,
      merge_across_nodes: 1,
      use_zero_pages: 0,
      smart_scan: 1,
      advisor_mode: 'none',
      advisor_target_scan_time: 200,
      advisor_max_cpu: 70,
      advisor_min_pages_to_scan: 500,
      advisor_max_pages_to_scan: 30000,
      stable_node_chains_prune_millisecs: 2000,
    });
    assert.deepEqual(k.stats, {
      full_scans: 14,
      pages_scanned: 238376,
      pages_shared: 64,
      pages_sharing: 16320,
      pages_unshared: 0,
      pages_volatile: 0,
      pages_skipped: 0,
      ksm_zero_pages: 0,
      general_profit: 65798144,
      stable_node_chains: 1,
      stable_node_dups: 64,
    });
    assert.deepEqual(k.advisorModes, ['none', 'scan-time']);
  });

  test('6.18 derived figures: 16320 pages sharing onto 64 -> ratio 255, 16320 x 4 KiB saved', () => {
    const k = parseKsm(ksm618);
    assert.equal(k.derived.sharingRatio, 255);
    assert.equal(k.derived.savedBytes, 16320 * 4096);
    assert.equal(k.derived.savedBytes, 66846720);
  });

  test('6.1 (hand-made): no advisor, smart_scan or 6.x counters, and no advisorModes key', () => {
    const k = parseKsm(ksm61);
    assert.equal(k.present, true);
    assert.deepEqual(k.settings, {
      run: 1,
      pages_to_scan: 100,
      sleep_millisecs: 20,
      max_page_sharing: 256,
      merge_across_nodes: 1,
      use_zero_pages: 0,
      stable_node_chains_prune_millisecs: 2000,
    });
    assert.deepEqual(k.stats, {
      full_scans: 3,
      pages_shared: 120,
      pages_sharing: 3000,
      pages_unshared: 500,
      pages_volatile: 12,
      stable_node_chains: 0,
      stable_node_dups: 0,
    });
    assert.equal('advisorModes' in k, false);
    assert.equal(k.derived.sharingRatio, 25);
    assert.equal(k.derived.savedBytes, 3000 * 4096);
  });

  test('ksm_zero_pages count as saved, and the page size is a parameter', () => {
    const k = parseKsm({ ...ksm618, ksm_zero_pages: '100\n' });
    assert.equal(k.derived.savedBytes, (16320 + 100) * 4096);
    assert.equal(parseKsm(ksm618, 16384).derived.savedBytes, 16320 * 16384);
  });

  test('nothing shared: ratio 0, not NaN or Infinity', () => {
    const k = parseKsm({ ...ksm618, pages_shared: '0\n', pages_sharing: '0\n' });
    assert.equal(k.derived.sharingRatio, 0);
    assert.equal(k.derived.savedBytes, 0);
  });

  test('a negative general_profit (rmap_items cost more than merging saved) is kept negative', () => {
    assert.equal(parseKsm({ ...ksm618, general_profit: '-1048576\n' }).stats.general_profit, -1048576);
  });

  test('absent KSM (no directory, or no run file) -> present:false with zero figures', () => {
    const absent = { present: false, settings: {}, stats: {}, derived: { savedBytes: 0, sharingRatio: 0 } };
    assert.deepEqual(parseKsm(undefined), absent);
    assert.deepEqual(parseKsm({}), absent);
    assert.deepEqual(parseKsm({ pages_shared: '64\n', pages_sharing: '16320\n' }), absent);
  });

  test('a file that is not a number is left out instead of becoming NaN', () => {
    const k = parseKsm({ ...ksm618, pages_to_scan: 'garbage\n', full_scans: '\n' });
    assert.equal('pages_to_scan' in k.settings, false);
    assert.equal('full_scans' in k.stats, false);
    assert.equal(k.settings.sleep_millisecs, 20);
  });

  test('advisor_mode with scan-time selected', () => {
    const k = parseKsm({ ...ksm618, advisor_mode: 'none [scan-time]\n' });
    assert.equal(k.settings.advisor_mode, 'scan-time');
    assert.deepEqual(k.advisorModes, ['none', 'scan-time']);
  });

  test('ksmDir is under the sys root of the given paths', () => {
    assert.equal(ksmDir({ sys: '/x/sys', proc: '/x/proc', dev: '/x/dev', cgroupFs: '/x/cg' }), '/x/sys/kernel/mm/ksm');
  });
});

describe('parseProcessKsmStat', () => {
  test('6.18 /proc/PID/ksm_stat: all six fields, "name: value" and "name value" forms', () => {
    assert.deepEqual(parseProcessKsmStat(fixture('6.18', 'proc-pid-ksm_stat')), {
      mergingPages: 16384,
      rmapItems: 16384,
      zeroPages: 0,
      processProfit: 66060288,
      mergeAny: false,
      mergeable: true,
    });
  });

  test('6.1 /proc/PID/ksm_stat: only ksm_rmap_items; merging pages default to 0', () => {
    assert.deepEqual(parseProcessKsmStat(fixture('6.1', 'proc-pid-ksm_stat')), { mergingPages: 0, rmapItems: 4096 });
  });

  test('a negative process profit and merge_any yes', () => {
    const p = parseProcessKsmStat('ksm_rmap_items 10\nksm_process_profit -40960\nksm_merge_any: yes\n');
    assert.equal(p.processProfit, -40960);
    assert.equal(p.mergeAny, true);
    assert.equal(p.mergeable, undefined);
  });

  test('the separate ksm_merging_pages file holds the same figure as ksm_stat', () => {
    assert.equal(Number(fixture('6.18', 'proc-pid-ksm_merging_pages').trim()), 16384);
  });
});

/**
 * A model of the /sys/kernel/mm/ksm store functions that matter for ordering (mm/ksm.c, 6.7+):
 * - pages_to_scan_store returns -EINVAL while the advisor is not 'none';
 * - advisor_mode_store, when the mode changes, resets pages_to_scan (none: 100; scan-time: advisor_min_pages_to_scan);
 * - merge_across_nodes_store returns -EBUSY while anything is merged; run=2 unmerges everything.
 */
class KsmModel {
  readonly s: Record<string, string>;
  merged: boolean;
  readonly writes: string[] = [];
  constructor(settings: KsmSettings, merged: boolean) {
    this.s = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
    this.merged = merged;
  }
  write(k: string, v: string): void {
    this.writes.push(`${k}=${v}`);
    if (!(k in this.s)) throw new Error(`ENOENT: ${k}`);
    const advisorOn = this.s.advisor_mode !== undefined && this.s.advisor_mode !== 'none';
    if (k === 'pages_to_scan' && advisorOn) throw new Error(`EINVAL: pages_to_scan=${v} while advisor is on`);
    if (k === 'merge_across_nodes' && v !== this.s.merge_across_nodes && this.merged)
      throw new Error('EBUSY: merge_across_nodes while pages are merged');
    if (k === 'advisor_mode' && v !== this.s.advisor_mode) {
      this.s.pages_to_scan = v === 'none' ? '100' : (this.s.advisor_min_pages_to_scan ?? '500');
    }
    if (k === 'run') {
      if (v === '2') this.merged = false;
      if (v === '1') this.merged = true;
    }
    this.s[k] = v;
  }
  /** The directory as the kernel shows it (advisor_mode as a "[selected] other" choice). */
  files(): Record<string, string> {
    const show = (k: string, v: string) =>
      k === 'advisor_mode' ? ['none', 'scan-time'].map((c) => (c === v ? `[${c}]` : c)).join(' ') : v;
    return Object.fromEntries(Object.entries(this.s).map(([k, v]) => [k, `${show(k, v)}\n`]));
  }
  apply(plan: Array<[string, string]>): this {
    for (const [k, v] of plan) this.write(k, v);
    return this;
  }
}

describe('ksmWritePlan', () => {
  const cur618 = parseKsm(ksm618).settings;
  const cur61 = parseKsm(ksm61).settings;

  test('a merge_across_nodes change unmerges first (run=2) and restarts with the final run', () => {
    assert.deepEqual(ksmWritePlan(cur618, { merge_across_nodes: 0 }), [
      ['run', '2'],
      ['merge_across_nodes', '0'],
      ['run', '1'],
    ]);
    // and the kernel accepts that order while pages are merged
    const m = new KsmModel(cur618, true).apply(ksmWritePlan(cur618, { merge_across_nodes: 0 }));
    assert.equal(m.s.merge_across_nodes, '0');
    assert.equal(m.s.run, '1');
  });

  test('an unchanged merge_across_nodes does not unmerge', () => {
    assert.deepEqual(ksmWritePlan(cur618, { merge_across_nodes: 1 }), [
      ['merge_across_nodes', '1'],
      ['run', '1'],
    ]);
  });

  test('advisor_mode goes before pages_to_scan whatever the order of the desired keys', () => {
    assert.deepEqual(
      ksmWritePlan({ ...cur618, advisor_mode: 'scan-time' }, { pages_to_scan: 1000, advisor_mode: 'none' }),
      [
        ['advisor_mode', 'none'],
        ['pages_to_scan', '1000'],
        ['run', '1'],
      ],
    );
  });

  test('run goes last, after every other setting, even when it is the first desired key', () => {
    const plan = ksmWritePlan({ ...cur618, run: 0 }, { run: 1, sleep_millisecs: 10, pages_to_scan: 5000 });
    assert.deepEqual(plan, [
      ['sleep_millisecs', '10'],
      ['pages_to_scan', '5000'],
      ['run', '1'],
    ]);
  });

  test('no desired run: the current run is written last (ksmd restarts with the new settings)', () => {
    assert.deepEqual(ksmWritePlan(cur618, { sleep_millisecs: 50 }), [
      ['sleep_millisecs', '50'],
      ['run', '1'],
    ]);
  });

  test('unmergeOnStop from run 1 -> 0 gives run=2 then run=0', () => {
    assert.deepEqual(ksmWritePlan(cur618, { run: 0 }, { unmergeOnStop: true }), [
      ['run', '2'],
      ['run', '0'],
    ]);
    const m = new KsmModel(cur618, true).apply(ksmWritePlan(cur618, { run: 0 }, { unmergeOnStop: true }));
    assert.equal(m.merged, false);
    assert.equal(m.s.run, '0');
  });

  test('stopping without unmergeOnStop only writes run=0 (merged pages stay merged)', () => {
    assert.deepEqual(ksmWritePlan(cur618, { run: 0 }), [['run', '0']]);
  });

  test('unmergeOnStop when KSM is already off adds no run=2', () => {
    assert.deepEqual(ksmWritePlan({ ...cur618, run: 0 }, { run: 0 }, { unmergeOnStop: true }), [['run', '0']]);
  });

  test('settings the kernel lacks (6.1: advisor, smart_scan) are dropped', () => {
    const plan = ksmWritePlan(cur61, {
      run: 1,
      smart_scan: 1,
      advisor_mode: 'scan-time',
      advisor_max_cpu: 50,
      use_zero_pages: 1,
    });
    assert.deepEqual(plan, [
      ['use_zero_pages', '1'],
      ['run', '1'],
    ]);
  });

  test('nothing known about run (empty current): no run write at all', () => {
    assert.deepEqual(ksmWritePlan({}, { run: 1, pages_to_scan: 10 }), []);
  });

  test('the uksm emulation on 6.18 runs on the kernel model and ends in the desired state', () => {
    const desired = uksmUpstreamSettings(UKSM_DEFAULTS, cur618);
    const m = new KsmModel({ ...cur618, run: 0 }, false).apply(ksmWritePlan({ ...cur618, run: 0 }, desired));
    for (const [k, v] of Object.entries(desired)) assert.equal(m.s[k], String(v), k);
    assert.equal(m.writes.at(-1), 'run=1');
  });

  test('restore after the uksm preset (advisor on -> none, pages_to_scan back) is accepted by the kernel model', () => {
    const before = { ...cur618, run: 0 };
    const desired = uksmUpstreamSettings(UKSM_DEFAULTS, before);
    const m = new KsmModel(before, false).apply(ksmWritePlan(before, desired));
    const during = parseKsm(m.files()).settings;
    assert.equal(during.advisor_mode, 'scan-time');
    // What restore passes: the snapshot of every touched knob, in journal (touch) order.
    const snapshot: KsmSettings = {
      advisor_mode: 'none',
      pages_to_scan: 1000,
      advisor_target_scan_time: 200,
      advisor_max_cpu: 70,
      advisor_min_pages_to_scan: 500,
      smart_scan: 1,
      use_zero_pages: 0,
      run: 0,
    };
    m.apply(ksmWritePlan(during, snapshot, { unmergeOnStop: true }));
    for (const [k, v] of Object.entries(snapshot)) assert.equal(m.s[k], String(v), k);
    assert.equal(m.merged, false);
  });

  test('the uksm preset gets its fast first scan: after the plan, pages_to_scan is the new advisor floor (2000)', () => {
    const before = { ...cur618, run: 0 };
    const m = new KsmModel(before, false).apply(ksmWritePlan(before, uksmUpstreamSettings(UKSM_DEFAULTS, before)));
    assert.equal(m.s.pages_to_scan, String(UKSM_DEFAULTS.firstScanPages));
  });

  test("'apply ksm --ksm-pages 500' on a host whose advisor is on: the kernel accepts every write of the plan", () => {
    const current = { ...cur618, advisor_mode: 'scan-time' };
    const step = planPreset('ksm', { ksmPages: 500 }, '/var/lib/overcommit').steps[0];
    assert.ok(step?.op === 'ksm');
    const m = new KsmModel(current, true);
    assert.doesNotThrow(() => m.apply(ksmWritePlan(current, step.settings)));
    assert.equal(m.s.pages_to_scan, '500');
  });
});

describe('KSM_OBSERVED_FILES', () => {
  test('6.18 capture: the observed files give the same counters and stepped knobs as the whole directory', async () => {
    const all = await readDirFiles(fixturePath('6.18', 'ksm'));
    assert.ok(all);
    const whole = parseKsm(all);
    const observed = (KSM_OBSERVED_FILES as readonly string[]).filter((n) => all[n] !== undefined);
    const some = parseKsm(Object.fromEntries(observed.map((n) => [n, all[n] ?? ''])));
    assert.equal(some.present, true);
    const observedStats = Object.keys(some.stats).sort();
    assert.deepEqual(observedStats, [
      'full_scans',
      'general_profit',
      'ksm_zero_pages',
      'pages_scanned',
      'pages_shared',
      'pages_sharing',
      'pages_unshared',
      'pages_volatile',
    ]);
    for (const k of observedStats) assert.equal(some.stats[k as 'full_scans'], whole.stats[k as 'full_scans'], k);
    assert.deepEqual(some.derived, whole.derived);
    for (const k of ['run', 'pages_to_scan', 'sleep_millisecs', 'advisor_mode'] as const)
      assert.equal(some.settings[k], whole.settings[k], k);
  });
});
