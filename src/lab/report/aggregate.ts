/**
 * One summary per strategy, whatever the number of repetitions: means of the figures, sums of the losses, and the
 * ratios against the baseline. Pure.
 *
 * Ratios against the baseline: a run's own `vsBaseline` wins; otherwise its memcached figures are divided by those of
 * the baseline (`none`) run of the same repetition, or by the mean over the baseline's runs when that repetition has
 * none. A strategy's ratio is the mean of its runs' ratios.
 */
import type { FioResult, LatencySummary, LabResults, NetworkResult, StrategyResult } from '../results.js';

export const BASELINE = 'none';

export interface RunComparison {
  /** ops/s over the baseline's ops/s: 1.0 = as fast. */
  throughput?: number;
  /** p99 latency over the baseline's: 1.0 = as fast, 2.0 = twice as slow. */
  p99?: number;
}

export interface StrategySummary {
  strategy: string;
  /** This strategy's runs, by repetition. */
  runs: StrategyResult[];
  isBaseline: boolean;
  overcommitRatio: number;
  guestRamBytes: number;
  budgetBytes: number;
  /** Runs that have a memcached result. */
  memcachedRuns: number;
  opsPerSec?: number;
  latency?: LatencySummary;
  errors?: number;
  /** Summed over runs: one lost key in any run counts. */
  lost?: number;
  corrupt?: number;
  vsBaseline: RunComparison;
  savedBytes: StrategyResult['savedBytes'];
  cpuSeconds: StrategyResult['cpuSeconds'];
  swapIo: StrategyResult['swapIo'];
  /** Per fio job name, the mean over runs. */
  fio: FioResult[];
  network?: NetworkResult;
  /** What went wrong, from the runs' notes and from their data (a run without memcached, a guest that died). */
  problems: string[];
  /** The runs' notes (free text), prefixed with the repetition when there are several. */
  notes: string[];
}

export function mean(values: readonly number[]): number | undefined {
  const ok = values.filter((v) => Number.isFinite(v));
  return ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0) / ok.length;
}

function meanOr0(values: readonly number[]): number {
  return mean(values) ?? 0;
}

function ratio(value: number, base: number | undefined): number | undefined {
  if (base === undefined || !Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return undefined;
  return value / base;
}

function meanLatency(list: readonly LatencySummary[]): LatencySummary | undefined {
  if (list.length === 0) return undefined;
  const m = (k: keyof LatencySummary): number => meanOr0(list.map((l) => l[k]));
  return {
    count: list.reduce((a, l) => a + l.count, 0),
    p50Us: m('p50Us'),
    p90Us: m('p90Us'),
    p99Us: m('p99Us'),
    p999Us: m('p999Us'),
    maxUs: Math.max(...list.map((l) => l.maxUs)),
    meanUs: m('meanUs'),
  };
}

/** The ratios of one run against the baseline runs (see the file comment). */
export function compareRun(run: StrategyResult, baselineRuns: readonly StrategyResult[]): RunComparison {
  if (run.vsBaseline) return { ...run.vsBaseline };
  const mc = run.memcached;
  if (!mc) return {};
  const withData = baselineRuns.filter((b) => b.memcached !== undefined);
  const same = withData.find((b) => b.repetition === run.repetition)?.memcached;
  const baseOps = same ? same.opsPerSec : mean(withData.map((b) => b.memcached?.opsPerSec ?? NaN));
  const baseP99 = same ? same.latency.p99Us : mean(withData.map((b) => b.memcached?.latency.p99Us ?? NaN));
  return { throughput: ratio(mc.opsPerSec, baseOps), p99: ratio(mc.latency.p99Us, baseP99) };
}

/** "web2 not alive from 14 s" for each guest that stopped during the run. */
export function guestDeaths(run: StrategyResult): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const t0 = run.series[0]?.t;
  for (const o of run.series) {
    for (const g of o.guests) {
      if (g.alive || seen.has(g.name)) continue;
      seen.add(g.name);
      const at = t0 === undefined ? '' : ` from ${Math.round((o.t - t0) / 1000)} s`;
      out.push(`guest ${g.name} not alive${at}`);
    }
  }
  return out;
}

function meanFio(runs: readonly StrategyResult[]): FioResult[] {
  const byJob = new Map<string, FioResult[]>();
  for (const r of runs) for (const f of r.fio ?? []) byJob.set(f.job, [...(byJob.get(f.job) ?? []), f]);
  return [...byJob].map(([job, list]) => {
    const read = meanLatency(list.flatMap((f) => (f.readLatency ? [f.readLatency] : [])));
    const write = meanLatency(list.flatMap((f) => (f.writeLatency ? [f.writeLatency] : [])));
    return {
      job,
      readIops: meanOr0(list.map((f) => f.readIops)),
      writeIops: meanOr0(list.map((f) => f.writeIops)),
      readBwBytesPerSec: meanOr0(list.map((f) => f.readBwBytesPerSec)),
      writeBwBytesPerSec: meanOr0(list.map((f) => f.writeBwBytesPerSec)),
      ...(read ? { readLatency: read } : {}),
      ...(write ? { writeLatency: write } : {}),
    };
  });
}

