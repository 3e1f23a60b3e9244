/**
 * The balloon controller's knobs, each with its default and why. Fractions are of the guest's configured memory
 * (`memoryBytes`) unless they say "of the host".
 */

const MiB = 1024 * 1024;

export interface BalloonConfig {
  // ---- host side ----
  /** Host headroom below this fraction of the host's size: the host needs memory -> inflate idle guests. */
  lowWatermark: number;
  /**
   * Host headroom above this fraction of the host's size: give memory back (deflate slowly toward full memory), but
   * never so much that the headroom falls below it again. Between the watermarks nothing moves (hysteresis); once
   * inflating, the controller keeps going until the headroom reaches the midpoint of the two.
   */
  highWatermark: number;
  /** Host PSI memory `some` avg10 (percent) at or above which the host needs memory whatever its headroom. */
  hostStallPercent: number;
  /** Host swap-ins (pages/s) at or above which the host needs memory whatever its headroom. */
  hostSwapInPagesPerSecond: number;
  /** What to reclaim per tick when only stall or swap-in (not headroom) says the host needs memory: fraction of host. */
  stallReclaimFraction: number;

  // ---- guest side ----
  /** A guest's target never goes below max(floorBytes, floorFraction x memory). */
  floorBytes: number;
  floorFraction: number;
  /** Memory a guest keeps available (stat-available-memory): max(reserveBytes, reserveFraction x memory). */
  reserveBytes: number;
  reserveFraction: number;
  /** Share of a guest's idle memory (available - reserve) taken in one tick. */
  inflateShare: number;
  /** Per-tick step limit, both directions (except a pressure deflate): min(maxStepFraction x memory, maxStepBytes). */
  maxStepFraction: number;
  maxStepBytes: number;
  /** Slow give-back per tick when the host has headroom: min(releaseStepFraction x memory, maxStepBytes). */
  releaseStepFraction: number;
  /** Guest pressure: major faults per second at or above this. */
  guestMajorFaultsPerSecond: number;
  /** Guest pressure: swap-ins in bytes per second at or above this (stat-swap-in is bytes). */
  guestSwapInBytesPerSecond: number;
  /** Guest pressure: in-guest PSI memory `some` avg10 (percent) at or above this, when the guest reports it. */
  guestStallPercent: number;
  /** After a pressure deflate, the guest is not inflated again for this long (per-guest hysteresis). */
  pressureCooldownMs: number;
  /** Dead band: a change smaller than max(deadBandFraction x memory, deadBandBytes) is not made. */
  deadBandFraction: number;
  deadBandBytes: number;
}

export const DEFAULT_BALLOON_CONFIG: Readonly<BalloonConfig> = {
  // 10 % / 20 %: MOM's pressure threshold is 20 % free; ESXi starts ballooning near 6 % of a small host (minFree).
  lowWatermark: 0.1,
  highWatermark: 0.2,
  // 10 % of wall time stalled on memory is well past Senpai's 0.1 % target: the host is already paying.
  hostStallPercent: 10,
  // 256 pages/s = 1 MiB/s of swap-in, the rate oomd's Senpai treats as "swapping" (swapout_bps_threshold).
  hostSwapInPagesPerSecond: 256,
  stallReclaimFraction: 0.02,
  // A Linux guest running memcached needs ~100 MiB to stay healthy; a quarter of its RAM is a floor users expect
  // (ESXi caps the balloon at 65 %, i.e. a floor of 35 %).
  floorBytes: 128 * MiB,
  floorFraction: 0.25,
  // MOM keeps 20 % of the guest free, ESXi's minFree is ~6 %; 10 % (at least 64 MiB) of *available* memory.
  reserveBytes: 64 * MiB,
  reserveFraction: 0.1,
  inflateShare: 0.5,
  // MOM: 5 % per 10 s; Proxmox: 100 MiB per 10 s. Ours: 10 % per tick, at most 256 MiB.
  maxStepFraction: 0.1,
  maxStepBytes: 256 * MiB,
  releaseStepFraction: 0.05,
  // A guest reading files faults a little all the time; 200/s with swap or PSI quiet is still real refault churn.
  guestMajorFaultsPerSecond: 200,
  // 256 KiB/s of swap-in (64 pages/s): the guest is paging its own working set back in.
  guestSwapInBytesPerSecond: 256 * 1024,
  guestStallPercent: 5,
  pressureCooldownMs: 60_000,
  // 1 % or 4 MiB, the larger (MOM skips changes < 0.25 %, Proxmox < 10 MiB for the whole host).
  deadBandFraction: 0.01,
  deadBandBytes: 4 * MiB,
};

/** Defaults overlaid with what the caller gave. Throws on settings that cannot work together. */
export function resolveBalloonConfig(partial: Partial<BalloonConfig> = {}): BalloonConfig {
  const c: BalloonConfig = { ...DEFAULT_BALLOON_CONFIG, ...partial };
  if (!(c.lowWatermark >= 0 && c.lowWatermark < c.highWatermark && c.highWatermark <= 1)) {
    throw new RangeError(
      `balloon: need 0 <= lowWatermark < highWatermark <= 1 (got ${c.lowWatermark}, ${c.highWatermark})`,
    );
  }
  for (const k of ['floorFraction', 'reserveFraction', 'inflateShare', 'maxStepFraction'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new RangeError(`balloon: ${k} must be within 0..1 (got ${c[k]})`);
  }
  return c;
}
