import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseSize } from '../util/size.js';
import type { KsmSettings } from './mechanisms/ksm.js';
import { knobSpec, validateKnobValue } from './journal/knobs.js';
import { stepHandler, type Step } from './mechanisms/index.js';
import { checkSwapPath } from './mechanisms/swapfile.js';
import { UKSM_DEFAULTS } from './mechanisms/uksm.js';
import type { ZswapSettings } from './mechanisms/zswap.js';

/** Host presets: the strategies of design.md that are a pure host configuration. */
export const PRESETS = ['none', 'ksm', 'uksm', 'swap-disk', 'zswap', 'zram'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Strategies that need a controller or guests: the lab and the agent run them, `apply` cannot. */
const LOOP_STRATEGIES = ['balloon', 'ksmtuned', 'auto'];

export interface PresetOptions {
  swapPath?: string;
  swapSize?: string;
  swapPriority?: number;
  zramSize?: string;
  zramAlgorithm?: string;
  zramMemLimit?: string;
  zramPriority?: number;
  zswapCompressor?: string;
  zswapPoolPercent?: number;
  ksmPages?: number;
  ksmSleepMs?: number;
  uksmTargetScanS?: number;
  uksmMaxCpu?: number;
}

export type { Step };

export interface Plan {
  preset: PresetName;
  steps: Step[];
}

export const DEFAULT_SWAP_SIZE = '1G';
export const DEFAULT_ZRAM_SIZE = '1G';
export const DISK_SWAP_PRIORITY = 10;
export const ZRAM_PRIORITY = 100;

export function checkPresetName(name: string): PresetName {
  if ((PRESETS as readonly string[]).includes(name)) return name as PresetName;
  if (LOOP_STRATEGIES.includes(name)) {
    throw new UsageError(
      `'${name}' is a controlled strategy, not a host preset`,
      'run it with overcommit lab run or overcommit agent',
    );
  }
  throw new UsageError(`unknown preset '${name}'`, `use one of: ${PRESETS.join(', ')}`, { value: name });
}

function intIn(v: number | undefined, what: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`invalid ${what} '${v}'`, `use a whole number from ${min} to ${max}`, { value: v });
  }
  return v;
}

/**
 * Turns a preset name and options into the steps that apply it. Pure: every option is checked here, so bad input
 * is refused before the journal exists and before anything on the host changes.
 */
export function planPreset(name: string, o: PresetOptions, stateDir: string): Plan {
  const preset = checkPresetName(name);
  const swapPriority = intIn(o.swapPriority, '--swap-priority', -1, 32767) ?? DISK_SWAP_PRIORITY;
  const swapFile = (): Step => ({
    op: 'swapfile',
    path: checkSwapPath(o.swapPath ?? join(stateDir, 'overcommit.swap')),
    sizeBytes: parseSize(o.swapSize ?? DEFAULT_SWAP_SIZE, '--swap-size'),
    priority: swapPriority,
  });
  const ksmPages = intIn(o.ksmPages, '--ksm-pages', 1, 1_000_000);
  const ksmSleep = intIn(o.ksmSleepMs, '--ksm-sleep-ms', 0, 60_000);
  const poolPercent = intIn(o.zswapPoolPercent, '--zswap-pool-percent', 1, 100);
  switch (preset) {
    case 'none':
      return {
        preset,
        steps: [
          { op: 'ksm', settings: { run: 0 }, unmergeOnStop: true },
          { op: 'zswap', settings: { enabled: false } },
        ],
      };
    case 'ksm': {
      const settings: KsmSettings = { run: 1 };
      if (ksmPages !== undefined) {
        settings.pages_to_scan = ksmPages;
        // A fixed rate means no advisor (6.7+ refuses pages_to_scan while it runs); dropped on older kernels.
        settings.advisor_mode = 'none';
      }
      if (ksmSleep !== undefined) settings.sleep_millisecs = ksmSleep;
      return { preset, steps: [{ op: 'ksm', settings, unmergeOnStop: false }] };
    }
    case 'uksm':
      return {
        preset,
        steps: [
          {
            op: 'uksm',
            opts: {
              targetScanSeconds:
                intIn(o.uksmTargetScanS, '--uksm-target-scan-s', 1, 86_400) ?? UKSM_DEFAULTS.targetScanSeconds,
              maxCpuPercent: intIn(o.uksmMaxCpu, '--uksm-max-cpu', 1, 100) ?? UKSM_DEFAULTS.maxCpuPercent,
              firstScanPages: ksmPages ?? UKSM_DEFAULTS.firstScanPages,
            },
          },
        ],
      };
    case 'swap-disk':
      return { preset, steps: [swapFile()] };
    case 'zswap': {
      const settings: ZswapSettings = { enabled: true };
      if (o.zswapCompressor !== undefined) {
        settings.compressor = validateKnobValue(knobSpec('zswap/compressor'), o.zswapCompressor);
      }
      if (poolPercent !== undefined) settings.max_pool_percent = poolPercent;
      return { preset, steps: [swapFile(), { op: 'zswap', settings }] };
    }
    case 'zram': {
      const step: Step = {
        op: 'zram',
        sizeBytes: parseSize(o.zramSize ?? DEFAULT_ZRAM_SIZE, '--zram-size'),
        priority: intIn(o.zramPriority, '--zram-priority', -1, 32767) ?? ZRAM_PRIORITY,
      };
      if (o.zramAlgorithm !== undefined) step.algorithm = o.zramAlgorithm;
      if (o.zramMemLimit !== undefined) step.memLimitBytes = parseSize(o.zramMemLimit, '--zram-mem-limit');
      if (step.sizeBytes < 1024 * 1024)
        throw new UsageError(`zram size ${step.sizeBytes} B is too small`, 'use at least 1M');
      return { preset, steps: [step] };
    }
  }
}

/** One line per step, for --dry-run and logs (its mechanism says it). */
export function describeStep(s: Step): string {
  return stepHandler(s).describe(s);
}
