import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REAL_PATHS } from '../../../src/host/paths.js';
import { Collector } from '../../../src/observe/collect.js';
import { fixturePath } from '../fixtures.js';

const KiB = 1024;

/** A /proc and /sys of files captured on this machine's kernel (6.18): ksmd is pid 36, kswapd0 pid 45. */
async function fakeHost(root: string): Promise<{ proc: string; sys: string }> {
  const proc = join(root, 'proc');
  const sys = join(root, 'sys');
  const put = async (from: string, ...to: string[]) => {
    await mkdir(join(...to.slice(0, -1)), { recursive: true });
    await copyFile(fixturePath('6.18', from), join(...to));
  };
  await put('proc-meminfo-zswap', proc, 'meminfo');
  await put('proc-vmstat-zswap', proc, 'vmstat');
  await put('proc-stat-cpu', proc, 'stat');
  for (const r of ['memory', 'io', 'cpu']) await put(`pressure-${r}`, proc, 'pressure', r);
  await put('proc-ksmd-stat', proc, '36', 'stat');
  await writeFile(join(proc, '36', 'comm'), 'ksmd\n');
  await put('proc-kswapd0-stat', proc, '45', 'stat');
  await writeFile(join(proc, '45', 'comm'), 'kswapd0\n');
  await put('zram-mm_stat', sys, 'block', 'zram0', 'mm_stat');
  await cp(fixturePath('6.18', 'ksm'), join(sys, 'kernel', 'mm', 'ksm'), { recursive: true });
  return { proc, sys };
}

test('Collector.host reads the captured kernel files into one HostObservation, afresh on each call', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ovc-collect-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { proc, sys } = await fakeHost(root);
  const c = new Collector({ paths: { ...REAL_PATHS, proc, sys }, guests: () => [] });
  const h = await c.host();
  assert.equal(h.memTotalBytes, 24_684_084 * KiB);
  assert.deepEqual(h.cpu, {
    user: 1_906_707 + 1509,
    system: 360_566 + 0 + 60_760, // system + irq + softirq
    iowait: 18_660,
    steal: 929,
    idle: 7_876_823,
    total: 1_906_707 + 1509 + 360_566 + 7_876_823 + 18_660 + 60_760 + 929,
  });
  assert.equal(h.ksmdCpuTicks, 7575, 'utime 0 + stime 7575 of ksmd');
  assert.equal(h.kswapdCpuTicks, 0);
  assert.equal(h.ksm.pagesSharing, 16_320);
  assert.deepEqual(h.zram, { origBytes: 90_972_160, comprBytes: 30_944_603, memUsedBytes: 31_174_656 });
  assert.equal(h.zswap.poolBytes, 30_548 * KiB);
  assert.equal(h.zswap.storedBytes, 88_516 * KiB);
  assert.equal(h.psi.memory?.some.avg10, 1.99);
  assert.equal(h.psi.io !== undefined && h.psi.cpu !== undefined, true);

  // The next observation reads the files again.
  await writeFile(
    join(proc, 'pressure', 'memory'),
    'some avg10=7.50 avg60=0 avg300=0 total=1\nfull avg10=0 avg60=0 avg300=0 total=1\n',
  );
  await writeFile(join(proc, '36', 'stat'), '36 (ksmd) S 2 0 0 0 -1 2097216 22 0 0 0 10 8000 0 0 25 5 1 0 24\n');
  const h2 = await c.host();
  assert.equal(h2.psi.memory?.some.avg10, 7.5);
  assert.equal(h2.ksmdCpuTicks, 8010);
});

