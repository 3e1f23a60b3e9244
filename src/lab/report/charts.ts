/**
 * The report's charts as inline SVG: throughput and p99 latency against the baseline, memory over each strategy's
 * run (small multiples on one scale), the budget cgroup's usage, and memcached throughput over time. Pure apart from
 * the ECharts rendering, which is deterministic.
 */
import type { StrategySummary } from './aggregate.js';
import { formatLatencyUs, formatNumber, formatOps, formatPercent, formatRatio, formatSize } from './format.js';
import { budgetLine, chartRun, memoryLines, opsLine, type MemoryMetric } from './series.js';
import { renderSvg, type ChartOption } from './svg.js';
import { THROUGHPUT_FLOOR, formatFloor } from './verdict.js';

export interface Chart {
  /** The figure's id: chart-throughput, chart-latency, chart-memory-<strategy>, chart-budget, chart-ops. */
  id: string;
  caption: string;
  /** The SVG markup; undefined when there is nothing to draw (then `empty` says why). */
  svg?: string;
  empty?: string;
  /** Draw across the whole width. */
  wide: boolean;
}

const MiB = 1024 * 1024;
const HALF = { width: 540, height: 320 };
const WIDE = { width: 1100, height: 340 };
const STRATEGY_COLORS = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4'];
const METRIC_COLORS: Record<MemoryMetric, string> = {
  hostUsed: '#5470c6',
  swapUsed: '#d1242f',
  ksmSaved: '#3ba272',
  zramStored: '#fc8452',
  zswapStored: '#9a60b4',
};
const DASHED: Record<MemoryMetric, 'solid' | 'dashed'> = {
  hostUsed: 'solid',
  swapUsed: 'solid',
  ksmSaved: 'dashed',
  zramStored: 'dashed',
  zswapStored: 'dashed',
};
const AXIS_NAME = { color: '#59636e', fontSize: 12 };

function strategyColor(i: number): string {
  return STRATEGY_COLORS[i % STRATEGY_COLORS.length] ?? '#5470c6';
}

/** Lower-case letters, digits and dashes; unique among `taken`. */
export function slug(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'strategy';
  let s = base;
  for (let i = 2; taken.has(s); i++) s = `${base}-${i}`;
  taken.add(s);
  return s;
}

/** A round upper bound for an axis (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above `v`. */
export function niceCeil(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9 * p) return m * p;
  return 10 * p;
}

/** "Host memory used" -> "host memory used"; "KSM saved" stays. */
function lowerFirst(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? `${label.charAt(0).toLowerCase()}${label.slice(1)}` : label;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function draw(id: string, caption: string, option: ChartOption, wide: boolean): Chart {
  const size = wide ? WIDE : HALF;
  return { id, caption, wide, svg: renderSvg(option, { ...size, idPrefix: id, label: caption }) };
}

function barChart(
  summaries: readonly StrategySummary[],
  values: (number | undefined)[],
  axisLabel: (s: StrategySummary) => string,
  unit: string,
  format: (v: number) => string,
  line: { value: number; label: string } | undefined,
): ChartOption {
  return {
    grid: { left: 64, right: 80, top: 36, bottom: 56 },
    xAxis: {
      type: 'category',
      data: summaries.map(axisLabel),
      axisLabel: { interval: 0, color: '#1f2328', fontSize: 12, lineHeight: 16 },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { formatter: `{value}${unit}`, color: '#59636e' },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 64,
        data: values.map((v, i) => ({
          value: v === undefined ? '-' : round(v, 4),
          itemStyle: { color: strategyColor(i) },
          label: { formatter: () => (v === undefined ? '' : format(v)) },
        })),
        label: { show: true, position: 'top', color: '#1f2328', fontSize: 13 },
        ...(line
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color: '#d1242f', type: 'dashed', width: 1.5 },
                label: { formatter: () => line.label, position: 'end', color: '#d1242f' },
                data: [{ yAxis: line.value }],
              },
            }
          : {}),
      },
    ],
  };
}

