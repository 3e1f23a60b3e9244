import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKsm } from '../../../../src/host/mechanisms/ksm.js';
import { UKSM_DEFAULTS, parseUksm, uksmUpstreamSettings } from '../../../../src/host/mechanisms/uksm.js';
import { fixtureDir } from '../../fixtures.js';

const has618 = parseKsm(await fixtureDir('6.18', 'ksm')).settings;
const has61 = parseKsm(await fixtureDir('6.1', 'ksm')).settings;

describe('uksmUpstreamSettings', () => {
  test('defaults are 30 s target scan, 50 % CPU, 2000-page first-scan floor', () => {
    assert.deepEqual(UKSM_DEFAULTS, { targetScanSeconds: 30, maxCpuPercent: 50, firstScanPages: 2000 });
  });

  test('6.18 (advisor, smart_scan, zero pages): advisor in scan-time mode with the floor, max kept at 30000', () => {
    assert.deepEqual(uksmUpstreamSettings(UKSM_DEFAULTS, has618), {
      run: 1,
      advisor_mode: 'scan-time',
      advisor_target_scan_time: 30,
      advisor_max_cpu: 50,
      advisor_min_pages_to_scan: 2000,
      advisor_max_pages_to_scan: 30000,
      smart_scan: 1,
      use_zero_pages: 1,
    });
  });

  test('a floor above the kernel advisor max raises the max to the floor', () => {
    const s = uksmUpstreamSettings({ targetScanSeconds: 10, maxCpuPercent: 20, firstScanPages: 50000 }, has618);
    assert.equal(s.advisor_min_pages_to_scan, 50000);
    assert.equal(s.advisor_max_pages_to_scan, 50000);
    assert.equal(s.advisor_target_scan_time, 10);
    assert.equal(s.advisor_max_cpu, 20);
  });

  test('6.1 (no advisor, no smart_scan): a fixed fast rate, zero pages on', () => {
    assert.deepEqual(uksmUpstreamSettings(UKSM_DEFAULTS, has61), {
      run: 1,
      pages_to_scan: 2000,
      sleep_millisecs: 20,
      use_zero_pages: 1,
    });
  });

  test('never sets pages_to_scan when the advisor is there (the kernel refuses it while the advisor runs)', () => {
    assert.equal('pages_to_scan' in uksmUpstreamSettings(UKSM_DEFAULTS, has618), false);
  });

  test('an advisor kernel without advisor_max_pages_to_scan: no max set', () => {
    const { advisor_max_pages_to_scan: _drop, ...has } = has618;
    assert.equal('advisor_max_pages_to_scan' in uksmUpstreamSettings(UKSM_DEFAULTS, has), false);
  });
});

describe('parseUksm', () => {
  test('no /sys/kernel/mm/uksm (upstream kernels) -> present:false', () => {
    assert.deepEqual(parseUksm(undefined), { present: false });
    assert.deepEqual(parseUksm({ sleep_millisecs: '500\n' }), { present: false });
  });

  test('a UKSM kernel directory (hand-made after the UKSM patch): run, sleep, cpu governor, CPU cap', () => {
    assert.deepEqual(
      parseUksm({
        run: '1\n',
        sleep_millisecs: '500\n',
        cpu_governor: 'full medium [low] quiet\n',
        max_cpu_percentage: '95\n',
        thrash_threshold: '50\n',
      }),
      {
        present: true,
        run: 1,
        sleepMillisecs: 500,
        cpuGovernor: 'low',
        cpuGovernors: ['full', 'medium', 'low', 'quiet'],
        maxCpuPercentage: 95,
      },
    );
  });

  test('only run present', () => {
    assert.deepEqual(parseUksm({ run: '0\n' }), { present: true, run: 0 });
  });
});
