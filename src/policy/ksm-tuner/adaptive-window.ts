/**
 * What the adaptive tuner measures over one decision window: the counters at the window's start (kept in its state,
 * since it decides less often than it is stepped) against the observation at its end.
 */
import type { Observation } from '../../observe/observation.js';

/** ksmd's CPU clock: /proc/PID/stat jiffies are in USER_HZ, 100 per second. */
export const USER_HZ = 100;

/** The counters at a decision, and the settings in effect from it on (what the tuner left in place). */
export interface WindowStart {
  t: number;
  ksmdCpuTicks: number;
  /** pages_scanned, when the kernel has it (6.x). */
  pagesScanned?: number;
  /** pages_shared + pages_sharing. */
  merged: number;
  fullScans: number;
  run: number;
  pagesToScan: number;
  sleepMillisecs: number;
}

export interface WindowSignals {
  seconds: number;
  /** ksmd jiffies over the window. */
  ticks: number;
  /** ksmd CPU over the window, percent of one core. */
  cpuPercent: number;
  /** Pages scanned: the kernel's counter, or pages_to_scan x wakes when the kernel lacks it. */
  scannedPages: number;
  scannedEstimated: boolean;
  /** Net change of pages_shared + pages_sharing. */
  mergedDelta: number;
  /** max(0, mergedDelta) / scannedPages; undefined when nothing was scanned (no evidence either way). */
  yield?: number;
  /** pages_volatile over the pages KSM tracks (shared + sharing + unshared + volatile) at the window's end. */
  volatileFraction: number;
  fullScansDone: number;
}

export function windowStart(
  obs: Observation,
  effective: { run: number; pagesToScan: number; sleepMillisecs: number },
): WindowStart {
  const k = obs.host.ksm;
  const start: WindowStart = {
    t: obs.t,
    ksmdCpuTicks: obs.host.ksmdCpuTicks,
    merged: k.pagesShared + k.pagesSharing,
    fullScans: k.fullScans,
    ...effective,
  };
  if (k.pagesScanned !== undefined) start.pagesScanned = k.pagesScanned;
  return start;
}

export function volatileFraction(obs: Observation): number {
  const k = obs.host.ksm;
  const tracked = k.pagesShared + k.pagesSharing + (k.pagesUnshared ?? 0) + k.pagesVolatile;
  return tracked > 0 ? k.pagesVolatile / tracked : 0;
}

/** The signals over [from.t, obs.t]; undefined when time did not move forward. */
export function measureWindow(from: WindowStart, obs: Observation): WindowSignals | undefined {
  const ms = obs.t - from.t;
  if (ms <= 0) return undefined;
  const k = obs.host.ksm;
  const ticks = Math.max(0, obs.host.ksmdCpuTicks - from.ksmdCpuTicks);
  const cpuPercent = (ticks / USER_HZ / (ms / 1000)) * 100;
  const counted = k.pagesScanned !== undefined && from.pagesScanned !== undefined;
  let scannedPages: number;
  if (counted) scannedPages = Math.max(0, (k.pagesScanned ?? 0) - (from.pagesScanned ?? 0));
  else scannedPages = from.run === 1 ? Math.floor((from.pagesToScan * ms) / Math.max(1, from.sleepMillisecs)) : 0;
  const mergedDelta = k.pagesShared + k.pagesSharing - from.merged;
  const signals: WindowSignals = {
    seconds: ms / 1000,
    ticks,
    cpuPercent,
    scannedPages,
    scannedEstimated: !counted,
    mergedDelta,
    volatileFraction: volatileFraction(obs),
    fullScansDone: Math.max(0, k.fullScans - from.fullScans),
  };
  if (scannedPages > 0) signals.yield = Math.max(0, mergedDelta) / scannedPages;
  return signals;
}
