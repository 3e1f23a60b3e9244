import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { exists } from '../../../src/host/fsio.js';
import { loadJournal } from '../../../src/host/journal/journal.js';
import { findByMarker } from '../../../src/host/processes.js';
import { cli } from '../cli-helpers.js';
import { memcachedTalk } from '../memcached-text.js';
import { paths, requireHost, tempStateDir, waitFor } from '../helpers.js';

interface ListedGuest {
  name: string;
  alive: boolean;
  pid: number;
  dir: string;
  ports: { memcached: number };
  balloonActualBytes?: number;
  token?: string;
}

describe('overcommit vm ... (the CLI, with a real TCG guest)', () => {
  let stateDir = '';
  let can = false;
  const vm = (...args: string[]) => cli(['--state-dir', stateDir, 'vm', ...args]);

  before(async () => {
    stateDir = await tempStateDir();
  });

  after(async () => {
    await cli(['--state-dir', stateDir, 'restore', '--force']);
    await rm(stateDir, { recursive: true, force: true });
    assert.deepEqual(await findByMarker(paths, 'process=ovc-'), []);
  });

  test('vm start boots a guest with memcached and iperf3; vm list shows it (JSON without the control token)', async (t) => {
    if (!(await requireHost(t, ['root', 'qemu']))) return;
    const r = await vm('start', 'web1', '--memory', '256M', '--services', 'memcached,iperf3', '--disk', '32M');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^web1: ready in [\d.]+ s \(pid \d+, (tcg|kvm), 256 MiB\), memcached 127\.0\.0\.1:\d+, iperf3 127\.0\.0\.1:\d+\n$/,
    );
    can = true;
    const list = JSON.parse((await vm('list', '--json')).stdout) as ListedGuest[];
    assert.equal(list.length, 1);
    assert.equal(list[0]?.name, 'web1');
    assert.equal(list[0]?.alive, true);
    assert.equal(list[0]?.token, undefined);
    assert.match(await memcachedTalk(list[0]?.ports.memcached ?? 0, 'version\r\n', /\r\n/), /^VERSION 1\.6/);
    assert.match((await vm('list')).stdout, /^NAME +STATE +PID.*\nweb1 +running +\d+ +256 MiB/);
  });

  test('vm exec passes output and the exit status through; the disk is there', async (t) => {
    if (!can) return t.skip('no guest');
    const r = await vm('exec', 'web1', '--', 'sh', '-c', 'test -b /dev/vda && echo disk; echo oops >&2; exit 4');
    assert.equal(r.code, 4);
    assert.equal(r.stdout, 'disk\n');
    assert.equal(r.stderr, 'oops\n');
  });

  test('vm balloon and vm stats: the target is reached and reported', async (t) => {
    if (!can) return t.skip('no guest');
    const b = await vm('balloon', 'web1', '160M');
    assert.equal(b.code, 0, b.stderr);
    const stats = await waitFor('balloon to reach 160 MiB', async () => {
      const s = JSON.parse((await vm('stats', 'web1', '--json')).stdout) as {
        balloonActualBytes: number;
        inGuest: { meminfo: Record<string, number> };
        stats: { stats: { totalMemory?: number } };
      };
      return s.balloonActualBytes <= 161 * 1024 * 1024 && s;
    });
    assert.ok((stats.inGuest.meminfo.MemTotal ?? 0) > 0);
    assert.ok((stats.stats.stats.totalMemory ?? 0) > 0);
    const text = await vm('stats', 'web1');
    assert.match(text.stdout, /balloon actual +160 MiB/);
  });

  test('bad input and unknown names: one-line errors, exit 2, nothing changes', async (t) => {
    if (!can) return t.skip('no guest');
    const bad = await vm('balloon', 'web1', '12XB');
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      "overcommit: invalid balloon target '12XB': write a number with an optional unit K, M, G or T (e.g. 512M)\n",
    );
    const over = await vm('balloon', 'web1', '1G');
    assert.equal(over.code, 2);
    assert.match(over.stderr, /above web1's memory/);
    const unknown = await vm('stats', 'nope');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "overcommit: no guest named 'nope': running guests: web1\n");
    const size = await vm('start', 'x', '--memory', 'lots');
    assert.equal(size.code, 2);
    assert.match(size.stderr, /invalid --memory 'lots'/);
    const svc = await vm('start', 'x', '--memory', '256M', '--services', 'redis');
    assert.equal(svc.code, 2);
    assert.match(svc.stderr, /unknown service 'redis'/);
    // A second guest of the same name is refused and the running one keeps its files.
    const dup = await vm('start', 'web1', '--memory', '256M');
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /a guest named 'web1' is already running/);
    const list = JSON.parse((await vm('list', '--json')).stdout) as ListedGuest[];
    assert.equal(list[0]?.alive, true);
    assert.ok(await exists(list[0]?.dir ?? '/nonexistent'));
  });

  test('a guest killed with SIGKILL is reported dead with its serial log; vm stop removes its files', async (t) => {
    if (!can) return t.skip('no guest');
    const [g] = JSON.parse((await vm('list', '--json')).stdout) as ListedGuest[];
    assert.ok(g);
    process.kill(g.pid, 'SIGKILL');
    await waitFor(
      'QEMU to die',
      async () => !(await exists(`/proc/${g.pid}/cmdline`)) || (await findByMarker(paths, 'process=ovc-')).length === 0,
    );
    const s = await vm('stats', 'web1');
    assert.equal(s.code, 6);
    assert.match(
      s.stderr,
      /^overcommit: guest web1 is dead \(its QEMU process is gone\)\n--- serial log \(tail\) ---\n/,
    );
    assert.match(s.stderr, /OVERCOMMIT-GUEST-READY/);
    assert.match((await vm('list')).stdout, /web1 +dead/);
    const stop = await vm('stop', 'web1');
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await exists(g.dir), false);
    assert.equal(await loadJournal(stateDir), undefined, 'the journal is gone once nothing is left in it');
  });
});
