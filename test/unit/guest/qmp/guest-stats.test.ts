import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QmpProtocolError } from '../../../../src/guest/qmp/errors.js';
import { GUEST_STAT_NAMES, parseGuestStats } from '../../../../src/guest/qmp/guest-stats.js';

// What QEMU 9.x prints for qom-get guest-stats on a Linux guest without hugetlb stats (uint64 -1 printed as such).
const reply = JSON.parse(`{
  "stats": {
    "stat-swap-out": 12, "stat-available-memory": 1549926400, "stat-free-memory": 1680306176,
    "stat-minor-faults": 163219, "stat-major-faults": 510, "stat-total-memory": 2062249984,
    "stat-swap-in": 3, "stat-disk-caches": 121634816,
    "stat-htlb-pgalloc": 18446744073709551615, "stat-htlb-pgfail": 18446744073709551615
  },
  "last-update": 1700000123
}`) as unknown;

describe('parseGuestStats', () => {
  test('QEMU names -> ours; uint64 -1 (unsupported) -> undefined', () => {
    assert.deepEqual(parseGuestStats(reply), {
      lastUpdate: 1700000123,
      stats: {
        swapIn: 3,
        swapOut: 12,
        majorFaults: 510,
        minorFaults: 163219,
        freeMemory: 1680306176,
        totalMemory: 2062249984,
        availableMemory: 1549926400,
        diskCaches: 121634816,
        hugetlbAllocations: undefined,
        hugetlbFailures: undefined,
      },
    });
  });

  test('-1 as documented -> undefined; 0 stays 0', () => {
    const s = parseGuestStats({ stats: { 'stat-swap-in': -1, 'stat-swap-out': 0 }, 'last-update': 0 });
    assert.equal(s.stats.swapIn, undefined);
    assert.equal(s.stats.swapOut, 0);
    assert.equal(s.lastUpdate, 0);
  });

  test('a stat QEMU does not send (older QEMU) -> undefined; unknown extra stats are ignored', () => {
    const s = parseGuestStats({ stats: { 'stat-free-memory': 4096, 'stat-oom-kills': 2 }, 'last-update': 5 });
    assert.equal(s.stats.freeMemory, 4096);
    assert.equal(s.stats.diskCaches, undefined);
    assert.deepEqual(Object.keys(s.stats).sort(), Object.keys(GUEST_STAT_NAMES).sort());
  });

  test('wrong shapes are protocol errors', () => {
    const bad: unknown[] = [
      null,
      [],
      'stats',
      { stats: {} },
      { 'last-update': 1 },
      { stats: [], 'last-update': 1 },
      { stats: {}, 'last-update': '1' },
      { stats: { 'stat-swap-in': '3' }, 'last-update': 1 },
    ];
    for (const v of bad) assert.throws(() => parseGuestStats(v), QmpProtocolError, JSON.stringify(v));
  });
});
