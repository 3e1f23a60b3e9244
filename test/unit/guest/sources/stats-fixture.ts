import type { GuestStats } from '../../../../src/guest/qmp/guest-stats.js';

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
