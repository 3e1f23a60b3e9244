/**
 * What a working-set spike cost a strategy, from the recorder's series: how far the spiking guest's balloon was
 * inflated when the spike began, and how long until it was back to full memory. Pure.
 */
import type { TimelineEntry } from '../control/policy-loop.js';
import type { Observation } from '../observe/observation.js';
import type { SpikeRun } from './workloads/spike.js';

/** A balloon within this of the guest's memory counts as fully deflated. */
export const FULL_SLACK_BYTES = 8 * 1024 * 1024;

export interface SpikeResult extends SpikeRun {
  fillSeconds: number;
  /** Guest memory minus balloon actual when the spike began (0: not inflated). */
  inflatedBeforeBytes: number;
  /** Seconds from the spike's start until the controller decided to deflate the guest (controlled strategies). */
  deflateDecidedAfterS?: number;
  /** Seconds from the spike's start until the balloon was back to full (absent: it never was, or was never down). */
  fullAfterS?: number;
}

export function spikeOutcome(
  run: SpikeRun,
  series: readonly Observation[],
  timeline: readonly TimelineEntry[] = [],
): SpikeResult {
  const view = (o: Observation) => o.guests.find((g) => g.name === run.guest);
  const before = [...series].reverse().find((o) => o.t <= run.startedAt) ?? series[0];
  const g0 = before ? view(before) : undefined;
  const inflated = g0?.balloonActualBytes !== undefined ? Math.max(0, g0.memoryBytes - g0.balloonActualBytes) : 0;
  const out: SpikeResult = { ...run, fillSeconds: (run.endedAt - run.startedAt) / 1000, inflatedBeforeBytes: inflated };
  const actualBefore = g0?.balloonActualBytes ?? Infinity;
  const decided = timeline.find(
    (e) =>
      e.t >= run.startedAt &&
      e.ok &&
      e.action.kind === 'balloon' &&
      e.action.guest === run.guest &&
      e.action.targetBytes > actualBefore,
  );
  if (decided) out.deflateDecidedAfterS = Math.max(0, (decided.t - run.startedAt) / 1000);
  if (inflated > FULL_SLACK_BYTES) {
    const full = series.find((o) => {
      const g = view(o);
      return (
        o.t >= run.startedAt &&
        g?.balloonActualBytes !== undefined &&
        g.balloonActualBytes >= g.memoryBytes - FULL_SLACK_BYTES
      );
    });
    if (full) out.fullAfterS = (full.t - run.startedAt) / 1000;
  }
  return out;
}
