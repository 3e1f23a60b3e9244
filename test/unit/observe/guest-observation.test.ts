import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GuestPoll } from '../../../src/guest/managed/with-timeout.js';
import { parseGuestStats } from '../../../src/guest/qmp/guest-stats.js';
import { parseProcessKsmStat } from '../../../src/host/mechanisms/ksm.js';
import { processMemoryFrom } from '../../../src/host/procfs.js';
import { Collector, type ObservedGuest } from '../../../src/observe/collect.js';
import { observePolledGuest, STALE_STATS_S } from '../../../src/observe/guest-observation.js';
import type { GuestObservation } from '../../../src/observe/observation.js';
import { FIXTURES, fixture } from '../fixtures.js';

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

test('observePolledGuest: ok polls only; stale statistics are dropped; process figures are copied', () => {
  const now = 1_700_000_100_000;
  const poll: GuestPoll = {
    name: 'a',
    source: 'qmp',
    pid: 7,
    status: 'ok',
    snapshot: { memoryBytes: 256 * MiB, balloonActualBytes: 200 * MiB, stats: stats(now / 1000 - 1) },
    elapsedMs: 1,
  };
  const o = observePolledGuest(poll, { rssBytes: 300 * MiB, swapBytes: 0, ksmMergingPages: 9 }, now);
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
  assert.equal(observePolledGuest(stale, undefined, now)?.stats, undefined);
  assert.equal(observePolledGuest(stale, undefined, now)?.statsAt, undefined);
  assert.equal(observePolledGuest({ ...poll, status: 'timeout' }, undefined, now), undefined);
});

/** Captured replies: QEMU's guest-stats, and a QEMU process's /proc/PID/status and ksm_stat on 6.18. */
const capturedStats = parseGuestStats(
  JSON.parse(readFileSync(join(FIXTURES, 'qemu/guest-stats-linux.json'), 'utf8')) as unknown,
);
const capturedProcess = processMemoryFrom(fixture('6.18', 'proc-pid-status'));
const capturedKsm = parseProcessKsmStat(fixture('6.18', 'proc-pid-ksm_stat'));

/** The same readings through the agent's path (a poll and the process cache's figures) and the lab's (a guest). */
async function bothPaths(lastUpdate: number): Promise<[GuestObservation | undefined, GuestObservation]> {
  const stats = { ...capturedStats, lastUpdate };
  const memoryBytes = 2048 * MiB;
  const balloonActualBytes = 1536 * MiB;
  const agent = observePolledGuest(
    {
      name: 'g1',
      source: 'qmp',
      pid: 4242,
      status: 'ok',
      snapshot: { memoryBytes, balloonActualBytes, stats },
      elapsedMs: 3,
    },
    {
      rssBytes: capturedProcess.rssBytes,
      swapBytes: capturedProcess.swapBytes,
      ksmMergingPages: capturedKsm.mergingPages,
    },
  );
  const guest: ObservedGuest = {
    name: 'g1',
    record: { memoryBytes },
    snapshot: () =>
      Promise.resolve({
        name: 'g1',
        alive: true,
        balloonActualBytes,
        stats,
        process: { rssBytes: capturedProcess.rssBytes, swapBytes: capturedProcess.swapBytes },
        ksm: capturedKsm,
      }),
    inGuest: () => Promise.reject(new Error('not asked')),
  };
  const collector = new Collector({ paths: REAL_PATHS_UNUSED, guests: () => [guest] });
  return [agent, await collector.guest(guest, false)];
}
const REAL_PATHS_UNUSED = { sys: '/nonexistent', proc: '/nonexistent', dev: '/nonexistent', cgroupFs: '/nonexistent' };

test('the agent and the lab build the same observation from the same captured statistics', async () => {
  const [agent, lab] = await bothPaths(Math.floor(Date.now() / 1000) - 1);
  assert.ok(agent);
  assert.deepEqual(lab, agent);
  assert.equal(agent.stats?.availableMemory, 1549926400);
  assert.equal(agent.rssBytes, capturedProcess.rssBytes);
  assert.equal(agent.ksmMergingPages, capturedKsm.mergingPages);
});

test('the same staleness rule on both paths: the captured (old) report is dropped by the agent and the lab', async () => {
  const [agent, lab] = await bothPaths(capturedStats.lastUpdate);
  assert.ok(agent);
  assert.deepEqual(lab, agent);
  assert.equal(lab.stats, undefined);
  assert.equal(lab.statsAt, undefined);
});

test('a guest that never reported (last-update 0) has no statistics on either path', async () => {
  const [agent, lab] = await bothPaths(0);
  assert.equal(agent?.stats, undefined);
  assert.equal(lab.stats, undefined);
});
