import { UsageError } from '../../../errors.js';
import { atomicWrite } from '../../../util/atomic-write.js';

/**
 * The synthetic /proc/meminfo the lab gives ksmtuned (and any peer that reads host-wide meminfo): in the lab "the
 * host" is a memory cgroup (the budget) on a bigger machine, so the real file would show plenty of free memory and
 * the peer would never act. The lab writes the budget's view here and keeps it updated.
 */
export interface SyntheticMeminfo {
  totalBytes: number;
  freeBytes: number;
  /** Page cache (Cached). */
  cachedBytes: number;
  /** Buffers; 0 when not given (a cgroup has no separate figure for it). */
  buffersBytes?: number;
}

function kb(name: string, bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0)
    throw new UsageError(`synthetic meminfo ${name} of ${bytes} B`, 'give a finite number of bytes >= 0');
  // The kernel's show_val_kb(): "Name:" padded to 16 columns, the value right-aligned in 8, then " kB".
  return `${`${name}:`.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;
}

/** Renders MemTotal, MemFree, Buffers and Cached lines in kB, as the kernel prints them. Pure. */
export function syntheticMeminfo(m: SyntheticMeminfo): string {
  if (m.freeBytes + m.cachedBytes + (m.buffersBytes ?? 0) > m.totalBytes)
    throw new UsageError(
      `synthetic meminfo: free ${m.freeBytes} + cached ${m.cachedBytes} + buffers ${m.buffersBytes ?? 0} B exceed total ${m.totalBytes} B`,
      'free, cached and buffers are parts of total',
    );
  return (
    kb('MemTotal', m.totalBytes) +
    kb('MemFree', m.freeBytes) +
    kb('Buffers', m.buffersBytes ?? 0) +
    kb('Cached', m.cachedBytes)
  );
}

/** Writes it atomically (rename), so a reader never sees a half-written file. */
export async function writeSyntheticMeminfo(path: string, m: SyntheticMeminfo): Promise<void> {
  await atomicWrite(path, syntheticMeminfo(m), 0o644);
}