function throughputChart(summaries: readonly StrategySummary[]): Chart {
  const id = 'chart-throughput';
  const hasRatio = summaries.some((s) => s.vsBaseline.throughput !== undefined);
  const label = (s: StrategySummary): string =>
    `${s.strategy}\n${s.memcachedRuns > 0 ? formatOps(s.opsPerSec) : 'no data'}`;
  if (!hasRatio) {
    const caption = 'memcached throughput per strategy (ops/s; no baseline, so no ratio).';
    const values = summaries.map((s) => s.opsPerSec);
    if (values.every((v) => v === undefined)) return { id, caption, wide: false, empty: 'No memcached data.' };
    return draw(
      id,
      caption,
      barChart(summaries, values, label, '', (v) => formatNumber(v), undefined),
      false,
    );
  }
  const caption = `Throughput vs baseline: memcached ops/s as a percentage of the baseline's (dashed: the ${formatFloor()} bar).`;
  const values = summaries.map((s) =>
    s.vsBaseline.throughput === undefined ? undefined : s.vsBaseline.throughput * 100,
  );
  const bar = { value: THROUGHPUT_FLOOR * 100, label: `${formatFloor()} bar` };
  return draw(
    id,
    caption,
    barChart(summaries, values, label, '%', (v) => formatPercent(v / 100), bar),
    false,
  );
}

function latencyChart(summaries: readonly StrategySummary[]): Chart {
  const id = 'chart-latency';
  const hasRatio = summaries.some((s) => s.vsBaseline.p99 !== undefined);
  const label = (s: StrategySummary): string =>
    `${s.strategy}\n${s.latency ? `p99 ${formatLatencyUs(s.latency.p99Us)}` : 'no data'}`;
  if (!hasRatio) {
    const caption = 'memcached p99 latency per strategy (ms; no baseline, so no ratio).';
    const values = summaries.map((s) => (s.latency ? s.latency.p99Us / 1000 : undefined));
    if (values.every((v) => v === undefined)) return { id, caption, wide: false, empty: 'No memcached data.' };
    return draw(
      id,
      caption,
      barChart(summaries, values, label, ' ms', (v) => formatLatencyUs(v * 1000), undefined),
      false,
    );
  }
  const caption = `p99 latency vs baseline: memcached p99 as a multiple of the baseline's (1× = as fast; lower is better).`;
  const values = summaries.map((s) => s.vsBaseline.p99);
  return draw(
    id,
    caption,
    barChart(summaries, values, label, '×', formatRatio, { value: 1, label: 'baseline' }),
    false,
  );
}

function timeAxis(maxS: number): ChartOption['xAxis'] {
  return {
    type: 'value',
    min: 0,
    max: maxS > 0 ? maxS : 1,
    name: 'seconds',
    nameLocation: 'middle',
    nameGap: 26,
    nameTextStyle: AXIS_NAME,
    axisLabel: { color: '#59636e' },
  };
}

function mibAxis(max?: number): ChartOption['yAxis'] {
  return {
    type: 'value',
    min: 0,
    ...(max !== undefined ? { max } : {}),
    name: 'MiB',
    nameTextStyle: AXIS_NAME,
    axisLabel: { color: '#59636e' },
  };
}

const LEGEND = { top: 4, itemWidth: 18, itemHeight: 10, textStyle: { fontSize: 12, color: '#1f2328' } };

function memoryCharts(summaries: readonly StrategySummary[]): Chart[] {
  const taken = new Set<string>();
  const runs = summaries.map((s) => ({ s, run: chartRun(s.runs), id: `chart-memory-${slug(s.strategy, taken)}` }));
  const lines = runs.map(({ run }) => (run ? memoryLines(run.series) : []));
  const maxBytes = Math.max(0, ...lines.flat().flatMap((l) => l.points.map(([, v]) => v)));
  const maxS = Math.max(0, ...lines.flat().flatMap((l) => l.points.map(([t]) => t)));
  const yMax = niceCeil(maxBytes / MiB);
  return runs.map(({ s, run, id }, i) => {
    const rep = s.runs.length > 1 && run ? `, repetition ${run.repetition}` : '';
    const own = lines[i] ?? [];
    const drawn = own.length > 0 ? own.map((l) => lowerFirst(l.label)).join(', ') : 'no observations';
    const caption = `Memory over the run, ${s.strategy}${rep}: ${drawn} (MiB; the same scale for every strategy).`;
    if (!run || own.length === 0 || (own[0]?.points.length ?? 0) === 0) {
      return { id, caption, wide: false, empty: `No observations for ${s.strategy}.` };
    }
    const option: ChartOption = {
      grid: { left: 64, right: 24, top: 40, bottom: 44 },
      legend: { ...LEGEND, data: own.map((l) => l.label) },
      xAxis: timeAxis(maxS),
      yAxis: mibAxis(yMax),
      series: own.map((l) => ({
        type: 'line',
        name: l.label,
        showSymbol: false,
        silent: true,
        color: METRIC_COLORS[l.metric],
        // Swap used and zram stored are often the same line: the stored/saved ones are dashed so both show.
        lineStyle: { width: l.metric === 'hostUsed' || l.metric === 'swapUsed' ? 2.5 : 2, type: DASHED[l.metric] },
        data: l.points.map(([t, v]) => [t, round(v / MiB, 1)]),
      })),
    };
    return draw(id, caption, option, false);
  });
}

