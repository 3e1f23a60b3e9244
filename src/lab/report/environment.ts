/** The environment and the settings of a run as label/value pairs. Pure. */
import type { LabResults } from '../results.js';
import { formatElapsed, formatSize, formatTimestamp } from './format.js';

export type Pair = readonly [label: string, value: string];

export function environmentPairs(results: LabResults): Pair[] {
  const e = results.environment;
  const elapsed = formatElapsed(results.startedAt, results.finishedAt);
  const accel = e.accelReason ? `${e.accel}: ${e.accelReason}` : e.accel;
  const cgroup = e.cgroupVersion === null ? 'none (no memory cgroup)' : `v${e.cgroupVersion}`;
  return [
    ['Scenario', results.scenario],
    ['Started', formatTimestamp(results.startedAt)],
    ['Finished', `${formatTimestamp(results.finishedAt)}${elapsed ? ` (${elapsed})` : ''}`],
    ['Host kernel', e.hostKernel],
    ['Guest kernel', e.guestKernel],
    ['QEMU', e.qemuVersion],
    ['Accelerator', accel],
    ['Transparent huge pages', e.thp],
    ['CPU', `${e.cpuModel} × ${e.cpus}`],
    ['Memory', formatSize(e.memTotalBytes)],
    ['Swap device', e.swapDevice],
    ['cgroup', cgroup],
  ];
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return '[function]';
  try {
    return JSON.stringify(v);
  } catch {
    return '[unprintable]';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every setting, nested objects flattened to dotted keys (`memcached.keys`), in their order. */
export function settingPairs(settings: Record<string, unknown>): Pair[] {
  const out: Pair[] = [];
  const walk = (prefix: string, value: unknown, depth: number): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0 && depth < 8) {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}.${k}`, v, depth + 1);
    } else {
      out.push([prefix, valueText(value)]);
    }
  };
  for (const [k, v] of Object.entries(settings)) walk(k, v, 1);
  return out;
}