test('Collector.host: a kernel without PSI, zram or KSM still gives an observation; no meminfo is an error', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ovc-collect-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const proc = join(root, 'proc');
  await mkdir(proc, { recursive: true });
  await copyFile(fixturePath('6.18', 'proc-vmstat'), join(proc, 'vmstat'));
  await copyFile(fixturePath('6.18', 'proc-stat-cpu'), join(proc, 'stat'));
  const c = new Collector({ paths: { ...REAL_PATHS, proc, sys: join(root, 'sys') }, guests: () => [] });
  await assert.rejects(c.host(), /meminfo/);
  await copyFile(fixturePath('6.18', 'proc-meminfo'), join(proc, 'meminfo'));
  const h = await c.host();
  assert.deepEqual(h.psi, {});
  assert.deepEqual(h.zram, { origBytes: 0, comprBytes: 0, memUsedBytes: 0 });
  assert.equal(h.ksm.run, 0);
  assert.equal(h.ksmdCpuTicks, 0);
});

test('Collector.host: while ksmd is stopped its counters are read every 10th time, at once when it runs', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ovc-collect-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { proc, sys } = await fakeHost(root);
  const ksm = (name: string) => join(sys, 'kernel', 'mm', 'ksm', name);
  await writeFile(ksm('run'), '0\n');
  const c = new Collector({ paths: { ...REAL_PATHS, proc, sys }, guests: () => [] });
  const first = await c.host();
  assert.equal(first.ksm.run, 0);
  assert.equal(first.ksm.pagesSharing, 16_320);
  await writeFile(ksm('pages_sharing'), '100\n');
  await writeFile(join(proc, '36', 'stat'), '36 (ksmd) S 2 0 0 0 -1 2097216 22 0 0 0 0 9000 0 0 25 5 1 0 24\n');
  const kept: number[] = [];
  for (let i = 1; i < 10; i++) {
    const h = await c.host();
    kept.push(h.ksm.pagesSharing);
    assert.equal(h.ksmdCpuTicks, 7575, 'ksmd CPU time kept with the counters');
  }
  assert.deepEqual(kept, Array(9).fill(16_320), 'observations 2..10 keep the counters');
  const tenth = await c.host();
  assert.equal(tenth.ksm.pagesSharing, 100, 'the 11th reads them');
  assert.equal(tenth.ksmdCpuTicks, 9000);
  await writeFile(ksm('pages_sharing'), '200\n');
  assert.equal((await c.host()).ksm.pagesSharing, 100);
  await writeFile(ksm('run'), '1\n');
  const running = await c.host();
  assert.equal(running.ksm.run, 1);
  assert.equal(running.ksm.pagesSharing, 200, 'ksmd running: every time');
  await writeFile(ksm('pages_sharing'), '300\n');
  assert.equal((await c.host()).ksm.pagesSharing, 300);
});

test('Collector.host with displayEvery: CPU times and io/cpu PSI every Nth time, memory PSI and meminfo every time', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ovc-collect-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const { proc, sys } = await fakeHost(root);
  const c = new Collector({ paths: { ...REAL_PATHS, proc, sys }, guests: () => [], displayEvery: 3 });
  const first = await c.host();
  assert.equal(first.cpu.steal, 929);
  const pressure = (avg10: string) =>
    `some avg10=${avg10} avg60=0 avg300=0 total=1\nfull avg10=${avg10} avg60=0 avg300=0 total=1\n`;
  for (const r of ['memory', 'io', 'cpu']) await writeFile(join(proc, 'pressure', r), pressure('4.00'));
  await writeFile(join(proc, 'stat'), 'cpu  1 0 1 1 1 0 0 5 0 0\n');
  await writeFile(join(proc, '45', 'stat'), '45 (kswapd0) S 2 0 0 0 -1 2097216 22 0 0 0 3 4 0 0 25 5 1 0 24\n');
  const seen: Array<Array<number | undefined>> = [];
  for (let i = 1; i <= 4; i++) {
    const h = await c.host();
    seen.push([h.psi.memory?.some.avg10, h.psi.io?.some.avg10, h.psi.cpu?.full?.avg10, h.cpu.steal, h.kswapdCpuTicks]);
  }
  assert.deepEqual(seen, [
    [4, 0, 0, 929, 0],
    [4, 0, 0, 929, 0],
    [4, 4, 4, 5, 7],
    [4, 4, 4, 5, 7],
  ]);
});
