import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { test } from 'node:test';
import { diffSnapshots, hostSnapshot } from '../../../src/host/journal/snapshot.js';
import { cli } from '../cli-helpers.js';
import { paths, requireHost, tempStateDir } from '../helpers.js';

/** Bad input: a one-line error naming the value, a non-zero exit, and no host change at all (not even a journal). */
const BAD: Array<{ args: string[]; code: number; message: RegExp }> = [
  { args: ['apply', 'turbo'], code: 2, message: /unknown preset 'turbo'.*none, ksm, uksm, swap-disk, zswap, zram/ },
  { args: ['apply', 'auto'], code: 2, message: /'auto' is a controlled strategy/ },
  { args: ['apply', 'zram', '--zram-size', '12XB'], code: 2, message: /invalid --zram-size '12XB'/ },
  { args: ['apply', 'swap-disk', '--swap-size', 'lots'], code: 2, message: /invalid --swap-size 'lots'/ },
  { args: ['apply', 'swap-disk', '--swap-path', '/etc/overcommit.swap'], code: 2, message: /inside \/etc/ },
  { args: ['apply', 'swap-disk', '--swap-path', 'relative.swap'], code: 2, message: /not absolute/ },
  { args: ['apply', 'swap-disk', '--swap-path', '/dev/shm/x.swap'], code: 2, message: /inside \/dev/ },
  {
    args: ['apply', 'swap-disk', '--swap-path', '/nonexistent-dir/x.swap'],
    code: 2,
    message: /directory \/nonexistent-dir does not exist/,
  },
  { args: ['apply', 'swap-disk', '--swap-size', '900T'], code: 2, message: /not enough space/ },
  {
    args: ['apply', 'zram', '--zram-algorithm', 'nope'],
    code: 2,
    message: /zram algorithm 'nope' is not offered.*lzo/,
  },
  { args: ['apply', 'ksm', '--ksm-pages', '0'], code: 2, message: /invalid --ksm-pages '0'/ },
  { args: ['apply', 'zswap', '--zswap-pool-percent', '101'], code: 2, message: /invalid --zswap-pool-percent '101'/ },
  { args: ['apply', 'ksm', '--ksm-pages', 'ten'], code: 2, message: /'ten' is not a whole number/ },
];

for (const b of BAD) {
  test(`bad input changes nothing: overcommit ${b.args.join(' ')}`, async (t) => {
    if (!(await requireHost(t, ['root', 'zram']))) return;
    const stateDir = await tempStateDir();
    try {
      const before = await hostSnapshot(paths);
      const r = await cli(['--state-dir', stateDir, ...b.args]);
      assert.equal(r.code, b.code, r.stderr);
      assert.match(r.stderr, b.message);
      assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
      assert.deepEqual(await readdir(stateDir), [], 'no journal was written');
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
}

test('not root: apply and restore refuse with exit 3 and change nothing', async (t) => {
  if (!(await requireHost(t, ['root']))) return;
  const stateDir = await tempStateDir();
  try {
    const before = await hostSnapshot(paths);
    const nobody = 65534;
    const r = await cli(['--state-dir', stateDir, 'apply', 'ksm'], {}, nobody);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /apply ksm needs root: run it as root/);
    const s = await cli(['--state-dir', stateDir, 'restore'], {}, nobody);
    assert.equal(s.code, 3);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a second apply is refused while the first one is still applied; restore then undoes the first', async (t) => {
  if (!(await requireHost(t, ['root', 'ksm']))) return;
  const stateDir = await tempStateDir();
  const before = await hostSnapshot(paths);
  try {
    const a = await cli(['--state-dir', stateDir, 'apply', 'ksm', '--ksm-pages', '1234']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal((await hostSnapshot(paths)).knobs['ksm/pages_to_scan'], '1234');
    const b = await cli(['--state-dir', stateDir, 'apply', 'zram']);
    assert.equal(b.code, 5);
    assert.match(b.stderr, /still holds changes from 'apply ksm'.*run overcommit restore first/);
    const st = await cli(['--state-dir', stateDir, 'status', '--json']);
    const status = JSON.parse(st.stdout) as { journal?: { label: string }; ksm: { settings: { run: number } } };
    assert.equal(status.journal?.label, 'apply ksm');
    assert.equal(status.ksm.settings.run, 1);
    const r = await cli(['--state-dir', stateDir, 'restore', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { hadJournal: boolean }).hadJournal, true);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
    const again = await cli(['--state-dir', stateDir, 'restore']);
    assert.match(again.stdout, /nothing to restore/);
  } finally {
    await cli(['--state-dir', stateDir, 'restore', '--force']);
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('apply --dry-run prints the steps and changes nothing', async (t) => {
  if (!(await requireHost(t, ['root']))) return;
  const stateDir = await tempStateDir();
  try {
    const before = await hostSnapshot(paths);
    const r = await cli(['--state-dir', stateDir, 'apply', 'zswap', '--swap-size', '2G', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /would apply: swap file .*overcommit\.swap \(2147483648 B, priority 10\)/);
    assert.match(r.stdout, /would apply: zswap: enabled=true/);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
    assert.deepEqual(await readdir(stateDir), []);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('status and doctor answer in text and JSON', async (t) => {
  if (!(await requireHost(t, ['root']))) return;
  const s = await cli(['status']);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /^overcommit status — kernel /);
  assert.match(s.stdout, /\nKSM +run=\d/);
  assert.match(s.stdout, /\nPSI +memory some/);
  const sj = JSON.parse((await cli(['status', '--json'])).stdout) as Record<string, unknown>;
  for (const k of ['memory', 'ksm', 'zram', 'zswap', 'swaps', 'psi', 'thp', 'cgroup']) assert.ok(k in sj, k);
  const d = await cli(['doctor', '--json']);
  const dj = JSON.parse(d.stdout) as { checks: Array<{ id: string; status: string }> };
  assert.equal(dj.checks.find((c) => c.id === 'ksm')?.status, 'ok');
  assert.equal(dj.checks.find((c) => c.id === 'zram')?.status, 'ok');
  assert.equal(d.code, dj.checks.some((c) => c.status === 'missing') ? 4 : 0);
});
