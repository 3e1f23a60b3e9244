import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REAL_PATHS } from '../../../src/host/paths.js';
import { findKernelThreads, parsePidCpuTicks, parseProcStatCpu } from '../../../src/observe/cpu.js';

test('parseProcStatCpu folds nice into user and irq/softirq into system', () => {
  const t = 'cpu  100 5 50 1000 7 1 2 3 0 0\ncpu0 50 2 25 500 3 0 1 1 0 0\nintr 123\n';
  assert.deepEqual(parseProcStatCpu(t), { user: 105, system: 53, iowait: 7, steal: 3, idle: 1000, total: 1168 });
});

test('parsePidCpuTicks: utime + stime, after a comm with spaces and parens', () => {
  const stat = '42 (ksm d) x) S 2 0 0 0 -1 2129984 0 0 0 0 17 29 0 0 25 5 1 0 300 0 0 18446744073709551615';
  assert.equal(parsePidCpuTicks(stat), 46);
});

test('findKernelThreads: one scan of /proc sorts the threads by pattern; other entries are skipped', async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'proc-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  const comms: Record<string, string> = { '36': 'ksmd\n', '44': 'kswapd0\n', '45': 'kswapd1\n', '900': 'node\n' };
  for (const [pid, comm] of Object.entries(comms)) {
    await mkdir(join(proc, pid));
    await writeFile(join(proc, pid, 'comm'), comm);
  }
  await mkdir(join(proc, '901')); // a process that exited mid-scan: no comm
  await mkdir(join(proc, 'sys'));
  const found = await findKernelThreads({ ...REAL_PATHS, proc }, { ksmd: /^ksmd$/, kswapd: /^kswapd\d+$/ });
  assert.deepEqual({ ...found, kswapd: [...found.kswapd].sort((x, y) => x - y) }, { ksmd: [36], kswapd: [44, 45] });
});
