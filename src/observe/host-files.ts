/**
 * The paths of the kernel files one host observation reads, joined once: the agent reads them every second, and
 * joining ~25 paths a tick showed in its profile (path.join, 2.6 % of a 1-guest agent's samples).
 */
import { join } from 'node:path';
import { KSM_OBSERVED_FILES, KSM_STAT_NAMES, ksmDir } from '../host/mechanisms/ksm.js';
import type { HostPaths } from '../host/paths.js';

export interface HostFiles {
  meminfo: string;
  vmstat: string;
  stat: string;
  /** KSM's settings (run, pages_to_scan, ...), file name -> path. */
  ksmSettings: ReadonlyArray<readonly [string, string]>;
  /** KSM's counters (pages_sharing, full_scans, ...). */
  ksmCounters: ReadonlyArray<readonly [string, string]>;
  psi: { memory: string; io: string; cpu: string };
  /** /proc/PID/stat of the ksmd and kswapd threads. */
  ksmd: readonly string[];
  kswapd: readonly string[];
  /** mm_stat of each zram device. */
  zram: readonly string[];
}

const isSetting = (name: string) => !(KSM_STAT_NAMES as readonly string[]).includes(name);

export function hostFiles(
  paths: HostPaths,
  kthreads: { ksmd: readonly number[]; kswapd: readonly number[] },
  zramIndices: readonly number[],
): HostFiles {
  const pidStat = (pid: number) => join(paths.proc, String(pid), 'stat');
  return {
    meminfo: join(paths.proc, 'meminfo'),
    vmstat: join(paths.proc, 'vmstat'),
    stat: join(paths.proc, 'stat'),
    ksmSettings: KSM_OBSERVED_FILES.filter(isSetting).map((n) => [n, join(ksmDir(paths), n)] as const),
    ksmCounters: KSM_OBSERVED_FILES.filter((n) => !isSetting(n)).map((n) => [n, join(ksmDir(paths), n)] as const),
    psi: {
      memory: join(paths.proc, 'pressure', 'memory'),
      io: join(paths.proc, 'pressure', 'io'),
      cpu: join(paths.proc, 'pressure', 'cpu'),
    },
    ksmd: kthreads.ksmd.map(pidStat),
    kswapd: kthreads.kswapd.map(pidStat),
    zram: zramIndices.map((i) => join(paths.sys, 'block', `zram${i}`, 'mm_stat')),
  };
}
