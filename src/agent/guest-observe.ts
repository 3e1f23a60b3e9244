/**
 * One tick's view of the managed guests: poll each within its timeout, read the host's view of its QEMU process,
 * and turn the answers into GuestObservations (for the policies) and AgentGuest rows (for status and metrics).
 */
import type { GuestPoll } from '../guest/sources/with-timeout.js';
import { readProcessKsm } from '../host/ksm.js';
import type { HostPaths } from '../host/paths.js';
import { readProcessMemory } from '../host/procfs.js';
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

/** A poll -> the policies' view (only guests that answered in time are observed). */
export async function guestObservation(
  paths: HostPaths,
  p: GuestPoll,
  nowMs = Date.now(),
): Promise<GuestObservation | undefined> {
  if (p.status !== 'ok' || !p.snapshot) return undefined;
  const o: GuestObservation = {
    name: p.name,
    alive: true,
    memoryBytes: p.snapshot.memoryBytes,
    balloonActualBytes: p.snapshot.balloonActualBytes,
  };
  const st = p.snapshot.stats;
  if (st && nowMs / 1000 - st.lastUpdate <= STALE_STATS_S) o.stats = st.stats;
  if (p.pid !== undefined) {
    const [pm, k] = await Promise.all([
      readProcessMemory(paths, p.pid).catch(() => undefined),
      readProcessKsm(paths, p.pid).catch(() => undefined),
    ]);
    if (pm) {
      o.rssBytes = pm.rssBytes;
      o.swapBytes = pm.swapBytes;
      if (pm.pssBytes !== undefined) o.pssBytes = pm.pssBytes;
    }
    if (k) o.ksmMergingPages = k.mergingPages;
  }
  return o;
}
