import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MissingFeatureError } from '../../../src/errors.js';
import { preflight } from '../../../src/host/apply.js';
import type { KnobSetter } from '../../../src/host/journal/knob-io.js';
import { applyKsm, readKsm } from '../../../src/host/mechanisms/ksm.js';
import type { HostPaths } from '../../../src/host/paths.js';
import { planPreset, type Plan } from '../../../src/host/presets.js';
import { UKSM_DEFAULTS, applyUksm } from '../../../src/host/mechanisms/uksm.js';
import { applyZswap, readZswap } from '../../../src/host/mechanisms/zswap.js';
import { fixturePath } from '../fixtures.js';

/**
 * A read-only sysfs tree of a 6.1 kernel built without zswap: sys-no-zswap/kernel/mm/ksm links to the 6.1 KSM
 * fixture; there is no module/zswap, no kernel/mm/uksm. Nothing here is ever written: the knob setter is a recorder.
 */
const paths61: HostPaths = {
  sys: fixturePath('6.1', 'sys-no-zswap'),
  proc: fixturePath('6.1', 'no-proc'),
  dev: fixturePath('6.1', 'no-dev'),
  cgroupFs: fixturePath('6.1', 'no-cgroup'),
};
const noKsm: HostPaths = { ...paths61, sys: fixturePath('6.1', 'no-sys') };

function recorder(paths: HostPaths): KnobSetter & { calls: Array<[string, string]> } {
  const calls: Array<[string, string]> = [];
  return {
    paths,
    calls,
    setKnob: (id, value) => {
      calls.push([id, String(value)]);
      return Promise.resolve(true);
    },
  };
}

const missing = (feature: RegExp) => (e: unknown) =>
  e instanceof MissingFeatureError && e.code === 'MISSING_FEATURE' && feature.test(e.message);

describe('the 6.1 tree reads as 6.1', () => {
  test('KSM present with 6.1 settings; zswap absent', async () => {
    const k = await readKsm(paths61);
    assert.equal(k.present, true);
    assert.equal(k.settings.pages_to_scan, 100);
    assert.equal(k.settings.advisor_mode, undefined);
    assert.deepEqual(await readZswap(paths61), { present: false, settings: {} });
  });
});

describe('preflight (read-only checks before the journal)', () => {
  test('ksm on a KSM kernel passes', async () => {
    await assert.doesNotReject(preflight(paths61, planPreset('ksm', {}, '/var/lib/overcommit')));
  });

  test('ksm and uksm on a kernel without KSM are MissingFeatureErrors', async () => {
    await assert.rejects(preflight(noKsm, planPreset('ksm', {}, '/var/lib/overcommit')), missing(/^KSM is not/));
    await assert.rejects(preflight(noKsm, planPreset('uksm', {}, '/var/lib/overcommit')), missing(/KSM \(and UKSM\)/));
  });

  test('turning zswap on without zswap is a MissingFeatureError', async () => {
    const plan: Plan = { preset: 'zswap', steps: [{ op: 'zswap', settings: { enabled: true } }] };
    await assert.rejects(preflight(paths61, plan), missing(/^zswap is not available/));
  });

  test("'apply none' on a kernel without zswap passes (there is no zswap to turn off)", async () => {
    await assert.doesNotReject(preflight(paths61, planPreset('none', {}, '/var/lib/overcommit')));
  });
});

describe('applying through a recording knob setter (no host writes)', () => {
  test('applyKsm stopping with unmerge on 6.1: run=2 then run=0', async () => {
    const r = recorder(paths61);
    await applyKsm(r, { run: 0 }, { unmergeOnStop: true });
    assert.deepEqual(r.calls, [
      ['ksm/run', '2'],
      ['ksm/run', '0'],
    ]);
  });

  test('applyUksm on 6.1 (no UKSM, no advisor): KSM emulation at a fixed fast rate, run last', async () => {
    const r = recorder(paths61);
    assert.equal(await applyUksm(r, UKSM_DEFAULTS), 'ksm-emulation');
    assert.deepEqual(r.calls, [
      ['ksm/pages_to_scan', '2000'],
      ['ksm/sleep_millisecs', '20'],
      ['ksm/use_zero_pages', '1'],
      ['ksm/run', '1'],
    ]);
  });

  test('applyZswap enabling zswap on a kernel without it: MissingFeatureError, nothing written', async () => {
    const r = recorder(paths61);
    await assert.rejects(applyZswap(r, { enabled: true }), missing(/^zswap is not available/));
    assert.deepEqual(r.calls, []);
  });
});
