/**
 * The density scenario's judgement of one step: did the strategy hold this overcommit ratio? Held = memcached
 * measured, throughput >= the SLO share of the baseline's, nothing lost or corrupt, every guest alive. Pure.
 */
import type { DensityStep, StrategyResult } from './results.js';

export type { DensityResult, DensityStep } from './results.js';

export function judgeStep(r: StrategyResult, baseOpsPerSec: number, ratio: number, minThroughput: number): DensityStep {
  const m = r.memcached;
  const died = r.series.at(-1)?.guests.some((g) => !g.alive) ?? false;
  if (!m) return { ratio, held: false, why: died ? 'a guest died, no memcached data' : 'no memcached data' };
  const throughput = baseOpsPerSec > 0 ? m.opsPerSec / baseOpsPerSec : 0;
  const step = { ratio, throughput };
  if (died) return { ...step, held: false, why: 'a guest died' };
  if (m.integrity.lost > 0 || m.integrity.corrupt > 0)
    return { ...step, held: false, why: `${m.integrity.lost} lost, ${m.integrity.corrupt} corrupt` };
  if (throughput < minThroughput)
    return {
      ...step,
      held: false,
      why: `throughput ${(throughput * 100).toFixed(0)} % of baseline < ${(minThroughput * 100).toFixed(0)} %`,
    };
  return { ...step, held: true };
}

/** The highest ratio of a run of steps taken in ascending order, up to the first that did not hold. */
export function heldRatio(steps: readonly DensityStep[]): number | null {
  let held: number | null = null;
  for (const s of steps) {
    if (!s.held) break;
    held = s.ratio;
  }
  return held;
}
