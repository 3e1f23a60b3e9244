import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  counterRate,
  elapsedSeconds,
  guestMajorFaultsPerSecond,
  guestSwapInBytesPerSecond,
  hostHeadroom,
  hostStallPercent,
  hostSwapInPagesPerSecond,
} from '../../../src/policy/rates.js';
import { MiB, observation } from './trace.js';

const H = { totalMiB: 4096, availableMiB: 1000 };

test('counterRate: per second, and undefined on a reset, a missing value or no elapsed time', () => {
  assert.equal(counterRate(150, 100, 2), 25);
  assert.equal(counterRate(90, 100, 2), undefined);
  assert.equal(counterRate(undefined, 100, 2), undefined);
  assert.equal(counterRate(100, 100, undefined), undefined);
});

test('elapsedSeconds needs a previous observation and forward time', () => {
  const a = observation(10, H, []);
  const b = observation(12.5, H, []);
  assert.equal(elapsedSeconds(b, a), 2.5);
  assert.equal(elapsedSeconds(b, undefined), undefined);
  assert.equal(elapsedSeconds(a, b), undefined);
});

test('host swap-in and guest fault / swap-in rates come from counter deltas', () => {
  const a = observation(0, { ...H, pswpin: 1000 }, [{ name: 'g', majorFaults: 100, swapInBytes: 4096 }]);
  const b = observation(5, { ...H, pswpin: 2000 }, [{ name: 'g', majorFaults: 600, swapInBytes: 4096 + 5 * MiB }]);
  assert.equal(hostSwapInPagesPerSecond(b, a), 200);
  assert.equal(guestMajorFaultsPerSecond(b, a, 'g'), 100);
  assert.equal(guestSwapInBytesPerSecond(b, a, 'g'), MiB);
  assert.equal(guestMajorFaultsPerSecond(b, a, 'missing'), undefined);
  assert.equal(guestMajorFaultsPerSecond(b, undefined, 'g'), undefined);
});

test("guest rates are taken over the guest's own report clock when both reports have a time", () => {
  // Stats period 2 s, tick 1 s: the tick between two reports carries the same report again.
  const g = (faults: number, statsAt: number) => ({ name: 'g', majorFaults: faults, statsAt });
  const t0 = observation(100, H, [g(1000, 99)]);
  const t1 = observation(101, H, [g(1000, 99)]);
  const t2 = observation(102, H, [g(1400, 101)]);
  assert.equal(guestMajorFaultsPerSecond(t1, t0, 'g'), undefined, 'the same report: no rate');
  assert.equal(guestMajorFaultsPerSecond(t2, t1, 'g'), 200, '400 faults over the 2 s between reports, not over 1 s');
  // A report without a time on either side: the observations' clock.
  const bare = observation(103, H, [{ name: 'g', majorFaults: 1600 }]);
  assert.equal(guestMajorFaultsPerSecond(bare, t2, 'g'), 200);
  const later = observation(104, H, [{ name: 'g', swapInBytes: 3 * MiB, statsAt: 104 }]);
  const earlier = observation(100, H, [{ name: 'g', swapInBytes: MiB, statsAt: 100 }]);
  assert.equal(guestSwapInBytesPerSecond(later, earlier, 'g'), MiB / 2);
});

test('headroom: the budget cgroup with a limit is the host; otherwise MemAvailable', () => {
  const budget = observation(0, { ...H, budget: { limitMiB: 2048, usageMiB: 1500 } }, []);
  assert.deepEqual(hostHeadroom(budget), { headroomBytes: 548 * MiB, sizeBytes: 2048 * MiB, source: 'budget' });
  const over = observation(0, { ...H, budget: { limitMiB: 2048, usageMiB: 2100 } }, []);
  assert.equal(hostHeadroom(over).headroomBytes, 0);
  const unlimited = observation(0, { ...H, budget: { limitMiB: null, usageMiB: 1500 } }, []);
  assert.deepEqual(hostHeadroom(unlimited), { headroomBytes: 1000 * MiB, sizeBytes: 4096 * MiB, source: 'meminfo' });
  assert.equal(hostHeadroom(observation(0, H, [])).source, 'meminfo');
});

test('host stall is PSI memory some avg10, undefined without PSI', () => {
  const o = observation(0, { ...H, psiSome: 3.5 }, []);
  assert.equal(hostStallPercent(o), 3.5);
  delete o.host.psi.memory;
  assert.equal(hostStallPercent(o), undefined);
});
