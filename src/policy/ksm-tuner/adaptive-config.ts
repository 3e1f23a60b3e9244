/** The adaptive KSM tuner's knobs, with defaults chosen from what was measured on this machine (see adaptive.ts). */

export interface AdaptiveConfig {
  /** Decide at most once per this many seconds (the tuner may be stepped more often). */
  decideEverySeconds: number;
  /** sleep_millisecs, held fixed: the tuner moves pages_to_scan only, one knob, so it cannot fight itself. */
  sleepMillisecs: number;
  /** The idle rate, pages per wake: the kernel default (100 / 20 ms = 5,000 pages/s, ~2 % of a core here). */
  idlePagesToScan: number;
  /** The first rate when new guest memory appears (1,000 / 20 ms merged 100k pages to 90 % in 5.3 s here). */
  startPagesToScan: number;
  /** The ceiling, pages per wake (the CPU cap usually binds first). */
  maxPagesToScan: number;
  /** Cap on ksmd's CPU, percent of one core, measured from its jiffies over each decision window. */
  maxCpuPercent: number;
  /** Weight the CPU cost estimate keeps from earlier windows (0: the last window only), against jiffy noise. */
  cpuSmoothing: number;
  /** Merge yield (Δ(pages_shared + pages_sharing) per scanned page) at or above which scanning speeds up. */
  yieldHigh: number;
  /** Yield below which a decision counts as unproductive. Between yieldLow and yieldHigh the rate holds. */
  yieldLow: number;
  /** pages_volatile / pages KSM tracks above which a mid-band decision also counts as unproductive. */
  volatileHighFraction: number;
  /** Consecutive unproductive decisions before backing off. */
  lowYieldDecisions: number;
  /** Speed-up factor per productive decision. */
  rampFactor: number;
  /** Back-off factor per unproductive decision, once lowYieldDecisions is reached. */
  decayFactor: number;
  /** Guest memory must grow by at least this many bytes (and growthFraction) to count as new mergeable memory. */
  growthMinBytes: number;
  /** ... and by this fraction of what was there. */
  growthFraction: number;
  /** Full scans that must complete after new memory appeared before it counts as seen (KSM needs two sightings). */
  fullScansToCover: number;
  /** pages_to_scan changes smaller than this fraction are not made (except to reach idle or the ceiling). */
  deadbandFraction: number;
  /** Ensure smart_scan=1 (skip pages that keep failing to merge) on kernels that have it (6.7+). */
  smartScan: boolean;
}

export const ADAPTIVE_DEFAULTS: Readonly<AdaptiveConfig> = {
  decideEverySeconds: 1,
  sleepMillisecs: 20,
  idlePagesToScan: 100,
  startPagesToScan: 1000,
  maxPagesToScan: 10_000,
  maxCpuPercent: 20,
  cpuSmoothing: 0.7,
  yieldHigh: 0.01,
  yieldLow: 0.002,
  volatileHighFraction: 0.3,
  lowYieldDecisions: 3,
  rampFactor: 4,
  decayFactor: 0.5,
  growthMinBytes: 64 * 1024 * 1024,
  growthFraction: 0.05,
  fullScansToCover: 2,
  deadbandFraction: 0.1,
  smartScan: true,
};
