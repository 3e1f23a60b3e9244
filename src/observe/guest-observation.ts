/**
 * The one way a GuestObservation is built, for the agent and the lab alike: a guest source's reading (the agent's
 * polls of its managed guests, the lab's own guests' snapshots) goes through `observeGuest`, with one staleness rule.
 */
import type { GuestPoll } from '../guest/managed/with-timeout.js';
import type { GuestStats } from '../guest/qmp/guest-stats.js';
import type { GuestObservation } from './observation.js';

/**
 * Guest statistics older than this are not used, and neither are statistics a guest never reported (lastUpdate 0):
 * a thrashing guest's driver may stop reporting, and its last report is then rosier than the truth.
 */
export const STALE_STATS_S = 10;

/** The host's view of a guest's QEMU process. */
export interface ProcessFigures {
  rssBytes?: number;
  swapBytes?: number;
  pssBytes?: number;
  ksmMergingPages?: number;
}

/** What any guest source reads of one guest in one tick. */
export interface GuestReading {
  name: string;
  alive: boolean;
  memoryBytes: number;
  balloonActualBytes?: number;
  stats?: GuestStats;
  process?: ProcessFigures;
  inGuest?: GuestObservation['inGuest'];
}

/** Pure: a reading -> the policies' view. Statistics older than STALE_STATS_S at `nowMs` are left out. */
export function observeGuest(r: GuestReading, nowMs = Date.now()): GuestObservation {
  const o: GuestObservation = { name: r.name, alive: r.alive, memoryBytes: r.memoryBytes };
  if (r.balloonActualBytes !== undefined) o.balloonActualBytes = r.balloonActualBytes;
  if (r.stats && r.stats.lastUpdate > 0 && nowMs / 1000 - r.stats.lastUpdate <= STALE_STATS_S) {
    o.stats = r.stats.stats;
    o.statsAt = r.stats.lastUpdate;
  }
  const p = r.process;
  if (p?.rssBytes !== undefined) o.rssBytes = p.rssBytes;
  if (p?.pssBytes !== undefined) o.pssBytes = p.pssBytes;
  if (p?.swapBytes !== undefined) o.swapBytes = p.swapBytes;
  if (p?.ksmMergingPages !== undefined) o.ksmMergingPages = p.ksmMergingPages;
  if (r.inGuest) o.inGuest = r.inGuest;
  return o;
}

/** The agent's source: a poll (and its QEMU process's figures); only guests that answered are observed. */
export function observePolledGuest(
  p: GuestPoll,
  proc: ProcessFigures | undefined,
  nowMs = Date.now(),
): GuestObservation | undefined {
  if (p.status !== 'ok' || !p.snapshot) return undefined;
  const r: GuestReading = {
    name: p.name,
    alive: true,
    memoryBytes: p.snapshot.memoryBytes,
    balloonActualBytes: p.snapshot.balloonActualBytes,
  };
  if (p.snapshot.stats) r.stats = p.snapshot.stats;
  if (proc) r.process = proc;
  return observeGuest(r, nowMs);
}
