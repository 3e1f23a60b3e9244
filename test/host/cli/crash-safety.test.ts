import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { loadJournal } from '../../../src/host/journal/journal.js';
import { restoreHost } from '../../../src/host/journal/restore.js';
import { diffSnapshots, hostSnapshot } from '../../../src/host/journal/snapshot.js';
import { cli, startCli } from '../cli-helpers.js';
import { paths, requireHost, tempStateDir, waitFor } from '../helpers.js';

/**
 * A run that dies at any instant is undone by `overcommit restore`: the child applies a preset and is SIGKILLed —
 * by a test hook at a chosen point inside apply, or by us once it holds the applied state — then restore must return
 * the full host snapshot (every knob, swaps, zram devices, cgroups) exactly.
 */
const CASES: Array<{ name: string; args: string[]; killAt?: string }> = [
  {
    name: 'zram, killed after journaling the device but before hot_add',
    args: ['apply', 'zram', '--zram-size', '64M'],
    killAt: 'zram',
  },
  {
    name: 'zram, killed after hot_add but before its index was journaled',
    args: ['apply', 'zram', '--zram-size', '64M'],
    killAt: 'zram:hot-added',
  },
  { name: 'zram, killed while holding the applied state', args: ['apply', 'zram', '--zram-size', '64M', '--hold'] },
  {
    name: 'zswap, killed after journaling the swap file but before creating it',
    args: ['apply', 'zswap', '--swap-size', '64M'],
    killAt: 'swapfile',
  },
  {
    name: 'zswap, killed with swap on, just before zswap is enabled',
    args: ['apply', 'zswap', '--swap-size', '64M'],
    killAt: 'knob:zswap/enabled',
  },
  {
    name: 'zswap, killed while holding the applied state',
    args: ['apply', 'zswap', '--swap-size', '64M', '--zswap-pool-percent', '33', '--hold'],
  },
  { name: 'uksm, killed just before ksmd starts', args: ['apply', 'uksm'], killAt: 'knob:ksm/run' },
  { name: 'uksm, killed while holding the applied state', args: ['apply', 'uksm', '--hold'] },
];

for (const c of CASES) {
  test(`crash safety: ${c.name}`, async (t) => {
    if (!(await requireHost(t, ['root', 'ksm', 'zram', 'zswap']))) return;
    const stateDir = await tempStateDir();
    const before = await hostSnapshot(paths);
    try {
      const env: Record<string, string> = c.killAt ? { OVERCOMMIT_TEST_KILL_AT: c.killAt } : {};
      const run = startCli(['--state-dir', stateDir, ...c.args], env);
      if (!c.killAt) {
        await waitFor('apply to finish and hold', () => journalComplete(stateDir, c.args[1] ?? ''));
        run.child.kill('SIGKILL');
      }
      const r = await run.done;
      assert.equal(r.signal, 'SIGKILL', `the child died by SIGKILL (stderr: ${r.stderr})`);
      assert.ok(await loadJournal(stateDir), 'the dead run left its journal');
      const restored = await cli(['--state-dir', stateDir, 'restore']);
      assert.equal(restored.code, 0, restored.stderr);
      assert.equal(await loadJournal(stateDir), undefined);
      assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
      assert.equal(JSON.stringify(await hostSnapshot(paths)), JSON.stringify(before));
    } finally {
      await cleanUp(stateDir);
    }
  });
}

/** True once the preset's last step shows in the live state. */
async function journalComplete(stateDir: string, preset: string): Promise<boolean> {
  const j = await loadJournal(stateDir);
  if (!j) return false;
  const s = await hostSnapshot(paths);
  if (preset === 'zram') return s.swaps.some((w) => w.filename.startsWith('/dev/zram'));
  if (preset === 'zswap') return s.knobs['zswap/enabled'] === 'Y';
  if (preset === 'uksm') return s.knobs['ksm/run'] === '1';
  return false;
}

test('SIGTERM on a held apply restores the host and exits 0', async (t) => {
  if (!(await requireHost(t, ['root', 'zram']))) return;
  const stateDir = await tempStateDir();
  const before = await hostSnapshot(paths);
  try {
    const run = startCli(['--state-dir', stateDir, 'apply', 'zram', '--zram-size', '64M', '--hold']);
    await waitFor('zram applied', () => journalComplete(stateDir, 'zram'));
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /restored/);
    assert.equal(await loadJournal(stateDir), undefined);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
  } finally {
    await cleanUp(stateDir);
  }
});

test('restore refuses while the journal owner is alive', async (t) => {
  if (!(await requireHost(t, ['root', 'zram']))) return;
  const stateDir = await tempStateDir();
  const before = await hostSnapshot(paths);
  try {
    const run = startCli(['--state-dir', stateDir, 'apply', 'zram', '--zram-size', '64M', '--hold']);
    await waitFor('zram applied', () => journalComplete(stateDir, 'zram'));
    const busy = await cli(['--state-dir', stateDir, 'restore']);
    assert.equal(busy.code, 5);
    assert.match(busy.stderr, /being changed by pid \d+/);
    run.child.kill('SIGINT');
    assert.equal((await run.done).code, 0);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
  } finally {
    await cleanUp(stateDir);
  }
});

/** Whatever an assertion left behind: restore it (a failing test must still leave the host as it found it). */
async function cleanUp(stateDir: string): Promise<void> {
  const j = await loadJournal(stateDir).catch(() => undefined);
  if (j && j.owner.pid !== process.pid) {
    try {
      process.kill(j.owner.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await restoreHost(paths, stateDir, { force: true }).catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
}
