import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadJournal } from '../../../src/host/journal/journal.js';
import { findByMarker } from '../../../src/host/processes.js';
import { diffSnapshots, hostSnapshot } from '../../../src/host/journal/snapshot.js';
import type { LabResults } from '../../../src/lab/results.js';
import { launchChromium } from '../browser.js';
import { cli, startCli } from '../cli-helpers.js';
import { paths, requireHost, tempStateDir, waitFor } from '../helpers.js';

test('lab run: a tiny scenario (2 guests of 192 MB, none and zram) end to end; the host is as before', async (t) => {
  if (!(await requireHost(t, ['root', 'qemu', 'zram', 'cgroup']))) return;
  const stateDir = await tempStateDir();
  const out = join(stateDir, 'run');
  const before = await hostSnapshot(paths);
  try {
    const r = await cli(['--state-dir', stateDir, 'lab', 'run', '--scenario', 'tiny', '--out', out]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const res = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as LabResults;
    assert.equal(res.version, 1);
    assert.deepEqual(
      res.strategies.map((s) => s.strategy),
      ['none', 'zram'],
    );
    assert.ok(res.environment.hostKernel && res.environment.qemuVersion && res.environment.accel);
    for (const s of res.strategies) {
      assert.ok(s.memcached, `${s.strategy}: memcached result (notes: ${s.notes.join('; ')})`);
      assert.equal(s.memcached.integrity.lost, 0, `${s.strategy} lost items`);
      assert.equal(s.memcached.integrity.corrupt, 0, `${s.strategy} corrupt items`);
      assert.ok(s.memcached.integrity.keysWritten > 1000);
      assert.ok(s.memcached.opsPerSec > 0);
      assert.ok(s.memcached.latency.p99Us > 0);
      assert.ok(s.series.length >= 5, `${s.strategy}: ${s.series.length} observations`);
      assert.ok(s.series.every((o) => o.guests.length === 2));
      assert.ok(s.cpuSeconds.system >= 0);
      assert.ok(s.network, `${s.strategy}: network result (notes: ${s.notes.join('; ')})`);
      assert.ok(s.network.hostToGuestBitsPerSec > 1e6 && s.network.guestToHostBitsPerSec > 1e6);
      assert.ok(s.network.rrPerSec > 10 && s.network.rrLatency.p99Us > 0);
      assert.ok(s.fio, `${s.strategy}: fio result (notes: ${s.notes.join('; ')})`);
      assert.deepEqual(
        s.fio.map((f) => f.job),
        ['seq-write-1m', 'rand-write-4k', 'rand-read-4k', 'seq-read-1m'],
      );
      for (const f of s.fio) assert.ok(f.readIops + f.writeIops > 10, `${s.strategy} ${f.job}: ${JSON.stringify(f)}`);
    }
    assert.equal(res.strategies[0]?.overcommitRatio, 1);
    assert.equal(res.strategies[1]?.overcommitRatio, 2);
    assert.ok(res.strategies[1]?.vsBaseline, 'zram has ratios against the baseline');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    assert.match(md, /zram/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.ok((html.match(/<svg/g) ?? []).length >= 3, 'report.html has inline SVG charts');
    assert.doesNotMatch(html, /<script[^>]+src=/);
    // The report opens in a real browser, offline, and shows its charts.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${join(out, 'report.html')}`);
      const charts = await page.locator('figure svg').count();
      assert.ok(charts >= 3, `${charts} charts visible`);
      const box = await page.locator('#chart-throughput svg').boundingBox();
      assert.ok(box && box.width > 200 && box.height > 100, `throughput chart box ${JSON.stringify(box)}`);
      assert.match(await page.locator('body').innerText(), /zram/);
      assert.deepEqual(requests, [], 'the report fetches nothing');
      await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
    assert.equal(await loadJournal(stateDir), undefined);
    assert.deepEqual(await findByMarker(paths, 'process=ovc-'), []);
  } finally {
    await cli(['--state-dir', stateDir, 'restore', '--force']);
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('lab run: SIGINT in the middle restores the host and leaves no guest behind', async (t) => {
  if (!(await requireHost(t, ['root', 'qemu', 'zram', 'cgroup']))) return;
  const stateDir = await tempStateDir();
  const before = await hostSnapshot(paths);
  try {
    const run = startCli(['--state-dir', stateDir, 'lab', 'run', '--scenario', 'tiny', '--out', join(stateDir, 'run')]);
    await waitFor('guests to be up', async () => (await findByMarker(paths, 'process=ovc-')).length >= 2, 120_000);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr.slice(-2000));
    assert.match(r.stderr, /SIGINT: restoring the host/);
    assert.deepEqual(await findByMarker(paths, 'process=ovc-'), []);
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
    assert.equal(await loadJournal(stateDir), undefined);
  } finally {
    await cli(['--state-dir', stateDir, 'restore', '--force']);
    await rm(stateDir, { recursive: true, force: true });
  }
});
