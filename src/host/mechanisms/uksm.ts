import { join } from 'node:path';
import { readDirFiles } from '../fsio.js';
import type { KnobSetter } from '../journal/knob-io.js';
import { applyKsm, readKsm, type KsmSettings } from './ksm.js';
import { parseChoice } from '../journal/knobs.js';
import type { HostPaths } from '../paths.js';
import { MissingFeatureError } from '../../errors.js';
import type { Mechanism } from './mechanism.js';

/**
 * UKSM (the out-of-tree "Ultra KSM" patch: whole-system scanning, low CPU, adaptive speed). Where the kernel has it
 * (/sys/kernel/mm/uksm) we drive it; on upstream kernels the `uksm` preset gives its features with what upstream
 * has: the KSM advisor in scan-time mode (speed adapts to a target scan time, CPU capped), smart_scan (skip pages
 * that did not merge last time), use_zero_pages (zero pages merge with the kernel's zero page), and a fast first scan
 * (a high advisor floor for pages_to_scan, so the first pass over fresh guests is quick).
 */
export interface UksmState {
  present: boolean;
  run?: number;
  sleepMillisecs?: number;
  cpuGovernor?: string;
  cpuGovernors?: string[];
  maxCpuPercentage?: number;
}

export function parseUksm(files: Record<string, string> | undefined): UksmState {
  if (!files || files.run === undefined) return { present: false };
  const int = (k: string) => (files[k] !== undefined ? Number(files[k].trim()) : undefined);
  const out: UksmState = { present: true };
  const run = int('run');
  if (run !== undefined) out.run = run;
  const sleep = int('sleep_millisecs');
  if (sleep !== undefined) out.sleepMillisecs = sleep;
  const cpu = int('max_cpu_percentage');
  if (cpu !== undefined) out.maxCpuPercentage = cpu;
  if (files.cpu_governor !== undefined) {
    const c = parseChoice(files.cpu_governor);
    if (c.selected) out.cpuGovernor = c.selected;
    out.cpuGovernors = c.values;
  }
  return out;
}

export async function readUksm(paths: HostPaths): Promise<UksmState> {
  return parseUksm(await readDirFiles(join(paths.sys, 'kernel/mm/uksm')));
}

export interface UksmOptions {
  /** Seconds the advisor aims for one full scan (upstream emulation). */
  targetScanSeconds: number;
  /** Cap on ksmd CPU, percent (advisor_max_cpu / UKSM max_cpu_percentage). */
  maxCpuPercent: number;
  /** Floor on pages per batch, so the first scan of new guests is fast. */
  firstScanPages: number;
}

export const UKSM_DEFAULTS: UksmOptions = { targetScanSeconds: 30, maxCpuPercent: 50, firstScanPages: 2000 };

/** What the `uksm` preset asks of upstream KSM. Pure, for tests and `apply --dry-run`. */
export function uksmUpstreamSettings(opts: UksmOptions, has: KsmSettings): KsmSettings {
  const s: KsmSettings = { run: 1 };
  if (has.advisor_mode !== undefined) {
    s.advisor_mode = 'scan-time';
    s.advisor_target_scan_time = opts.targetScanSeconds;
    s.advisor_max_cpu = opts.maxCpuPercent;
    s.advisor_min_pages_to_scan = opts.firstScanPages;
    if (has.advisor_max_pages_to_scan !== undefined)
      s.advisor_max_pages_to_scan = Math.max(has.advisor_max_pages_to_scan, opts.firstScanPages);
  } else {
    // No advisor (kernels before 6.7): a fixed fast rate is the closest upstream gets.
    s.pages_to_scan = opts.firstScanPages;
    s.sleep_millisecs = 20;
  }
  if (has.smart_scan !== undefined) s.smart_scan = 1;
  if (has.use_zero_pages !== undefined) s.use_zero_pages = 1;
  return s;
}

/** Applies the uksm preset: real UKSM if the kernel has it, else its features on upstream KSM. Returns which. */
export async function applyUksm(journal: KnobSetter, opts: UksmOptions): Promise<'uksm' | 'ksm-emulation'> {
  const u = await readUksm(journal.paths);
  if (u.present) {
    if (u.maxCpuPercentage !== undefined) await journal.setKnob('uksm/max_cpu_percentage', opts.maxCpuPercent);
    await journal.setKnob('uksm/run', 1);
    return 'uksm';
  }
  const ksm = await readKsm(journal.paths);
  await applyKsm(journal, uksmUpstreamSettings(opts, ksm.settings));
  return 'ksm-emulation';
}

export interface UksmStep {
  op: 'uksm';
  opts: UksmOptions;
}

/** UKSM where the kernel has it; its features (advisor, smart_scan, zero pages, fast first scan) on upstream KSM. */
export const uksmMechanism = {
  name: 'uksm' as const,
  step: {
    describe: (s) =>
      `uksm: UKSM if the kernel has it, else KSM advisor scan-time ${s.opts.targetScanSeconds}s, max cpu ${s.opts.maxCpuPercent}%, first-scan floor ${s.opts.firstScanPages} pages, smart_scan, use_zero_pages`,
    preflight: async ({ paths }) => {
      if (!(await readUksm(paths)).present && !(await readKsm(paths)).present)
        throw new MissingFeatureError('KSM (and UKSM)', 'use a kernel built with CONFIG_KSM');
    },
    apply: async (journal, s) => [
      (await applyUksm(journal, s.opts)) === 'uksm'
        ? 'uksm: kernel UKSM started'
        : 'uksm: no UKSM in this kernel; its features on upstream KSM',
    ],
  },
  status: (paths) => readUksm(paths),
  doctor: {
    facts: async (paths) => (await readUksm(paths)).present,
    diagnose: (present) => [
      {
        id: 'uksm',
        status: 'ok',
        detail: present
          ? 'UKSM kernel: the uksm preset drives it'
          : 'no UKSM (upstream kernel): the uksm preset uses its features on KSM',
      },
    ],
  },
} satisfies Mechanism<UksmStep, UksmState, boolean>;
