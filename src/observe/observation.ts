import type { GuestStats } from '../guest/qmp/guest-stats.js';
import type { Psi } from '../host/procfs.js';

/**
 * One typed snapshot of the host and its guests at an instant: the only data that flows upward. The lab's recorder,
 * the policies and the agent's metrics all read this type, so a number means the same thing everywhere.
 * Counters are cumulative (since boot); rates are derived by comparing two observations.
 */
export interface HostObservation {
  memTotalBytes: number;
  memAvailableBytes: number;
  memFreeBytes: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  /** Cumulative CPU jiffies (USER_HZ) from /proc/stat: user, system, iowait, steal, idle. */
  cpu: { user: number; system: number; iowait: number; steal: number; idle: number; total: number };
  /** Cumulative CPU jiffies of kernel threads that do the mechanisms' work. */
  ksmdCpuTicks: number;
  kswapdCpuTicks: number;
  pswpin: number;
  pswpout: number;
  psi: { memory?: Psi; io?: Psi; cpu?: Psi };
  ksm: {
    run: number;
    pagesShared: number;
    pagesSharing: number;
    pagesVolatile: number;
    fullScans: number;
    savedBytes: number;
    generalProfit?: number;
    /** Cumulative pages ksmd has scanned (6.x; absent on older kernels). */
    pagesScanned?: number;
    pagesUnshared?: number;
    /** Current settings, so a tuner can act on differences only. */
    pagesToScan?: number;
    sleepMillisecs?: number;
    advisorMode?: string;
  };
  zram: { origBytes: number; comprBytes: number; memUsedBytes: number };
  zswap: { poolBytes: number; storedBytes: number; zswpin: number; zswpout: number; zswpwb: number };
  /** The host-budget cgroup holding the guests, when there is one. */
  budget?: { usageBytes: number; limitBytes: number | null; swapUsageBytes?: number; oomKills?: number };
}

export interface GuestObservation {
  name: string;
  alive: boolean;
  memoryBytes: number;
  balloonActualBytes?: number;
  stats?: GuestStats['stats'];
  /**
   * When the guest made the report in `stats` (seconds since the epoch, QEMU's last-update): the guest reports once
   * per stats period, which may be longer than the tick, so the rates of its counters are taken over this clock.
   */
  statsAt?: number;
  rssBytes?: number;
  pssBytes?: number;
  swapBytes?: number;
  ksmMergingPages?: number;
  /** In-guest figures through the control channel (when asked for). */
  inGuest?: { memTotalBytes?: number; memAvailableBytes?: number; psiMemorySomeAvg10?: number; pgmajfault?: number };
}

export interface Observation {
  /** Milliseconds since the epoch. */
  t: number;
  host: HostObservation;
  guests: GuestObservation[];
}
