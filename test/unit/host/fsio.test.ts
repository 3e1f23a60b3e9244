import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostReadError } from '../../../src/errors.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KernelFiles, exists, readDirFiles, readText, tryReadText, tryReadTextOnce } from '../../../src/host/fsio.js';
import { fixturePath } from '../fixtures.js';

describe('fsio reads (fixture files only)', () => {
  test('readDirFiles: every file of the 6.18 KSM directory, name -> text', async () => {
    const files = await readDirFiles(fixturePath('6.18', 'ksm'));
    assert.ok(files);
    assert.equal(Object.keys(files).length, 24);
    assert.equal(files.pages_sharing, '16320\n');
    assert.equal(files.advisor_mode, '[none] scan-time\n');
  });

  test('readDirFiles: the 6.1 KSM directory has the 14 files of 6.1', async () => {
    const files = await readDirFiles(fixturePath('6.1', 'ksm'));
    assert.deepEqual(Object.keys(files ?? {}).sort(), [
      'full_scans',
      'max_page_sharing',
      'merge_across_nodes',
      'pages_shared',
      'pages_sharing',
      'pages_to_scan',
      'pages_unshared',
      'pages_volatile',
      'run',
      'sleep_millisecs',
      'stable_node_chains',
      'stable_node_chains_prune_millisecs',
      'stable_node_dups',
      'use_zero_pages',
    ]);
  });

  test('readDirFiles: a missing directory -> undefined; subdirectories are skipped', async () => {
    assert.equal(await readDirFiles(fixturePath('6.18', 'no-such-dir')), undefined);
    const top = await readDirFiles(fixturePath('6.18', '.'));
    assert.ok(top);
    assert.equal('ksm' in top, false);
    assert.equal('proc-swaps' in top, true);
  });

  test('readText of a missing file is a HostReadError naming it; tryReadText gives undefined', async () => {
    const missing = fixturePath('6.18', 'no-such-file');
    await assert.rejects(
      readText(missing),
      (e: unknown) =>
        e instanceof HostReadError && e.code === 'HOST_READ' && e.message === `cannot read ${missing} (ENOENT)`,
    );
    assert.equal(await tryReadText(missing), undefined);
    assert.equal(await readText(fixturePath('6.18', 'ksm/run')), '1\n');
    assert.equal(await exists(fixturePath('6.18', 'ksm/run')), true);
    assert.equal(await exists(missing), false);
  });
});

describe('KernelFiles (the real /proc, read only)', () => {
  test('a kept file read again at offset 0 is fresh text, from one open file', async () => {
    const files = new KernelFiles();
    try {
      const a = files.read('/proc/self/stat');
      await new Promise((r) => setTimeout(r, 30));
      for (let i = 0; i < 2e6; i++) Math.sqrt(i); // CPU time moves utime on
      const b = files.read('/proc/uptime');
      const c = files.read('/proc/uptime');
      assert.equal(files.size, 2);
      assert.match(a, /^\d+ \(/);
      const up = (t: string) => Number(t.split(' ')[0]);
      await new Promise((r) => setTimeout(r, 50));
      const d = files.read('/proc/uptime');
      assert.ok(up(d) > up(b), `uptime ${b.trim()} then ${d.trim()}: the second read must be regenerated`);
      assert.ok(up(c) >= up(b));
    } finally {
      files.closeAll();
    }
    assert.equal(files.size, 0);
  });

  test('a file longer than a seq_file page, and than the buffer, is read whole, every time', () => {
    const files = new KernelFiles(60_000, 1024);
    // zoneinfo: its lines, less the figures, are the same from read to read
    const shape = (t: string) => t.replace(/\d+/g, 'N');
    try {
      const expected = shape(readFileSync('/proc/zoneinfo', 'utf8'));
      assert.ok(expected.length > 4096, '/proc/zoneinfo is longer than a page');
      for (let i = 0; i < 5; i++) assert.equal(shape(files.read('/proc/zoneinfo')), expected, `read ${i + 1}`);
      const maps = files.read('/proc/self/maps');
      const whole = readFileSync('/proc/self/maps', 'utf8');
      assert.ok(whole.length > 3 * 4096, `this process's maps (${whole.length} bytes) spans pages`);
      assert.ok(Math.abs(maps.length - whole.length) < 1024, `maps read kept: ${maps.length} bytes of ${whole.length}`);
      const last = (t: string) => t.trim().split('\n').at(-1);
      assert.equal(last(maps), last(whole), 'the last line is there');
    } finally {
      files.closeAll();
    }
  });

  test('a process that exited: the read throws and the file is closed; idle files are closed after idleMs', async () => {
    const child = spawn('sleep', ['10']);
    const pid = child.pid ?? 0;
    const files = new KernelFiles(40);
    try {
      assert.match(files.read(`/proc/${pid}/status`), /^Name:\s+sleep/m);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      await new Promise((r) => setTimeout(r, 50));
      assert.throws(() => files.read(`/proc/${pid}/status`));
      assert.equal(files.size, 0);
      files.read('/proc/uptime');
      await new Promise((r) => setTimeout(r, 50));
      files.read('/proc/loadavg'); // sweeps: uptime was read since the last sweep, so it stays once
      await new Promise((r) => setTimeout(r, 50));
      files.read('/proc/loadavg'); // uptime idle for a whole period: closed
      assert.equal(files.size, 1);
    } finally {
      files.closeAll();
    }
  });

  test('at most maxOpen files are kept; beyond, a file is read whole and closed', () => {
    const files = new KernelFiles(60_000, 16 * 1024, 2);
    try {
      files.read('/proc/uptime');
      files.read('/proc/loadavg');
      assert.match(files.read('/proc/self/status'), /^Name:/m);
      assert.match(files.read('/proc/self/status'), /^Name:/m);
      assert.equal(files.size, 2, 'the third file was not kept');
    } finally {
      files.closeAll();
    }
  });

  test('tryReadTextOnce reads like tryReadText; a missing file is undefined', async () => {
    assert.match((await tryReadTextOnce('/proc/self/status')) ?? '', /^Name:/m);
    assert.equal(await tryReadTextOnce('/proc/no-such-file'), undefined);
  });

  test('only /proc, /sys/kernel/mm and /sys/block are kept open (never cgroup files or fixtures)', () => {
    assert.equal(KernelFiles.keeps('/proc/meminfo'), true);
    assert.equal(KernelFiles.keeps('/sys/kernel/mm/ksm/run'), true);
    assert.equal(KernelFiles.keeps('/sys/block/zram0/mm_stat'), true);
    assert.equal(KernelFiles.keeps('/sys/fs/cgroup/memory/overcommit/memory.usage_in_bytes'), false);
    assert.equal(KernelFiles.keeps(fixturePath('6.18', 'proc-meminfo')), false);
  });
});
