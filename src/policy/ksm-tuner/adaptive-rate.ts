/**
 * The adaptive tuner's control law for pages_to_scan (sleep_millisecs stays fixed), one decision at a time:
 *
 * 1. Want: `hot` (unseen guest memory, or yield >= yieldHigh) -> max(startPagesToScan, current x rampFactor) (on the
 *    first decision, with no CPU measurement yet, max(startPagesToScan, current));
 *    unproductive (yield < yieldLow, or mid-band yield with many volatile pages) for lowYieldDecisions in a row ->
 *    current x decayFactor; otherwise hold. Clamped to idle..max.
 * 2. CPU cap: ksmd's CPU is about proportional to pages_to_scan, so the rate that meets the cap is
 *    maxCpuPercent / (CPU per page of pages_to_scan) — with a single window, current x maxCpuPercent / measured CPU;
 *    the per-page cost is smoothed over windows (adaptive-cpu.ts). The wanted rate never exceeds it: that lowers the
 *    rate proportionally when ksmd is over the cap, and stops a ramp at the cap instead of overshooting it. The cap
 *    may push the rate below idle.
 * 3. Deadband: changes under deadbandFraction are not made (except to land exactly on idle or the ceiling), so CPU
 *    tick noise at the cap and yield noise do not make it flap. The cap is therefore held within the deadband.
 * Hysteresis comes from the two yield thresholds, the streak before backing off, and the deadband.
 */
import type { AdaptiveConfig } from './adaptive-config.js';
import type { WindowSignals } from './adaptive-window.js';

export interface RateInput {
  /** pages_to_scan in effect during the window. */
  current: number;
  /** Why there is unseen guest memory, when there is. */
  pending?: string;
  /** Undefined on the first decision (no window yet). */
  signals?: WindowSignals;
  /** Smoothed ksmd CPU, percent of a core per page of pages_to_scan; undefined before ksmd used any. */
  cpuPercentPerPage?: number;
  lowStreak: number;
}

export interface RateOutput {
  pagesToScan: number;
  lowStreak: number;
  /** The numbers that drove the decision. */
  why: string;
}

const fmt = (x: number) => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));

export function describeSignals(s: WindowSignals | undefined, config: AdaptiveConfig): string {
  if (!s) return 'no window yet';
  const y =
    s.yield === undefined
      ? 'nothing scanned'
      : `yield ${fmt(s.yield)} (${s.mergedDelta} merged / ${s.scannedPages}${s.scannedEstimated ? ' est.' : ''} scanned)`;
  const cpu = `ksmd CPU ${s.cpuPercent.toFixed(1)}% (cap ${config.maxCpuPercent}%)`;
  const vol = `volatile ${(s.volatileFraction * 100).toFixed(0)}%`;
  return `${y}, ${cpu}, ${vol} over ${s.seconds.toFixed(1)} s`;
}

function wanted(input: RateInput, config: AdaptiveConfig): { pages: number; lowStreak: number; why: string } {
  const { current, signals: s } = input;
  const clamp = (p: number) => Math.min(config.maxPagesToScan, Math.max(config.idlePagesToScan, Math.round(p)));
  // Without a window there is no CPU measurement yet: start at startPagesToScan, but do not multiply blind.
  const ramp = () => clamp(Math.max(config.startPagesToScan, s ? current * config.rampFactor : current));
  if (input.pending !== undefined) return { pages: ramp(), lowStreak: 0, why: `unscanned: ${input.pending}` };
  const y = s?.yield;
  if (s === undefined || y === undefined) return { pages: clamp(current), lowStreak: input.lowStreak, why: 'hold' };
  if (y >= config.yieldHigh) return { pages: ramp(), lowStreak: 0, why: `yield >= ${config.yieldHigh}: speed up` };
  const volatile = s.volatileFraction > config.volatileHighFraction;
  if (y < config.yieldLow || volatile) {
    const lowStreak = input.lowStreak + 1;
    const cause = y < config.yieldLow ? `yield < ${config.yieldLow}` : `volatile > ${config.volatileHighFraction}`;
    if (lowStreak < config.lowYieldDecisions) {
      return { pages: clamp(current), lowStreak, why: `${cause} (${lowStreak}/${config.lowYieldDecisions})` };
    }
    // Low yield for the whole hold and full scans completed in the window, no new memory pending: everything
    // mergeable is merged. Go idle at once instead of halving step by step, which paid for several more empty full
    // scans at a high rate (bench/ksm-converge: 0.30 of 0.64 ksmd CPU-seconds). The hold keeps it from flapping.
    if (!volatile && s.fullScansDone >= 1)
      return { pages: config.idlePagesToScan, lowStreak, why: `${cause} ${lowStreak} times over full scans: idle` };
    return { pages: clamp(current * config.decayFactor), lowStreak, why: `${cause} ${lowStreak} times: back off` };
  }
  return { pages: clamp(current), lowStreak: 0, why: 'yield in band: hold' };
}

export function nextRate(input: RateInput, config: AdaptiveConfig): RateOutput {
  const w = wanted(input, config);
  let pages = w.pages;
  let why = w.why;
  const perPage = input.cpuPercentPerPage;
  if (perPage !== undefined && perPage > 0) {
    const capPages = Math.max(1, Math.floor(config.maxCpuPercent / perPage));
    if (pages > capPages) {
      pages = capPages;
      why += `; held to ${capPages} by the CPU cap (est. ${(input.current * perPage).toFixed(1)}% at ${input.current})`;
    }
  }
  const change = Math.abs(pages - input.current) / Math.max(1, input.current);
  const onBound = pages === config.idlePagesToScan || pages === config.maxPagesToScan;
  if (pages !== input.current && change < config.deadbandFraction && !onBound) {
    why += `; ${pages} is within the ${config.deadbandFraction * 100}% deadband`;
    pages = input.current;
  }
  return { pagesToScan: pages, lowStreak: w.lowStreak, why };
}
