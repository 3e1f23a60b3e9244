/**
 * One guest as the balloon controller sees it in one tick: its limits (floor, ceiling, reserve), how much memory it
 * could give (idle) and whether it is under pressure. Pure.
 */
import type { GuestObservation, Observation } from '../observe/observation.js';
import { formatBytes } from '../util/size.js';
import type { BalloonConfig } from './balloon-config.js';
import { guestMajorFaultsPerSecond, guestSwapInBytesPerSecond } from './rates.js';

/** Why a guest needs memory back now. `stall`: it is paging; `low-available`: it is about to. */
export interface GuestPressure {
  kind: 'stall' | 'low-available';
  /** The figures that tripped, for the action's reason. */
  detail: string;
}

export interface GuestView {
  name: string;
  /** Ceiling: the guest's configured memory. */
  memoryBytes: number;
  /** The lowest target allowed: max(floorBytes, floorFraction x memory), never above the ceiling. */
  floorBytes: number;
  /** Available memory the guest keeps: max(reserveBytes, reserveFraction x memory). */
  reserveBytes: number;
  /** Our current target for it. */
  targetBytes: number;
  /** The balloon's actual size (QMP query-balloon), when known. */
  actualBytes: number | undefined;
  /** stat-available-memory, else the control channel's MemAvailable; undefined = no stats. */
  availableBytes: number | undefined;
  /**
   * What it could give: available - reserve - (actual - target when an inflation is still under way, since the
   * guest's available memory has not dropped by it yet). 0 without stats.
   */
  idleBytes: number;
  pressure: GuestPressure | undefined;
}

/** The per-tick step limit for a guest: min(maxStepFraction x memory, maxStepBytes). */
export function stepCapBytes(memoryBytes: number, cfg: BalloonConfig): number {
  return Math.min(cfg.maxStepFraction * memoryBytes, cfg.maxStepBytes);
}

/** The smallest change worth making for a guest: max(deadBandFraction x memory, deadBandBytes). */
export function deadBandBytes(memoryBytes: number, cfg: BalloonConfig): number {
  return Math.max(cfg.deadBandFraction * memoryBytes, cfg.deadBandBytes);
}

function pressureOf(
  g: GuestObservation,
  obs: Observation,
  prev: Observation | undefined,
  available: number | undefined,
  reserve: number,
  cfg: BalloonConfig,
): GuestPressure | undefined {
  const stall: string[] = [];
  const faults = guestMajorFaultsPerSecond(obs, prev, g.name);
  if (faults !== undefined && faults >= cfg.guestMajorFaultsPerSecond) {
    stall.push(`major faults ${faults.toFixed(0)}/s >= ${cfg.guestMajorFaultsPerSecond}/s`);
  }
  const swapIn = guestSwapInBytesPerSecond(obs, prev, g.name);
  if (swapIn !== undefined && swapIn >= cfg.guestSwapInBytesPerSecond) {
    stall.push(`swap-in ${formatBytes(swapIn)}/s >= ${formatBytes(cfg.guestSwapInBytesPerSecond)}/s`);
  }
  const psi = g.inGuest?.psiMemorySomeAvg10;
  if (psi !== undefined && psi >= cfg.guestStallPercent) {
    stall.push(`in-guest PSI memory some ${psi.toFixed(1)}% >= ${cfg.guestStallPercent}%`);
  }
  if (stall.length > 0) return { kind: 'stall', detail: stall.join(', ') };
  if (available !== undefined && available < reserve) {
    return {
      kind: 'low-available',
      detail: `available ${formatBytes(available)} < reserve ${formatBytes(reserve)}`,
    };
  }
  return undefined;
}

/** Assess one live guest against our current target for it. */
export function viewGuest(
  g: GuestObservation,
  obs: Observation,
  prev: Observation | undefined,
  targetBytes: number,
  cfg: BalloonConfig,
): GuestView {
  const memoryBytes = g.memoryBytes;
  const floorBytes = Math.min(memoryBytes, Math.max(cfg.floorBytes, cfg.floorFraction * memoryBytes));
  const reserveBytes = Math.max(cfg.reserveBytes, cfg.reserveFraction * memoryBytes);
  const availableBytes = g.stats?.availableMemory ?? g.inGuest?.memAvailableBytes;
  const actualBytes = g.balloonActualBytes;
  const stillInflating = actualBytes === undefined ? 0 : Math.max(0, actualBytes - targetBytes);
  const idleBytes = availableBytes === undefined ? 0 : Math.max(0, availableBytes - reserveBytes - stillInflating);
  return {
    name: g.name,
    memoryBytes,
    floorBytes,
    reserveBytes,
    targetBytes,
    actualBytes,
    availableBytes,
    idleBytes,
    pressure: pressureOf(g, obs, prev, availableBytes, reserveBytes, cfg),
  };
}

/**
 * Where a guest under pressure goes, in this tick: paging (stall) -> its full memory at once; low on available
 * memory -> up by at least one full step, or twice the shortfall when that is more.
 */
export function pressureTarget(v: GuestView, cfg: BalloonConfig): number {
  const p = v.pressure;
  if (!p) return v.targetBytes;
  if (p.kind === 'stall') return v.memoryBytes;
  const shortfall = v.reserveBytes - (v.availableBytes ?? v.reserveBytes);
  const up = Math.max(stepCapBytes(v.memoryBytes, cfg), 2 * shortfall);
  return Math.min(v.memoryBytes, Math.round(v.targetBytes + up));
}
