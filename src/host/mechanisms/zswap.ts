import { join } from 'node:path';
import { MissingFeatureError, UsageError } from '../../errors.js';
import { readDirFiles } from '../fsio.js';
import type { KnobSetter } from '../journal/knob-io.js';
import type { HostPaths } from '../paths.js';
import { readMeminfo, readVmstat } from '../procfs.js';
import { readSwaps, type SwapDevice } from '../swaps.js';
import { check, type Mechanism } from './mechanism.js';

export interface ZswapSettings {
  enabled?: boolean;
  compressor?: string;
  zpool?: string;
  max_pool_percent?: number;
  accept_threshold_percent?: number;
  shrinker_enabled?: boolean;
}

export interface ZswapStats {
  /** Compressed pool size (meminfo Zswap). */
  poolBytes: number;
  /** Original size of what is stored (meminfo Zswapped). */
  storedBytes: number;
  /** stored / pool (0 when empty). */
  compressionRatio: number;
  zswpin: number;
  zswpout: number;
  /** Pages written back from the pool to the swap device. */
  zswpwb: number;
}

export interface ZswapState {
  present: boolean;
  settings: ZswapSettings;
  stats?: ZswapStats;
  /** /sys/kernel/debug/zswap counters (pool_limit_hit, reject_*, written_back_pages, ...) when debugfs is mounted. */
  debug?: Record<string, number>;
}

/** The numeric files of /sys/kernel/debug/zswap. */
export function parseZswapDebug(files: Record<string, string> | undefined): Record<string, number> | undefined {
  if (!files) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(files)) if (/^\s*-?\d+\s*$/.test(v)) out[k] = Number(v.trim());
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parseZswapParams(files: Record<string, string> | undefined): ZswapState {
  if (!files || files.enabled === undefined) return { present: false, settings: {} };
  const yn = (k: string) => (files[k] === undefined ? undefined : files[k].trim() === 'Y');
  const int = (k: string) => (files[k] === undefined ? undefined : Number(files[k].trim()));
  const s: ZswapSettings = {};
  const set = <K extends keyof ZswapSettings>(k: K, v: ZswapSettings[K] | undefined) => {
    if (v !== undefined) s[k] = v;
  };
  set('enabled', yn('enabled'));
  set('compressor', files.compressor?.trim());
  set('zpool', files.zpool?.trim());
  set('max_pool_percent', int('max_pool_percent'));
  set('accept_threshold_percent', int('accept_threshold_percent'));
  set('shrinker_enabled', yn('shrinker_enabled'));
  return { present: true, settings: s };
}

/** zswap figures from /proc/meminfo (bytes) and /proc/vmstat (pages). */
export function zswapStatsFrom(
  meminfo: Record<string, number>,
  vmstat: Record<string, number>,
): ZswapStats | undefined {
  if (meminfo.Zswap === undefined) return undefined;
  const pool = meminfo.Zswap;
  const stored = meminfo.Zswapped ?? 0;
  return {
    poolBytes: pool,
    storedBytes: stored,
    compressionRatio: pool > 0 ? stored / pool : 0,
    zswpin: vmstat.zswpin ?? 0,
    zswpout: vmstat.zswpout ?? 0,
    zswpwb: vmstat.zswpwb ?? 0,
  };
}

export async function readZswap(paths: HostPaths): Promise<ZswapState> {
  const st = parseZswapParams(await readDirFiles(join(paths.sys, 'module/zswap/parameters')));
  if (!st.present) return st;
  const stats = zswapStatsFrom(await readMeminfo(paths), await readVmstat(paths));
  if (stats) st.stats = stats;
  const debug = parseZswapDebug(await readDirFiles(join(paths.sys, 'kernel/debug/zswap')));
  if (debug) st.debug = debug;
  return st;
}