function budgetChart(summaries: readonly StrategySummary[]): Chart {
  const id = 'chart-budget';
  const caption = 'Budget cgroup usage over the run per strategy (MiB; dashed: each strategy’s limit).';
  const lines = summaries.flatMap((s, i) => {
    const run = chartRun(s.runs);
    const b = run ? budgetLine(run.series) : undefined;
    return b ? [{ s, i, b, limitText: `${s.strategy} limit ${formatSize(b.limitBytes ?? undefined)}` }] : [];
  });
  if (lines.length === 0) return { id, caption, wide: true, empty: 'No budget cgroup in these results.' };
  const maxS = Math.max(0, ...lines.flatMap(({ b }) => b.points.map(([t]) => t)));
  const maxBytes = Math.max(0, ...lines.flatMap(({ b }) => [...b.points.map(([, v]) => v), b.limitBytes ?? 0]));
  const option: ChartOption = {
    grid: { left: 64, right: 130, top: 40, bottom: 44 },
    legend: { ...LEGEND, data: lines.map(({ s }) => s.strategy) },
    xAxis: timeAxis(maxS),
    yAxis: mibAxis(niceCeil((maxBytes / MiB) * 1.05)),
    series: lines.map(({ s, i, b, limitText }) => ({
      type: 'line',
      name: s.strategy,
      showSymbol: false,
      silent: true,
      color: strategyColor(i),
      lineStyle: { width: 2 },
      data: b.points.map(([t, v]) => [t, round(v / MiB, 1)]),
      ...(b.limitBytes !== null
        ? {
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: strategyColor(i), type: 'dashed', width: 1.5 },
              label: {
                formatter: () => limitText,
                position: 'end',
                color: '#1f2328',
              },
              data: [{ yAxis: round(b.limitBytes / MiB, 1) }],
            },
          }
        : {}),
    })),
  };
  return draw(id, caption, option, true);
}

function opsChart(summaries: readonly StrategySummary[]): Chart {
  const id = 'chart-ops';
  const caption = 'memcached throughput per second over the run, per strategy (ops/s).';
  const lines = summaries.flatMap((s, i) => {
    const run = chartRun(s.runs.filter((r) => r.memcached));
    const points = run ? opsLine(run) : [];
    return points.length > 0 ? [{ s, i, points }] : [];
  });
  if (lines.length === 0) return { id, caption, wide: true, empty: 'No memcached data.' };
  const maxS = Math.max(0, ...lines.flatMap(({ points }) => points.map(([t]) => t)));
  const option: ChartOption = {
    grid: { left: 64, right: 24, top: 40, bottom: 44 },
    legend: { ...LEGEND, data: lines.map(({ s }) => s.strategy) },
    xAxis: timeAxis(maxS),
    yAxis: { type: 'value', min: 0, name: 'ops/s', nameTextStyle: AXIS_NAME, axisLabel: { color: '#59636e' } },
    series: lines.map(({ s, i, points }) => ({
      type: 'line',
      name: s.strategy,
      showSymbol: false,
      silent: true,
      color: strategyColor(i),
      lineStyle: { width: 2 },
      data: points,
    })),
  };
  return draw(id, caption, option, true);
}

/** Every chart, in the order the page shows them. */
export function buildCharts(summaries: readonly StrategySummary[]): Chart[] {
  return [
    throughputChart(summaries),
    latencyChart(summaries),
    ...memoryCharts(summaries),
    budgetChart(summaries),
    opsChart(summaries),
  ];
}
