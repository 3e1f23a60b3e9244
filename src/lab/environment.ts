import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import { detectCgroupLayout } from '../host/mechanisms/budget-cgroup.js';
import type { HostPaths } from '../host/paths.js';
import { readMeminfo } from '../host/procfs.js';
import type { Guest } from '../guest/guest.js';
import type { Environment } from './results.js';

/** The facts a reader needs to weigh the figures: kernel, QEMU, accelerator, THP, CPU, memory, swap device. */
export async function readEnvironment(
  paths: HostPaths,
  g: Guest | undefined,
  swapDevice: string,
): Promise<Environment> {
  const mi = await readMeminfo(paths);
  const layout = await detectCgroupLayout(paths);
  const thp =
    (await readFile('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').catch(() => '')).match(/\[(\w+)\]/)?.[1] ??
    'n/a';
  const env: Environment = {
    hostKernel: (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim(),
    qemuVersion: g?.record.qemuVersion ?? 'unknown',
    accel: g?.record.accel ?? 'unknown',
    guestKernel: g?.record.guestKernel ?? 'unknown',
    thp,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memTotalBytes: mi.MemTotal ?? 0,
    swapDevice,
    cgroupVersion: layout?.version ?? null,
    caveats: [],
  };
  if (g?.record.accelReason) env.accelReason = g.record.accelReason;
  if (env.accel === 'tcg')
    env.caveats.push(
      'guests ran under TCG (software emulation): absolute figures are 10-25x below KVM; compare strategies, not hosts',
    );
  env.caveats.push(
    "the 'host' is a memory cgroup (the budget) on a larger machine: host-wide free memory does not show the pressure, the budget cgroup's usage does",
  );
  return env;
}

/** Which block device holds a path (for the report: a swap file's disk matters). */
export async function deviceOf(path: string): Promise<string> {
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => '')).split('\n').map((l) => l.split(' '));
  let best: string[] | undefined;
  for (const m of mounts)
    if (m[1] && path.startsWith(m[1]) && (!best || (m[1]?.length ?? 0) > (best[1]?.length ?? 0))) best = m;
  return best ? `${best[0]} (${best[2]}, mounted on ${best[1]})` : 'unknown';
}
