import { join } from 'node:path';
import { readDirNames, tryReadTextOnce } from '../host/fsio.js';
import type { HostPaths } from '../host/paths.js';

/** The aggregate `cpu` line of /proc/stat, in USER_HZ ticks. Pure. */
export function parseProcStatCpu(text: string): {
  user: number;
  system: number;
  iowait: number;
  steal: number;
  idle: number;
  total: number;
} {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return {
    user: user + nice,
    system: system + irq + softirq,
    iowait,
    steal,
    idle,
    total: f.slice(0, 8).reduce((a, b) => a + b, 0),
  };
}

/** utime + stime (fields 14 and 15) of /proc/PID/stat, in ticks. Pure. */
export function parsePidCpuTicks(statText: string): number {
  const rest = statText
    .slice(statText.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  return Number(rest[11] ?? 0) + Number(rest[12] ?? 0);
}

/**
 * Pids of the kernel threads whose comm matches each pattern (ksmd, kswapd0, kswapd1, ...), in one scan of /proc.
 */
export async function findKernelThreads<K extends string>(
  paths: HostPaths,
  patterns: Record<K, RegExp>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(patterns) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const n of await readDirNames(paths.proc)) {
    if (!/^\d+$/.test(n) || Number(n) > 4_000_000) continue;
    const comm = (await tryReadTextOnce(join(paths.proc, n, 'comm')))?.trim();
    if (comm === undefined) continue;
    for (const k of keys) if (patterns[k].test(comm)) out[k].push(Number(n));
  }
  return out;
}
