import { join } from 'node:path';
import { readDirFiles, tryReadTextSync } from '../fsio.js';
import type { KnobSetter } from '../journal/knob-io.js';
import { parseChoice } from '../journal/knobs.js';
import type { HostPaths } from '../paths.js';
import { MissingFeatureError } from '../../errors.js';
import { check, type Check, type Mechanism } from './mechanism.js';

/** Writable KSM settings (present ones only: 6.1 lacks smart_scan and the advisor, 6.18 has them). */
export interface KsmSettings {
  run?: number;
  pages_to_scan?: number;
  sleep_millisecs?: number;
  max_page_sharing?: number;
  merge_across_nodes?: number;
  use_zero_pages?: number;
  smart_scan?: number;
  advisor_mode?: string;
  advisor_target_scan_time?: number;
  advisor_max_cpu?: number;
  advisor_min_pages_to_scan?: number;
  advisor_max_pages_to_scan?: number;
  stable_node_chains_prune_millisecs?: number;
}
export type KsmSettingName = keyof KsmSettings;

/** KSM's counters (read-only files that ksmd's scans move). */
export const KSM_STAT_NAMES = [
  'full_scans',
  'pages_scanned',
  'pages_shared',
  'pages_sharing',
  'pages_unshared',
  'pages_volatile',
  'pages_skipped',
  'ksm_zero_pages',
  'general_profit',
  'stable_node_chains',
  'stable_node_dups',
] as const;
export type KsmStatName = (typeof KSM_STAT_NAMES)[number];

export interface KsmState {
  present: boolean;
  settings: KsmSettings;
  /** Only the counters this kernel has. general_profit may be negative (bytes). */
  stats: Partial<Record<KsmStatName, number>>;
  /** Values the kernel offers for advisor_mode, if it has the advisor. */
  advisorModes?: string[];
  derived: {
    /** Memory freed by merging: pages_sharing (+ ksm_zero_pages) x page size. */
    savedBytes: number;
    /** pages_sharing / pages_shared: how many mappings each kept page serves (0 when nothing is shared). */
    sharingRatio: number;
  };
}

const INT_SETTINGS: readonly KsmSettingName[] = [
  'run',
  'pages_to_scan',
  'sleep_millisecs',
  'max_page_sharing',
  'merge_across_nodes',
  'use_zero_pages',
  'smart_scan',
  'advisor_target_scan_time',
  'advisor_max_cpu',
  'advisor_min_pages_to_scan',
  'advisor_max_pages_to_scan',
  'stable_node_chains_prune_millisecs',
];

/** Parses the files of /sys/kernel/mm/ksm (name -> text), whatever subset this kernel has. */
export function parseKsm(files: Record<string, string> | undefined, pageSize = 4096): KsmState {
  if (!files || files.run === undefined) {
    return { present: false, settings: {}, stats: {}, derived: { savedBytes: 0, sharingRatio: 0 } };
  }
  const settings: KsmSettings = {};
  for (const n of INT_SETTINGS) {
    const t = files[n];
    if (t !== undefined && /^\s*-?\d+\s*$/.test(t)) (settings as Record<string, number>)[n] = Number(t.trim());
  }
  let advisorModes: string[] | undefined;
  if (files.advisor_mode !== undefined) {
    const c = parseChoice(files.advisor_mode);
    if (c.selected) settings.advisor_mode = c.selected;
    advisorModes = c.values;
  }
  const stats: Partial<Record<KsmStatName, number>> = {};
  for (const n of KSM_STAT_NAMES) {
    const t = files[n];
    if (t !== undefined && /^\s*-?\d+\s*$/.test(t)) stats[n] = Number(t.trim());
  }
  const shared = stats.pages_shared ?? 0;
  const sharing = stats.pages_sharing ?? 0;
  const state: KsmState = {
    present: true,
    settings,
    stats,
    derived: {
      savedBytes: (sharing + (stats.ksm_zero_pages ?? 0)) * pageSize,
      sharingRatio: shared > 0 ? sharing / shared : 0,
    },
  };
  if (advisorModes) state.advisorModes = advisorModes;
  return state;
}

