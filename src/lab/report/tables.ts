/** The report's tables, one row per strategy (the fio table: one per strategy and job). Pure. */
import type { StrategySummary } from './aggregate.js';
import { totalSaved } from './aggregate.js';
import {
  formatBitsPerSec,
  formatBytesPerSec,
  formatIops,
  formatLatencyUs,
  formatMiB,
  formatNumber,
  formatOps,
  formatPages,
  formatPercent,
  formatRatio,
  formatSeconds,
  formatSize,
  MISSING,
} from './format.js';
import { left, right, type Table } from './table.js';
import { disqualification, formatFloor } from './verdict.js';

const NO_DATA = 'no data';

function name(s: StrategySummary): string {
  return s.isBaseline ? `${s.strategy} (baseline)` : s.strategy;
}

function barCell(s: StrategySummary, winner: StrategySummary | undefined): string {
  if (s === winner) return 'yes, winner';
  if (s.isBaseline) return 'baseline';
  const why = disqualification(s);
  return why === undefined ? 'yes' : `no: ${why}`;
}

export function summaryTable(summaries: readonly StrategySummary[], winner: StrategySummary | undefined): Table {
  const repeated = summaries.some((s) => s.runs.length > 1);
  return {
    id: 'table-summary',
    title: 'Summary',
    description:
      `Ratios are against the baseline (none) of the same repetition; the bar is throughput ≥ ` +
      `${formatFloor()} of baseline, no key lost or corrupt, every guest alive.` +
      (repeated ? ' Figures are means over the repetitions; losses are summed.' : ''),
    columns: [
      left('Strategy'),
      ...(repeated ? [right('Runs')] : []),
      right('Overcommit'),
      right('Guest RAM / budget'),
      right('Throughput'),
      right('vs baseline'),
      right('p99 latency'),
      right('vs baseline'),
      right('Lost / corrupt'),
      left('Meets the bar'),
    ],
    rows: summaries.map((s) => {
      const hasData = s.memcachedRuns > 0;
      return [
        name(s),
        ...(repeated ? [String(s.runs.length)] : []),
        formatRatio(s.overcommitRatio),
        `${formatSize(s.guestRamBytes)} / ${formatSize(s.budgetBytes)}`,
        hasData ? formatOps(s.opsPerSec) : NO_DATA,
        formatPercent(s.vsBaseline.throughput),
        hasData ? formatLatencyUs(s.latency?.p99Us) : NO_DATA,
        formatRatio(s.vsBaseline.p99),
        hasData ? `${formatNumber(s.lost)} / ${formatNumber(s.corrupt)}` : NO_DATA,
        barCell(s, winner),
      ];
    }),
  };
}

export function memoryTable(summaries: readonly StrategySummary[]): Table {
  return {
    id: 'table-memory',
    title: 'Memory saved',
    description: 'By mechanism, from the kernel counters at the end of the run.',
    columns: [left('Strategy'), right('KSM'), right('zram'), right('zswap'), right('Balloon'), right('Total')],
    rows: summaries.map((s) => [
      name(s),
      formatMiB(s.savedBytes.ksm),
      formatMiB(s.savedBytes.zram),
      formatMiB(s.savedBytes.zswap),
      formatMiB(s.savedBytes.balloon),
      formatMiB(totalSaved(s)),
    ]),
  };
}

export function costTable(summaries: readonly StrategySummary[]): Table {
  return {
    id: 'table-cost',
    title: 'CPU and swap',
    description: 'CPU seconds over the measured phase (kernel threads and the whole host), and pages swapped (4 KiB).',
    columns: [
      left('Strategy'),
      right('ksmd'),
      right('kswapd'),
      right('System'),
      right('User'),
      right('iowait'),
      right('Swap in'),
      right('Swap out'),
    ],
    rows: summaries.map((s) => [
      name(s),
      formatSeconds(s.cpuSeconds.ksmd),
      formatSeconds(s.cpuSeconds.kswapd),
      formatSeconds(s.cpuSeconds.system),
      formatSeconds(s.cpuSeconds.user),
      formatSeconds(s.cpuSeconds.iowait),
      formatPages(s.swapIo.pagesIn),
      formatPages(s.swapIo.pagesOut),
    ]),
  };
}

export function memcachedTable(summaries: readonly StrategySummary[]): Table {
  return {
    id: 'table-memcached',
    title: 'memcached',
    description: 'The load against all guests: latency percentiles, hit rate and errors.',
    columns: [
      left('Strategy'),
      right('Operations'),
      right('Hit rate'),
      right('Errors'),
      right('p50'),
      right('p90'),
      right('p99'),
      right('p99.9'),
      right('Max'),
      right('Mean'),
    ],
    rows: summaries.map((s) => {
      const mcs = s.runs.flatMap((r) => (r.memcached ? [r.memcached] : []));
      if (mcs.length === 0) return [name(s), NO_DATA, ...Array<string>(8).fill(MISSING)];
      const gets = mcs.reduce((a, m) => a + m.gets, 0);
      const hits = mcs.reduce((a, m) => a + m.hits, 0);
      const l = s.latency;
      return [
        name(s),
        formatNumber(mcs.reduce((a, m) => a + m.ops, 0) / mcs.length),
        gets > 0 ? formatPercent(hits / gets) : MISSING,
        formatNumber(s.errors),
        formatLatencyUs(l?.p50Us),
        formatLatencyUs(l?.p90Us),
        formatLatencyUs(l?.p99Us),
        formatLatencyUs(l?.p999Us),
        formatLatencyUs(l?.maxUs),
        formatLatencyUs(l?.meanUs),
      ];
    }),
  };
}

/** Present only when some run has fio results. */
export function fioTable(summaries: readonly StrategySummary[]): Table | undefined {
  if (!summaries.some((s) => s.fio.length > 0)) return undefined;
  return {
    id: 'table-fio',
    title: 'Disk (fio)',
    columns: [
      left('Strategy'),
      left('Job'),
      right('Read'),
      right('Write'),
      right('Read bandwidth'),
      right('Write bandwidth'),
      right('Read p99'),
      right('Write p99'),
    ],
    rows: summaries.flatMap((s) =>
      s.fio.length === 0
        ? [[name(s), NO_DATA, ...Array<string>(6).fill(MISSING)]]
        : s.fio.map((f) => [
            name(s),
            f.job,
            formatIops(f.readIops),
            formatIops(f.writeIops),
            formatBytesPerSec(f.readBwBytesPerSec),
            formatBytesPerSec(f.writeBwBytesPerSec),
            formatLatencyUs(f.readLatency?.p99Us),
            formatLatencyUs(f.writeLatency?.p99Us),
          ]),
    ),
  };
}

/** Present only when some run has network results. */
export function networkTable(summaries: readonly StrategySummary[]): Table | undefined {
  if (!summaries.some((s) => s.network)) return undefined;
  return {
    id: 'table-network',
    title: 'Network',
    columns: [
      left('Strategy'),
      right('Host → guest'),
      right('Guest → host'),
      right('Round trips'),
      right('Round trip p99'),
    ],
    rows: summaries.map((s) => {
      const n = s.network;
      if (!n) return [name(s), NO_DATA, MISSING, MISSING, MISSING];
      return [
        name(s),
        formatBitsPerSec(n.hostToGuestBitsPerSec),
        formatBitsPerSec(n.guestToHostBitsPerSec),
        `${formatNumber(n.rrPerSec)}/s`,
        formatLatencyUs(n.rrLatency.p99Us),
      ];
    }),
  };
}
