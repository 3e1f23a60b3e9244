import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { addProcess, createBudgetGroup, detectCgroupLayout } from '../../../../src/host/mechanisms/budget-cgroup.js';
import { exists } from '../../../../src/host/fsio.js';
import { readMeminfo } from '../../../../src/host/procfs.js';
import { createSwapFile } from '../../../../src/host/mechanisms/swapfile.js';
import { applyZswap, readZswap } from '../../../../src/host/mechanisms/zswap.js';
import { UsageError } from '../../../../src/errors.js';
import { paths, requireHost, startHog, waitFor, withJournal } from '../../helpers.js';

test('zswap refuses to start with no swap device behind it, and changes nothing', async (t) => {
  if (!(await requireHost(t, ['root', 'zswap']))) return;
  const before = await readZswap(paths);
  await withJournal('test zswap refuse', async (j) => {
    if (before.settings.enabled) return; // the host runs zswap already: nothing to prove here
    await assert.rejects(
      applyZswap(j, { enabled: true }),
      (e) => e instanceof UsageError && /no swap device/.test(e.message),
    );
    assert.equal((await readZswap(paths)).settings.enabled, false);
  });
});

test('zswap really stores: pages of a process over its cgroup limit go to the zswap pool; restore leaves no trace', async (t) => {
  if (!(await requireHost(t, ['root', 'zswap', 'cgroup', 'python3']))) return;
  let swapPath = '';
  await withJournal('test zswap', async (j, stateDir) => {
    swapPath = join(stateDir, 'test.swap');
    await createSwapFile(j, { path: swapPath, sizeBytes: 256 << 20, priority: 5 });
    await applyZswap(j, { enabled: true, max_pool_percent: 20 });
    assert.equal((await readZswap(paths)).settings.enabled, true);
    const base = (await readMeminfo(paths)).Zswapped ?? 0;
    const layout = await detectCgroupLayout(paths);
    assert.ok(layout);
    const group = await createBudgetGroup(j, layout, 'test-zswap', { limitBytes: 64 << 20, swapLimitBytes: null });
    const hog = startHog(150, 'mixed');
    try {
      await addProcess(j, group, hog.pid);
      await hog.go();
      const zswapped = await waitFor('Zswapped to rise', async () => {
        const z = (await readMeminfo(paths)).Zswapped ?? 0;
        return z - base > 40 << 20 && z;
      });
      const st = (await readZswap(paths)).stats!;
      assert.ok(st.poolBytes < st.storedBytes, `pool ${st.poolBytes} < stored ${st.storedBytes}`);
      t.diagnostic(`zswap holds ${zswapped} B in a ${st.poolBytes} B pool`);
    } finally {
      await hog.stop();
    }
  });
  assert.equal(await exists(swapPath), false, 'swap file deleted');
});
