import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProcessFigureCache, guestObservation, STALE_STATS_S } from '../../../src/agent/guest-observe.js';
import type { GuestPoll } from '../../../src/guest/managed/with-timeout.js';
import { REAL_PATHS } from '../../../src/host/paths.js';

const MiB = 1024 * 1024;
const stats = (lastUpdate: number) => ({
  lastUpdate,
  stats: {
    swapIn: 0,
    swapOut: 0,
    majorFaults: 0,
    minorFaults: 0,
    freeMemory: 10 * MiB,
    totalMemory: 200 * MiB,
    availableMemory: 50 * MiB,
    diskCaches: 0,
    hugetlbAllocations: undefined,
    hugetlbFailures: undefined,
  },
});

test('guestObservation: ok polls only; stale statistics are dropped; process figures are copied', () => {
  const now = 1_700_000_100_000;
  const poll: GuestPoll = {
    name: 'a',
    source: 'qmp',
    pid: 7,
    status: 'ok',
    snapshot: { memoryBytes: 256 * MiB, balloonActualBytes: 200 * MiB, stats: stats(now / 1000 - 1) },
    elapsedMs: 1,
  };
  const o = guestObservation(poll, { rssBytes: 300 * MiB, swapBytes: 0, ksmMergingPages: 9 }, now);
  assert.deepEqual(o, {
    name: 'a',
    alive: true,
    memoryBytes: 256 * MiB,
    balloonActualBytes: 200 * MiB,
    stats: stats(0).stats,
    statsAt: now / 1000 - 1,
    rssBytes: 300 * MiB,
    swapBytes: 0,
    ksmMergingPages: 9,
  });
  const stale = { ...poll, snapshot: { ...poll.snapshot!, stats: stats(now / 1000 - STALE_STATS_S - 1) } };
  assert.equal(guestObservation(stale, undefined, now)?.stats, undefined);
  assert.equal(guestObservation(stale, undefined, now)?.statsAt, undefined);
  assert.equal(guestObservation({ ...poll, status: 'timeout' }, undefined, now), undefined);
});

test('ProcessFigureCache: a new pid is read at once, then every 5th tick; a pid that left is forgotten', async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'ovc-procfig-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  await mkdir(join(proc, '7'));
  const status = (kb: number) =>
    writeFile(join(proc, '7', 'status'), `Name:\tqemu\nVmRSS:\t  ${kb} kB\nVmSwap:\t 0 kB\n`);
  await status(100);
  const cache = new ProcessFigureCache({ ...REAL_PATHS, proc }, 5);
  assert.equal(cache.refresh([7]).get(7)?.rssBytes, 100 * 1024, 'read on first sight');
  const seen: number[] = [];
  for (let i = 0; i < 10; i++) {
    await status(200 + i);
    seen.push((cache.refresh([7]).get(7)?.rssBytes ?? 0) / 1024);
  }
  // ticks 2..11; pid 7 is due where (7 + tick) % 5 === 0: ticks 3 and 8
  assert.deepEqual(seen, [100, 201, 201, 201, 201, 201, 206, 206, 206, 206]);
  assert.equal(cache.refresh([]).size, 0);
});