export interface ProcessKsm {
  rmapItems?: number;
  zeroPages?: number;
  mergingPages: number;
  /** Bytes; may be negative (rmap_items cost more than merging saved). */
  processProfit?: number;
  mergeAny?: boolean;
  mergeable?: boolean;
}

/** /proc/PID/ksm_stat (6.1+: ksm_rmap_items only; 6.18 adds the rest). */
export function parseProcessKsmStat(text: string): ProcessKsm {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)[:\s]\s*(\S+)/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) kv[m[1]] = m[2];
  }
  const num = (k: string) => (kv[k] !== undefined && /^-?\d+$/.test(kv[k]) ? Number(kv[k]) : undefined);
  const out: ProcessKsm = { mergingPages: num('ksm_merging_pages') ?? 0 };
  const rmap = num('ksm_rmap_items');
  if (rmap !== undefined) out.rmapItems = rmap;
  const zero = num('ksm_zero_pages');
  if (zero !== undefined) out.zeroPages = zero;
  const profit = num('ksm_process_profit');
  if (profit !== undefined) out.processProfit = profit;
  if (kv.ksm_merge_any !== undefined) out.mergeAny = kv.ksm_merge_any === 'yes';
  if (kv.ksm_mergeable !== undefined) out.mergeable = kv.ksm_mergeable === 'yes';
  return out;
}

export function ksmDir(paths: HostPaths): string {
  return join(paths.sys, 'kernel/mm/ksm');
}

export async function readKsm(paths: HostPaths): Promise<KsmState> {
  return parseKsm(await readDirFiles(ksmDir(paths)));
}

/** What an observation needs of KSM: its counters and the knobs a tuner steps (a third of the directory's files). */
export const KSM_OBSERVED_FILES = [
  'run',
  'pages_to_scan',
  'sleep_millisecs',
  'advisor_mode',
  'pages_shared',
  'pages_sharing',
  'pages_unshared',
  'pages_volatile',
  'pages_scanned',
  'full_scans',
  'general_profit',
  'ksm_zero_pages',
] as const;

/** Per-process KSM figures, or undefined if the process is gone or the kernel has neither file. */
export function readProcessKsmSync(paths: HostPaths, pid: number): ProcessKsm | undefined {
  const stat = tryReadTextSync(join(paths.proc, String(pid), 'ksm_stat'));
  // ksm_stat has ksm_merging_pages since 6.18 (6.1-6.17: only in its own file)
  const merging =
    stat?.includes('ksm_merging_pages') === true
      ? undefined
      : tryReadTextSync(join(paths.proc, String(pid), 'ksm_merging_pages'));
  if (stat === undefined && merging === undefined) return undefined;
  const out = stat !== undefined ? parseProcessKsmStat(stat) : { mergingPages: 0 };
  if (merging !== undefined && /^\s*\d+\s*$/.test(merging)) out.mergingPages = Number(merging.trim());
  return out;
}

export function readProcessKsm(paths: HostPaths, pid: number): Promise<ProcessKsm | undefined> {
  return Promise.resolve(readProcessKsmSync(paths, pid));
}

const ADVISOR_PARAMS: readonly KsmSettingName[] = [
  'advisor_target_scan_time',
  'advisor_max_cpu',
  'advisor_min_pages_to_scan',
  'advisor_max_pages_to_scan',
];

/**
 * The order in which KSM settings must be written to reach `desired` from `current`:
 * - merge_across_nodes can only change while nothing is merged: unmerge first (run=2);
 * - stopping with `unmergeOnStop` unmerges (run=2) before run=0, so the pages KSM merged are given back;
 * - the advisor's parameters go before advisor_mode: switching to scan-time copies advisor_min_pages_to_scan into
 *   pages_to_scan (the kernel accepts the parameters in any mode);
 * - advisor_mode before pages_to_scan: switching resets it, and while the advisor is on the kernel (6.7+) refuses
 *   pages_to_scan (EINVAL) — so pages_to_scan is left out when the final mode is not `none`;
 * - run goes last, so ksmd starts with the final settings.
 * Settings the kernel lacks (absent from `current`) are left out. Each write is skipped at write time if the live
 * value already matches (HostJournal.setKnob re-reads it), so listing an unchanged setting costs nothing.
 */
