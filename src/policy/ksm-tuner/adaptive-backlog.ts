/**
 * "Is there guest memory KSM has not seen yet?" New memory appears when a guest starts or its memory grows (boot,
 * a workload, a balloon deflating). KSM cannot merge a page the first time it sees it (a new page must keep its
 * checksum across two passes before it enters the unstable tree), and memory added behind the scan cursor waits
 * for the next pass: so new memory counts as seen only after `fullScansToCover` (2) full scans complete. Until
 * then the merge yield is not evidence against scanning fast — it is low by construction.
 */
import type { Observation } from '../../observe/observation.js';
import { formatBytes } from '../../util/size.js';
import type { AdaptiveConfig } from './adaptive-config.js';

export interface BacklogState {
  /** The guest memory already accounted for; follows it down, so a regrowth counts as new. */
  baselineBytes: number;
  /** Alive guests at the last decision. */
  guests: string[];
  /** New memory is pending until full_scans reaches this value; null when there is none. */
  pendingUntilFullScans: number | null;
  /** Why memory is pending, for the action's reason. */
  pendingWhy: string;
}

export const BACKLOG_INITIAL: BacklogState = {
  baselineBytes: 0,
  guests: [],
  pendingUntilFullScans: null,
  pendingWhy: '',
};

/** Guest memory KSM may merge: each alive guest's RSS, or its RAM size when RSS is not known. */
export function guestMemoryBytes(obs: Observation): number {
  return obs.guests.filter((g) => g.alive).reduce((sum, g) => sum + (g.rssBytes ?? g.memoryBytes), 0);
}

export function updateBacklog(obs: Observation, b: BacklogState, config: AdaptiveConfig): BacklogState {
  const bytes = guestMemoryBytes(obs);
  const alive = obs.guests.filter((g) => g.alive).map((g) => g.name);
  const fresh = alive.filter((n) => !b.guests.includes(n));
  const growth = bytes - b.baselineBytes;
  const grew = growth > 0 && growth >= Math.max(config.growthMinBytes, config.growthFraction * b.baselineBytes);
  const fullScans = obs.host.ksm.fullScans;
  if (bytes > 0 && (fresh.length > 0 || grew)) {
    const why =
      fresh.length > 0
        ? `new guest ${fresh.join(', ')}`
        : `guest memory grew ${formatBytes(b.baselineBytes)} -> ${formatBytes(bytes)}`;
    return {
      baselineBytes: bytes,
      guests: alive,
      pendingUntilFullScans: fullScans + config.fullScansToCover,
      pendingWhy: why,
    };
  }
  const covered = b.pendingUntilFullScans !== null && fullScans >= b.pendingUntilFullScans;
  return {
    baselineBytes: Math.min(b.baselineBytes, bytes),
    guests: alive,
    pendingUntilFullScans: covered || bytes === 0 ? null : b.pendingUntilFullScans,
    pendingWhy: covered || bytes === 0 ? '' : b.pendingWhy,
  };
}
