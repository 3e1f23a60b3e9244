/**
 * Which strategy won, in words a person reads in 30 seconds. The winner is the strategy (other than the baseline)
 * with the highest overcommit ratio among those that kept throughput at 90% of the baseline or more, lost and
 * corrupted no key, and kept every guest alive; ties go to the higher throughput, then the lower p99. Pure.
 */
import { totalSaved, type StrategySummary } from './aggregate.js';
import {
  formatLatencyUs,
  formatMiB,
  formatNumber,
  formatOps,
  formatPercent,
  formatRatio,
  formatSeconds,
  formatSize,
} from './format.js';

export const THROUGHPUT_FLOOR = 0.9;

export interface Verdict {
  /** One short sentence: "zram won." */
  headline: string;
  /** The rest of the paragraph. */
  body: string;
  winner?: StrategySummary;
}

/** The throughput bar as a percentage: "90%". */
export function formatFloor(): string {
  return `${formatNumber(THROUGHPUT_FLOOR * 100)}%`;
}

/** Why a strategy cannot win; undefined when it meets the bar. */
export function disqualification(s: StrategySummary): string | undefined {
  if (s.memcachedRuns < s.runs.length) return 'no memcached data';
  const died = s.problems.find((p) => p.includes('not alive'));
  if (died !== undefined) return died;
  if ((s.lost ?? 0) > 0) return `${formatNumber(s.lost)} keys lost`;
  if ((s.corrupt ?? 0) > 0) return `${formatNumber(s.corrupt)} values corrupt`;
  const t = s.vsBaseline.throughput;
  if (t === undefined) return 'no baseline to compare with';
  if (t < THROUGHPUT_FLOOR) return `throughput ${formatPercent(t)} of baseline`;
  return undefined;
}

function better(a: StrategySummary, b: StrategySummary): boolean {
  if (a.overcommitRatio !== b.overcommitRatio) return a.overcommitRatio > b.overcommitRatio;
  const ta = a.vsBaseline.throughput ?? 0;
  const tb = b.vsBaseline.throughput ?? 0;
  if (ta !== tb) return ta > tb;
  return (a.vsBaseline.p99 ?? Infinity) < (b.vsBaseline.p99 ?? Infinity);
}

/** The strategies that meet the bar, best first. */
export function rankEligible(summaries: readonly StrategySummary[]): StrategySummary[] {
  return summaries
    .filter((s) => !s.isBaseline && disqualification(s) === undefined)
    .sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}

function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function costSentence(w: StrategySummary, base: StrategySummary | undefined): string {
  const costs: string[] = [];
  if (w.vsBaseline.p99 !== undefined) {
    const abs = base?.latency
      ? ` (${formatLatencyUs(w.latency?.p99Us)} vs ${formatLatencyUs(base.latency.p99Us)})`
      : '';
    costs.push(`p99 latency ${formatRatio(w.vsBaseline.p99)} the baseline's${abs}`);
  }
  const threads: string[] = [];
  if (w.cpuSeconds.ksmd > 0.005) threads.push(`${formatSeconds(w.cpuSeconds.ksmd)} of ksmd`);
  if (w.cpuSeconds.kswapd > 0.005) threads.push(`${formatSeconds(w.cpuSeconds.kswapd)} of kswapd`);
  if (threads.length > 0) costs.push(`${joinWords(threads)} CPU`);
  if (base) {
    const extra = w.cpuSeconds.system - base.cpuSeconds.system;
    if (extra > 0.005) costs.push(`system CPU ${formatSeconds(extra)} above the baseline's`);
  }
  if (w.swapIo.pagesOut > 0) costs.push(`${formatNumber(w.swapIo.pagesOut)} pages swapped out`);
  const saved = (
    [
      ['KSM', w.savedBytes.ksm],
      ['zram', w.savedBytes.zram],
      ['zswap', w.savedBytes.zswap],
      ['the balloon', w.savedBytes.balloon],
    ] as const
  )
    .filter(([, b]) => b > 0)
    .map(([name, b]) => `${formatMiB(b)} by ${name}`);
  const parts: string[] = [];
  if (costs.length > 0) parts.push(`The cost: ${joinWords(costs)}.`);
  if (saved.length > 0) parts.push(`Memory saved: ${joinWords(saved)}.`);
  else if (totalSaved(w) === 0) parts.push('The kernel counters show no memory saved by any mechanism.');
  return parts.join(' ');
}

export function decideVerdict(summaries: readonly StrategySummary[]): Verdict {
  if (summaries.length === 0) return { headline: 'No result.', body: 'These results hold no strategy.' };
  const base = summaries.find((s) => s.isBaseline);
  const ranked = rankEligible(summaries);
  const out = summaries
    .filter((s) => !s.isBaseline && !ranked.includes(s))
    .map((s) => `${s.strategy} (${disqualification(s) ?? ''})`);
  const outSentence = out.length > 0 ? ` Did not meet the bar: ${joinWords(out)}.` : '';
  const bar = `throughput ≥ ${formatFloor()} of baseline, no key lost, every guest alive`;
  const winner = ranked[0];
  if (!winner) {
    const noBase = base ? '' : ` There is no baseline ('none') run to compare with.`;
    return {
      headline: 'No strategy met the bar.',
      body: `The bar: ${bar}.${noBase}${outSentence}`,
    };
  }
  const baseOps =
    base?.opsPerSec !== undefined ? ` (${formatOps(winner.opsPerSec)} vs ${formatOps(base.opsPerSec)})` : '';
  const first =
    `Highest overcommit within the bar: ${formatRatio(winner.overcommitRatio)} ` +
    `(${formatSize(winner.guestRamBytes)} of guest RAM in a ${formatSize(winner.budgetBytes)} budget), ` +
    `at ${formatPercent(winner.vsBaseline.throughput)} of the baseline's throughput${baseOps}, no key lost.`;
  const runnersUp = ranked
    .slice(1)
    .map(
      (s) =>
        `${s.strategy} at ${formatRatio(s.overcommitRatio)} (${formatPercent(s.vsBaseline.throughput)} throughput)`,
    );
  const also = runnersUp.length > 0 ? ` Also within the bar: ${joinWords(runnersUp)}.` : '';
  return {
    headline: `${winner.strategy} won.`,
    body: `${first} ${costSentence(winner, base)}${also}${outSentence}`,
    winner,
  };
}