export function ksmWritePlan(
  current: KsmSettings,
  desired: KsmSettings,
  opts: { unmergeOnStop?: boolean } = {},
): Array<[KsmSettingName, string]> {
  const plan: Array<[KsmSettingName, string]> = [];
  const has = (k: KsmSettingName) => desired[k] !== undefined && current[k] !== undefined;
  const differs = (k: KsmSettingName) => has(k) && String(desired[k]) !== String(current[k]);
  const stopping = has('run') && desired.run === 0 && current.run === 1;
  if (differs('merge_across_nodes') || (stopping && opts.unmergeOnStop)) plan.push(['run', '2']);
  for (const k of ADVISOR_PARAMS) if (has(k)) plan.push([k, String(desired[k])]);
  if (has('advisor_mode')) plan.push(['advisor_mode', String(desired.advisor_mode)]);
  const finalAdvisor = desired.advisor_mode ?? current.advisor_mode;
  for (const k of Object.keys(desired) as KsmSettingName[]) {
    if (k === 'run' || k === 'advisor_mode' || ADVISOR_PARAMS.includes(k) || !has(k)) continue;
    if (k === 'pages_to_scan' && finalAdvisor !== undefined && finalAdvisor !== 'none') continue;
    plan.push([k, String(desired[k])]);
  }
  const finalRun = desired.run ?? current.run;
  if (finalRun !== undefined && current.run !== undefined) plan.push(['run', String(finalRun)]);
  return plan;
}

/** Applies KSM settings through the journal in a safe order. */
export async function applyKsm(
  journal: KnobSetter,
  desired: KsmSettings,
  opts: { unmergeOnStop?: boolean } = {},
): Promise<void> {
  const current = (await readKsm(journal.paths)).settings;
  for (const [k, v] of ksmWritePlan(current, desired, opts)) await journal.setKnob(`ksm/${k}`, v);
}

export interface KsmStep {
  op: 'ksm';
  settings: KsmSettings;
  /** Stopping (run=0) unmerges first (run=2), giving every merged page back. */
  unmergeOnStop: boolean;
}
export interface KsmFacts {
  present: boolean;
  advisor: boolean;
  smartScan: boolean;
  zeroPages: boolean;
}

function diagnoseKsm(f: KsmFacts): Check[] {
  const c = [
    check(
      'ksm',
      f.present,
      f.present ? 'KSM present' : 'no /sys/kernel/mm/ksm',
      'use a kernel built with CONFIG_KSM=y',
    ),
  ];
  if (!f.present) return c;
  c.push(
    check(
      'ksm-advisor',
      f.advisor,
      f.advisor ? 'advisor (scan-time) present' : 'no KSM advisor (kernel < 6.7)',
      'the uksm preset falls back to a fixed fast rate; a 6.7+ kernel adds the advisor',
      'warn',
    ),
    check(
      'ksm-smart-scan',
      f.smartScan,
      f.smartScan ? 'smart_scan present' : 'no smart_scan (kernel < 6.7)',
      'a 6.7+ kernel adds it',
      'warn',
    ),
  );
  return c;
}

/** Kernel same-page merging: ksmd's knobs, written in the kernel's safe order (ksmWritePlan). */
export const ksmMechanism = {
  name: 'ksm' as const,
  step: {
    describe: (s) =>
      `ksm: ${Object.entries(s.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    preflight: async ({ paths }, s) => {
      // Turning off a KSM the kernel lacks is already done.
      if (!(await readKsm(paths)).present && s.settings.run !== 0)
        throw new MissingFeatureError('KSM', 'use a kernel built with CONFIG_KSM');
    },
    apply: async (journal, s) => {
      if ((await readKsm(journal.paths)).present)
        await applyKsm(journal, s.settings, { unmergeOnStop: s.unmergeOnStop });
      return [];
    },
  },
  status: (paths) => readKsm(paths),
  doctor: {
    facts: async (paths) => {
      const { present, settings } = await readKsm(paths);
      return {
        present,
        advisor: settings.advisor_mode !== undefined,
        smartScan: settings.smart_scan !== undefined,
        zeroPages: settings.use_zero_pages !== undefined,
      };
    },
    diagnose: diagnoseKsm,
  },
} satisfies Mechanism<KsmStep, KsmState, KsmFacts>;