/** zswap only stores pages on their way to a swap device: enabling it with none would do nothing. */
export function checkZswapBacking(swaps: SwapDevice[]): void {
  if (swaps.length === 0) {
    throw new UsageError(
      'refusing to enable zswap with no swap device',
      'zswap is a cache in front of swap: add a swap file first (overcommit apply zswap creates one)',
    );
  }
}

/** True when the settings only turn zswap off (a no-op on a kernel without zswap). */
export function isZswapOff(s: ZswapSettings): boolean {
  return s.enabled === false && Object.keys(s).length === 1;
}

/** Applies zswap settings: the parameters first, `enabled` last, and only with a swap device behind it. */
export async function applyZswap(journal: KnobSetter, desired: ZswapSettings): Promise<void> {
  const st = await readZswap(journal.paths);
  if (!st.present) {
    if (isZswapOff(desired)) return;
    throw new MissingFeatureError('zswap', 'use a kernel built with CONFIG_ZSWAP');
  }
  if (desired.enabled) checkZswapBacking(await readSwaps(journal.paths));
  if (desired.enabled === false) await journal.setKnob('zswap/enabled', 'N');
  if (desired.compressor !== undefined) await journal.setKnob('zswap/compressor', desired.compressor);
  if (desired.zpool !== undefined) {
    if (st.settings.zpool === undefined)
      throw new MissingFeatureError('zswap zpool selection', 'this kernel has only zsmalloc; drop the zpool option');
    await journal.setKnob('zswap/zpool', desired.zpool);
  }
  if (desired.max_pool_percent !== undefined) await journal.setKnob('zswap/max_pool_percent', desired.max_pool_percent);
  if (desired.accept_threshold_percent !== undefined)
    await journal.setKnob('zswap/accept_threshold_percent', desired.accept_threshold_percent);
  if (desired.shrinker_enabled !== undefined) await journal.setKnob('zswap/shrinker_enabled', desired.shrinker_enabled);
  if (desired.enabled === true) await journal.setKnob('zswap/enabled', 'Y');
}

export interface ZswapStep {
  op: 'zswap';
  settings: ZswapSettings;
}
export interface ZswapFacts {
  present: boolean;
  compressor?: string;
  zpool: boolean;
}

/** Compressed cache in front of swap: the module's parameters, `enabled` last and only with a swap device behind. */
export const zswapMechanism = {
  name: 'zswap' as const,
  step: {
    describe: (s) =>
      `zswap: ${Object.entries(s.settings)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`,
    preflight: async ({ paths, swapComing }, s) => {
      if (!(await readZswap(paths)).present && !isZswapOff(s.settings))
        throw new MissingFeatureError('zswap', 'use a kernel built with CONFIG_ZSWAP');
      if (s.settings.enabled && !swapComing) checkZswapBacking(await readSwaps(paths));
    },
    apply: async (journal, s) => {
      await applyZswap(journal, s.settings);
      return [];
    },
  },
  status: (paths) => readZswap(paths),
  doctor: {
    facts: async (paths) => {
      const zs = await readZswap(paths);
      const f: ZswapFacts = { present: zs.present, zpool: zs.settings.zpool !== undefined };
      if (zs.settings.compressor) f.compressor = zs.settings.compressor;
      return f;
    },
    diagnose: (f, host) => [
      check(
        'zswap',
        f.present,
        f.present
          ? `zswap present (compressor ${f.compressor ?? '?'}${f.zpool ? ', zpool selectable' : ', zsmalloc only'})`
          : 'no zswap',
        'use a kernel built with CONFIG_ZSWAP=y',
      ),
      check(
        'zswap-debugfs',
        host.debugfs,
        host.debugfs
          ? 'zswap debugfs stats readable'
          : 'debugfs not mounted: zswap detail stats unavailable (meminfo/vmstat still used)',
        'mount -t debugfs none /sys/kernel/debug',
        'warn',
      ),
    ],
  },
} satisfies Mechanism<ZswapStep, ZswapState, ZswapFacts>;