function meanNetwork(runs: readonly StrategyResult[]): NetworkResult | undefined {
  const list = runs.flatMap((r) => (r.network ? [r.network] : []));
  const latency = meanLatency(list.map((n) => n.rrLatency));
  if (!latency) return undefined;
  return {
    hostToGuestBitsPerSec: meanOr0(list.map((n) => n.hostToGuestBitsPerSec)),
    guestToHostBitsPerSec: meanOr0(list.map((n) => n.guestToHostBitsPerSec)),
    rrPerSec: meanOr0(list.map((n) => n.rrPerSec)),
    rrLatency: latency,
  };
}

function summarize(strategy: string, runs: StrategyResult[], baselineRuns: StrategyResult[]): StrategySummary {
  const several = runs.length > 1;
  const prefix = (r: StrategyResult): string => (several ? `repetition ${r.repetition}: ` : '');
  const mcs = runs.flatMap((r) => (r.memcached ? [r.memcached] : []));
  const comparisons = runs.map((r) => compareRun(r, baselineRuns));
  const problems: string[] = [];
  for (const r of runs) {
    if (!r.memcached) problems.push(`${prefix(r)}no memcached data`);
    for (const d of guestDeaths(r)) problems.push(`${prefix(r)}${d}`);
    const i = r.memcached?.integrity;
    if (i && i.lost > 0) problems.push(`${prefix(r)}${i.lost} of ${i.keysWritten} keys lost`);
    if (i && i.corrupt > 0) problems.push(`${prefix(r)}${i.corrupt} of ${i.keysWritten} values corrupt`);
  }
  const latency = meanLatency(mcs.map((m) => m.latency));
  const network = meanNetwork(runs);
  const m = (f: (r: StrategyResult) => number): number => meanOr0(runs.map(f));
  return {
    strategy,
    runs,
    isBaseline: strategy === BASELINE,
    overcommitRatio: m((r) => r.overcommitRatio),
    guestRamBytes: m((r) => r.guestRamBytes),
    budgetBytes: m((r) => r.budgetBytes),
    memcachedRuns: mcs.length,
    ...(mcs.length > 0
      ? {
          opsPerSec: mean(mcs.map((x) => x.opsPerSec)),
          errors: mcs.reduce((a, x) => a + x.errors, 0),
          lost: mcs.reduce((a, x) => a + x.integrity.lost, 0),
          corrupt: mcs.reduce((a, x) => a + x.integrity.corrupt, 0),
        }
      : {}),
    ...(latency ? { latency } : {}),
    vsBaseline: {
      throughput: mean(comparisons.map((c) => c.throughput ?? NaN)),
      p99: mean(comparisons.map((c) => c.p99 ?? NaN)),
    },
    savedBytes: {
      ksm: m((r) => r.savedBytes.ksm),
      zram: m((r) => r.savedBytes.zram),
      zswap: m((r) => r.savedBytes.zswap),
      balloon: m((r) => r.savedBytes.balloon),
    },
    cpuSeconds: {
      ksmd: m((r) => r.cpuSeconds.ksmd),
      kswapd: m((r) => r.cpuSeconds.kswapd),
      system: m((r) => r.cpuSeconds.system),
      user: m((r) => r.cpuSeconds.user),
      iowait: m((r) => r.cpuSeconds.iowait),
    },
    swapIo: { pagesIn: m((r) => r.swapIo.pagesIn), pagesOut: m((r) => r.swapIo.pagesOut) },
    fio: meanFio(runs),
    ...(network ? { network } : {}),
    problems,
    notes: runs.flatMap((r) => r.notes.map((n) => `${prefix(r)}${n}`)),
  };
}

/** One summary per strategy, in the order the strategies first appear in the results. */
export function summarizeStrategies(results: LabResults): StrategySummary[] {
  const groups = new Map<string, StrategyResult[]>();
  for (const r of results.strategies) groups.set(r.strategy, [...(groups.get(r.strategy) ?? []), r]);
  for (const runs of groups.values()) runs.sort((a, b) => a.repetition - b.repetition);
  const baselineRuns = groups.get(BASELINE) ?? [];
  return [...groups].map(([name, runs]) => summarize(name, runs, baselineRuns));
}

/** The memory saved by all mechanisms together. */
export function totalSaved(s: StrategySummary): number {
  const b = s.savedBytes;
  return b.ksm + b.zram + b.zswap + b.balloon;
}
