import type { GuestStats } from '../../../../src/guest/qmp/guest-stats.js';
import type { ManagedGuest } from '../../../../src/guest/managed/source.js';

const MiB = 1024 * 1024;

/** A guest-stats answer as the polls hand it on (the figures do not matter, only that they are passed along). */
export const STATS: GuestStats = {
  lastUpdate: 1700000000,
  stats: {
    swapIn: 0,
    swapOut: 0,
    majorFaults: 0,
    minorFaults: 1,
    freeMemory: 1,
    totalMemory: 2,
    availableMemory: 1,
    diskCaches: 0,
    hugetlbAllocations: undefined,
    hugetlbFailures: undefined,
  },
};

/** A guest made of functions: each call does what the test says (256 MiB, balloon at 200 MiB, STATS by default). */
export function scripted(name: string, parts: Partial<ManagedGuest> = {}): ManagedGuest {
  return {
    name,
    source: 'qmp',
    memoryBytes: () => Promise.resolve(256 * MiB),
    balloonActual: () => Promise.resolve(200 * MiB),
    setBalloon: () => Promise.resolve(),
    stats: () => Promise.resolve(STATS),
    close: () => {},
    ...parts,
  };
}
