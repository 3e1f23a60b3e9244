import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addProcess,
  createBudgetGroup,
  detectCgroupLayout,
  readBudget,
} from '../../../../src/host/mechanisms/budget-cgroup.js';
import { readSwaps } from '../../../../src/host/swaps.js';
import { createZramSwap, readZramDevice } from '../../../../src/host/mechanisms/zram.js';
import { paths, requireHost, startHog, waitFor, withJournal } from '../../helpers.js';

test('zram really compresses: a process pushed past its cgroup limit lands in our zram device', async (t) => {
  if (!(await requireHost(t, ['root', 'zram', 'cgroup', 'python3']))) return;
  await withJournal('test zram', async (j) => {
    const dev = await createZramSwap(j, { sizeBytes: 256 << 20, algorithm: 'lzo-rle', priority: 32000 });
    assert.equal(dev.disksizeBytes, 256 << 20);
    assert.equal(dev.algorithm, 'lzo-rle');
    assert.ok((await readSwaps(paths)).some((s) => s.filename === `/dev/${dev.name}` && s.priority === 32000));
    const layout = await detectCgroupLayout(paths);
    assert.ok(layout);
    const group = await createBudgetGroup(j, layout, 'test-zram', { limitBytes: 64 << 20, swapLimitBytes: null });
    const hog = startHog(150, 'mixed');
    try {
      await addProcess(j, group, hog.pid);
      await hog.go();
      const usage = await readBudget(layout, group);
      assert.deepEqual(usage.pids, [hog.pid]);
      assert.equal(usage.limitBytes, 64 << 20);
      assert.ok(usage.usageBytes <= 64 << 20);
      const d = await waitFor('zram to hold data', async () => {
        const x = await readZramDevice(paths, dev.index);
        return x?.mm && x.mm.origDataSizeBytes > 60 << 20 && x;
      });
      const mm = d.mm!;
      assert.ok(
        mm.origDataSizeBytes > mm.comprDataSizeBytes * 1.3,
        `orig ${mm.origDataSizeBytes} vs compr ${mm.comprDataSizeBytes}`,
      );
      assert.ok(d.compressionRatio > 1.3);
      t.diagnostic(
        `zram stored ${mm.origDataSizeBytes} B in ${mm.comprDataSizeBytes} B (${d.compressionRatio.toFixed(2)}x)`,
      );
    } finally {
      await hog.stop();
    }
  });
});
