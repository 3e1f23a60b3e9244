import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executePlan } from '../../../../src/host/apply.js';
import { applyKsm, readKsm, readProcessKsm } from '../../../../src/host/mechanisms/ksm.js';
import { planPreset } from '../../../../src/host/presets.js';
import { paths, requireHost, startHog, waitFor, withJournal } from '../../helpers.js';

test('KSM really merges a mergeable region of identical pages, and restore puts every knob back', async (t) => {
  if (!(await requireHost(t, ['root', 'ksm', 'python3']))) return;
  const before = await readKsm(paths);
  await withJournal('test ksm', async (j) => {
    await applyKsm(j, { run: 1, pages_to_scan: 5000, sleep_millisecs: 10 });
    const on = await readKsm(paths);
    assert.equal(on.settings.run, 1);
    assert.equal(on.settings.pages_to_scan, 5000);
    const hog = startHog(64, 'dup', true); // 16384 identical 4 KiB pages
    try {
      await hog.go();
      const merged = await waitFor('pages_sharing to rise', async () => {
        const k = await readKsm(paths);
        return (k.stats.pages_sharing ?? 0) - (before.stats.pages_sharing ?? 0) > 12_000 && k;
      });
      assert.ok(merged.derived.savedBytes > 12_000 * 4096, `saved ${merged.derived.savedBytes} B`);
      assert.ok(merged.derived.sharingRatio > 10, `ratio ${merged.derived.sharingRatio}`);
      const proc = await readProcessKsm(paths, hog.pid);
      assert.ok(proc && proc.mergingPages > 12_000, `ksm_merging_pages ${proc?.mergingPages}`);
    } finally {
      await hog.stop();
    }
  });
  // withJournal asserted the knob snapshot; KSM was off before, so restore unmerged and stopped it.
  const after = await readKsm(paths);
  assert.equal(after.settings.run, before.settings.run);
  assert.equal(after.settings.pages_to_scan, before.settings.pages_to_scan);
});

test('the uksm preset turns on the advisor, smart_scan and zero pages, and restore undoes the advisor side effects', async (t) => {
  if (!(await requireHost(t, ['root', 'ksm']))) return;
  const before = await readKsm(paths);
  await withJournal('test uksm', async (j, stateDir) => {
    await executePlan(j, planPreset('uksm', { uksmTargetScanS: 20 }, stateDir));
    const k = await readKsm(paths);
    assert.equal(k.settings.run, 1);
    if (before.settings.advisor_mode !== undefined) {
      assert.equal(k.settings.advisor_mode, 'scan-time');
      assert.equal(k.settings.advisor_target_scan_time, 20);
      assert.equal(k.settings.advisor_min_pages_to_scan, 2000);
    }
    if (before.settings.smart_scan !== undefined) assert.equal(k.settings.smart_scan, 1);
    if (before.settings.use_zero_pages !== undefined) assert.equal(k.settings.use_zero_pages, 1);
  });
  const after = await readKsm(paths);
  assert.deepEqual(after.settings, before.settings);
});
