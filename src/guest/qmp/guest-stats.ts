/**
 * The virtio-balloon's guest statistics, read with qom-get PATH guest-stats. QEMU replies
 * `{"stats": {"stat-swap-in": N, ...}, "last-update": SECONDS}`; a statistic the guest does not report is -1
 * (documented), which QEMU's uint64 visitor actually prints as 18446744073709551615. Pure.
 */
import { QmpProtocolError } from './errors.js';
import { isJsonObject } from './messages.js';

/** Our name for each statistic -> QEMU's. Sizes and swap-in/out are bytes (Linux reports pages_to_bytes); faults are counts. */
export const GUEST_STAT_NAMES = {
  swapIn: 'stat-swap-in',
  swapOut: 'stat-swap-out',
  majorFaults: 'stat-major-faults',
  minorFaults: 'stat-minor-faults',
  freeMemory: 'stat-free-memory',
  totalMemory: 'stat-total-memory',
  availableMemory: 'stat-available-memory',
  diskCaches: 'stat-disk-caches',
  hugetlbAllocations: 'stat-htlb-pgalloc',
  hugetlbFailures: 'stat-htlb-pgfail',
} as const;

export type GuestStatName = keyof typeof GUEST_STAT_NAMES;

export interface GuestStats {
  /** Seconds since the epoch of the guest's last report; 0 when it has not reported yet. */
  lastUpdate: number;
  /** undefined: the guest does not report it (or QEMU predates it). */
  stats: Record<GuestStatName, number | undefined>;
}

const STAT_ENTRIES = Object.entries(GUEST_STAT_NAMES) as Array<[GuestStatName, string]>;

/** -1 as a uint64 (2^64 - 1) is not representable as a double: JSON.parse yields 2^64. */
const UINT64_MINUS_ONE = 2 ** 64 - 1;

function isUnsupported(v: number): boolean {
  return v === -1 || v >= UINT64_MINUS_ONE;
}

export function parseGuestStats(value: unknown): GuestStats {
  if (!isJsonObject(value)) throw new QmpProtocolError('guest-stats: expected an object', { value });
  const lastUpdate = value['last-update'];
  const raw = value.stats;
  if (typeof lastUpdate !== 'number' || !Number.isFinite(lastUpdate)) {
    throw new QmpProtocolError('guest-stats: last-update is not a number', { value });
  }
  if (!isJsonObject(raw)) throw new QmpProtocolError('guest-stats: stats is not an object', { value });
  const stats = {} as Record<GuestStatName, number | undefined>;
  for (const [ours, theirs] of STAT_ENTRIES) {
    const v = raw[theirs];
    if (v === undefined) {
      stats[ours] = undefined;
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new QmpProtocolError(`guest-stats: ${theirs} is not a number`, { value });
    } else {
      stats[ours] = isUnsupported(v) ? undefined : v;
    }
  }
  return { lastUpdate, stats };
}
