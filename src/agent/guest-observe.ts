/**
 * One tick's view of the managed guests: the polls' answers and the host's view of each QEMU process, turned into
 * GuestObservations (for the policies) and AgentGuest rows (for status and metrics).
 *
 * The process figures (RSS, swap, KSM merging pages) come from /proc/PID/status and ksm_stat, read for a fifth of
 * the guests each tick (each guest every 5 ticks) and kept in between: at 100 guests, reading both files of every
 * guest every second cost more than the rest of the tick (bench/agent-overhead). Nothing that reacts fast reads them:
 * the KSM tuner's backlog and the dashboard.
 */
import type { GuestPoll } from '../guest/managed/with-timeout.js';
import { readProcessKsmSync } from '../host/mechanisms/ksm.js';
import type { HostPaths } from '../host/paths.js';
import { readProcessRssSync } from '../host/procfs.js';
import type { GuestObservation } from '../observe/observation.js';
import type { AgentGuest } from './state.js';

/** Pure: a poll -> the row the status page shows. */
export function agentGuestRow(p: GuestPoll, targetBytes: number | undefined): AgentGuest {
  const row: AgentGuest = { name: p.name, source: p.source, status: p.status };
  if (p.error !== undefined) row.error = p.error;
  if (targetBytes !== undefined) row.balloonTargetBytes = targetBytes;
  return row;
}

/** Guest statistics older than this are not used: a thrashing guest's driver may stop reporting (stale = rosy). */
export const STALE_STATS_S = 10;

export interface ProcessFigures {
  rssBytes?: number;
  swapBytes?: number;
  ksmMergingPages?: number;
}

/** Pure: a poll (and its QEMU process's figures) -> the policies' view; only guests that answered are observed. */
export function guestObservation(
  p: GuestPoll,
  proc: ProcessFigures | undefined,
  nowMs = Date.now(),
): GuestObservation | undefined {
  if (p.status !== 'ok' || !p.snapshot) return undefined;
  const o: GuestObservation = {
    name: p.name,
    alive: true,
    memoryBytes: p.snapshot.memoryBytes,
    balloonActualBytes: p.snapshot.balloonActualBytes,
  };
  const st = p.snapshot.stats;
  if (st && nowMs / 1000 - st.lastUpdate <= STALE_STATS_S) {
    o.stats = st.stats;
    o.statsAt = st.lastUpdate;
  }
  if (proc?.rssBytes !== undefined) o.rssBytes = proc.rssBytes;
  if (proc?.swapBytes !== undefined) o.swapBytes = proc.swapBytes;
  if (proc?.ksmMergingPages !== undefined) o.ksmMergingPages = proc.ksmMergingPages;
  return o;
}

/** Reads each QEMU process's figures every `every` ticks (staggered by pid), keeping them in between. */
export class ProcessFigureCache {
  private readonly figures = new Map<number, ProcessFigures>();
  private tick = 0;

  constructor(
    private readonly paths: HostPaths,
    private readonly every = 5,
  ) {}

  /**
   * The figures of these pids for this tick: read where due or never read, kept otherwise. Synchronous: the files
   * are kernel pseudo-files (host/fsio.ts).
   */
  refresh(pids: readonly number[]): ReadonlyMap<number, ProcessFigures> {
    this.tick++;
    const live = new Set(pids);
    for (const pid of this.figures.keys()) if (!live.has(pid)) this.figures.delete(pid);
    for (const pid of live) {
      if (this.figures.has(pid) && (pid + this.tick) % this.every !== 0) continue;
      const pm = readProcessRssSync(this.paths, pid);
      const k = readProcessKsmSync(this.paths, pid);
      const f: ProcessFigures = {};
      if (pm) {
        f.rssBytes = pm.rssBytes;
        f.swapBytes = pm.swapBytes;
      }
      if (k) f.ksmMergingPages = k.mergingPages;
      this.figures.set(pid, f);
    }
    return this.figures;
  }
}
