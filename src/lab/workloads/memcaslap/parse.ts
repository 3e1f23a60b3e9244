/**
 * memcaslap (libmemcached's memaslap, Debian libmemcached-tools 1.1) output -> our MemcachedResult figures. Pure.
 *
 * With `-S 1s` it prints, every second, Get/Set/Total tables whose `Period` row holds that second's TPS; at the end,
 * per type, `Min/Max/Avg` and a `Log2 Dist` (row label r, then the counts of buckets r, r+1, ...: bucket k holds
 * latencies in [2^k, 2^(k+1)) µs), the counters (cmd_get, cmd_set, get_misses), and `Run time: 3.0s Ops: N TPS: N`.
 * Percentiles from a log2 histogram are coarse: we report each bucket's upper bound (never flattering).
 */
import { OvercommitError } from '../../../errors.js';
import type { LatencySummary } from '../results.js';

export class MemcaslapOutputError extends OvercommitError {
  constructor(message: string, tail: string) {
    super('COMMAND_FAILED', `memcaslap: ${message}`, 'check that memcaslap (Debian libmemcached-tools) runs', { tail });
  }
}

export interface MemcaslapRun {
  ops: number;
  gets: number;
  sets: number;
  misses: number;
  durationS: number;
  opsPerSec: number;
  latency: LatencySummary;
  /** TPS of each second (from the `Period` rows of the Total tables; needs -S 1s). */
  opsPerSecSeries: number[];
}

/** Percentile (0..1) of a log2 histogram: the upper bound of the bucket holding it, capped at the max. */
export function log2Percentile(buckets: readonly number[], q: number, maxUs: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let k = 0; k < buckets.length; k++) {
    seen += buckets[k] ?? 0;
    if (seen >= rank) return Math.min(2 ** (k + 1), maxUs);
  }
  return maxUs;
}

function finalBlock(
  text: string,
  type: 'Get' | 'Set' | 'Total',
): { buckets: number[]; min: number; max: number; avg: number; events: number } | undefined {
  const m = new RegExp(`^${type} Statistics \\((\\d+) events\\)$`, 'm').exec(text);
  if (!m) return undefined;
  const from = m.index + m[0].length;
  const stop = text.indexOf('\n\n', from);
  const body = text.slice(from, stop < 0 ? undefined : stop);
  const field = (name: string) => Number(new RegExp(`^\\s*${name}:\\s*([\\d.]+)`, 'm').exec(body)?.[1] ?? 0);
  const buckets: number[] = [];
  for (const row of body.matchAll(/^\s*(\d+):((?:\s+\d+)+)\s*$/gm)) {
    const start = Number(row[1]);
    (row[2] ?? '')
      .trim()
      .split(/\s+/)
      .forEach((v, i) => (buckets[start + i] = Number(v)));
  }
  for (let i = 0; i < buckets.length; i++) buckets[i] ??= 0;
  return { buckets, min: field('Min'), max: field('Max'), avg: field('Avg'), events: Number(m[1]) };
}

export function parseMemcaslapOutput(raw: string): MemcaslapRun {
  // eslint-disable-next-line no-control-regex -- memcaslap clears the screen with ANSI escapes between reports
  const text = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const tail = text.slice(-600);
  const run = /^Run time: ([\d.]+)s Ops: (\d+) TPS: (\d+)/m.exec(text);
  if (!run) throw new MemcaslapOutputError('no "Run time" summary in the output', tail);
  const total = finalBlock(text, 'Total');
  if (!total) throw new MemcaslapOutputError('no final "Total Statistics" block', tail);
  const counter = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const series: number[] = [];
  for (const block of text.matchAll(/^Total Statistics\n.*\n(Period\s.*)$/gm)) {
    const cols = (block[1] ?? '').trim().split(/\s+/);
    series.push(Number(cols[3] ?? 0));
  }
  const b = total.buckets;
  return {
    ops: Number(run[2]),
    gets: counter('cmd_get'),
    sets: counter('cmd_set'),
    misses: counter('get_misses'),
    durationS: Number(run[1]),
    opsPerSec: Number(run[3]),
    latency: {
      count: total.events,
      p50Us: log2Percentile(b, 0.5, total.max),
      p90Us: log2Percentile(b, 0.9, total.max),
      p99Us: log2Percentile(b, 0.99, total.max),
      p999Us: log2Percentile(b, 0.999, total.max),
      maxUs: total.max,
      meanUs: total.avg,
    },
    opsPerSecSeries: series,
  };
}

/** memcaslap's -F file: key size, value size, and the set (0) / get (1) proportions. Pure. */
export function memcaslapConfig(o: { keyBytes: number; valueBytes: number; getRatio: number }): string {
  const set = Math.round((1 - o.getRatio) * 1000) / 1000;
  const get = Math.round(o.getRatio * 1000) / 1000;
  return `key\n${o.keyBytes} ${o.keyBytes} 1\nvalue\n${o.valueBytes} ${o.valueBytes} 1\ncmd\n0 ${set}\n1 ${get}\n`;
}
