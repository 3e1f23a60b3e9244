/**
 * The host side of the balloon controller: does the host need memory, have some to give back, or neither — with
 * hysteresis between the two so the balloons do not pump. Pure.
 */
import type { Observation } from '../observe/observation.js';
import { formatBytes } from '../util/size.js';
import type { BalloonConfig } from './balloon-config.js';
import { hostHeadroom, hostStallPercent, hostSwapInPagesPerSecond } from './rates.js';

/** reclaim: inflate idle guests; release: deflate slowly toward full memory; hold: only guest pressure moves. */
export type BalloonMode = 'hold' | 'reclaim' | 'release';

export interface HostView {
  mode: BalloonMode;
  headroomBytes: number;
  sizeBytes: number;
  lowBytes: number;
  highBytes: number;
  /** Where a reclaim stops: the midpoint of the watermarks. */
  goalBytes: number;
  /** Set when stall or swap-in (not headroom) made the host need memory. */
  stall: string | undefined;
  /** The host figures in words, for reasons. */
  summary: string;
}

export function viewHost(
  obs: Observation,
  prev: Observation | undefined,
  prevMode: BalloonMode,
  cfg: BalloonConfig,
): HostView {
  const h = hostHeadroom(obs);
  const lowBytes = cfg.lowWatermark * h.sizeBytes;
  const highBytes = cfg.highWatermark * h.sizeBytes;
  const goalBytes = (lowBytes + highBytes) / 2;
  const stallPct = hostStallPercent(obs);
  const swapIn = hostSwapInPagesPerSecond(obs, prev);
  const why: string[] = [];
  if (stallPct !== undefined && stallPct >= cfg.hostStallPercent) {
    why.push(`host PSI memory some ${stallPct.toFixed(1)}% >= ${cfg.hostStallPercent}%`);
  }
  if (swapIn !== undefined && swapIn >= cfg.hostSwapInPagesPerSecond) {
    why.push(`host swap-in ${swapIn.toFixed(0)} pages/s >= ${cfg.hostSwapInPagesPerSecond}`);
  }
  const stall = why.length > 0 ? why.join(', ') : undefined;
  const low = h.headroomBytes < lowBytes;
  let mode: BalloonMode;
  if (low || stall) mode = 'reclaim';
  else if (prevMode === 'reclaim' && h.headroomBytes < goalBytes) mode = 'reclaim';
  else if (h.headroomBytes > highBytes) mode = 'release';
  else mode = 'hold';
  const pct = (x: number) => `${((100 * x) / h.sizeBytes).toFixed(1)}%`;
  const summary =
    `host headroom ${formatBytes(h.headroomBytes)} (${pct(h.headroomBytes)} of ${formatBytes(h.sizeBytes)}, ` +
    `${h.source}); low ${formatBytes(lowBytes)}, high ${formatBytes(highBytes)}` +
    (stall ? `; ${stall}` : '');
  return {
    mode,
    headroomBytes: h.headroomBytes,
    sizeBytes: h.sizeBytes,
    lowBytes,
    highBytes,
    goalBytes,
    stall,
    summary,
  };
}

/**
 * Bytes to take from guests this tick in reclaim mode: enough to bring the headroom to the goal, counting what is
 * already on its way (inflations not yet done add headroom; deflations not yet done take it), and at least the
 * stall step when stall or swap-in is the reason.
 */
export function reclaimNeedBytes(
  host: HostView,
  pendingInflateBytes: number,
  pendingDeflateBytes: number,
  cfg: BalloonConfig,
): number {
  const toGoal = host.goalBytes - host.headroomBytes - pendingInflateBytes + pendingDeflateBytes;
  const forStall = host.stall ? cfg.stallReclaimFraction * host.sizeBytes : 0;
  return Math.max(0, toGoal, forStall);
}

/** Bytes that may go back to guests this tick in release mode without bringing the headroom below the high mark. */
export function releaseBudgetBytes(host: HostView, pendingDeflateBytes: number): number {
  return Math.max(0, host.headroomBytes - host.highBytes - pendingDeflateBytes);
}
