import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { HostPaths } from '../paths.js';

/**
 * The allowlist of global kernel knobs overcommit may change. Every one is snapshotted before the first change and
 * put back by restore. Nothing outside this list (and the files of objects we create ourselves) is ever written.
 */
export type KnobType =
  | { type: 'int'; min: number; max: number }
  | { type: 'choice' } // "[a] b c" files: the kernel lists the values, the selected one in brackets
  | { type: 'yn' } // Y / N module parameters
  | { type: 'word' }; // a name the kernel checks itself (a compressor)

export interface KnobSpec {
  id: string;
  root: 'sys' | 'proc';
  rel: string;
  kind: KnobType;
}

const int = (min: number, max: number): KnobType => ({ type: 'int', min, max });
const U32 = 4294967295;

const spec = (id: string, root: 'sys' | 'proc', rel: string, kind: KnobType): KnobSpec => ({ id, root, rel, kind });

export const KNOBS: readonly KnobSpec[] = [
  spec('ksm/run', 'sys', 'kernel/mm/ksm/run', int(0, 2)),
  spec('ksm/advisor_mode', 'sys', 'kernel/mm/ksm/advisor_mode', { type: 'choice' }),
  spec('ksm/pages_to_scan', 'sys', 'kernel/mm/ksm/pages_to_scan', int(1, U32)),
  spec('ksm/sleep_millisecs', 'sys', 'kernel/mm/ksm/sleep_millisecs', int(0, U32)),
  spec('ksm/max_page_sharing', 'sys', 'kernel/mm/ksm/max_page_sharing', int(2, 2147483647)),
  spec('ksm/merge_across_nodes', 'sys', 'kernel/mm/ksm/merge_across_nodes', int(0, 1)),
  spec('ksm/use_zero_pages', 'sys', 'kernel/mm/ksm/use_zero_pages', int(0, 1)),
  spec('ksm/smart_scan', 'sys', 'kernel/mm/ksm/smart_scan', int(0, 1)),
  spec('ksm/advisor_target_scan_time', 'sys', 'kernel/mm/ksm/advisor_target_scan_time', int(1, U32)),
  spec('ksm/advisor_max_cpu', 'sys', 'kernel/mm/ksm/advisor_max_cpu', int(1, 100)),
  spec('ksm/advisor_min_pages_to_scan', 'sys', 'kernel/mm/ksm/advisor_min_pages_to_scan', int(1, U32)),
  spec('ksm/advisor_max_pages_to_scan', 'sys', 'kernel/mm/ksm/advisor_max_pages_to_scan', int(1, U32)),
  spec(
    'ksm/stable_node_chains_prune_millisecs',
    'sys',
    'kernel/mm/ksm/stable_node_chains_prune_millisecs',
    int(0, U32),
  ),
  spec('uksm/run', 'sys', 'kernel/mm/uksm/run', int(0, 1)),
  spec('uksm/sleep_millisecs', 'sys', 'kernel/mm/uksm/sleep_millisecs', int(1, U32)),
  spec('uksm/cpu_governor', 'sys', 'kernel/mm/uksm/cpu_governor', { type: 'choice' }),
  spec('uksm/max_cpu_percentage', 'sys', 'kernel/mm/uksm/max_cpu_percentage', int(1, 100)),
  spec('zswap/enabled', 'sys', 'module/zswap/parameters/enabled', { type: 'yn' }),
  spec('zswap/compressor', 'sys', 'module/zswap/parameters/compressor', { type: 'word' }),
  spec('zswap/zpool', 'sys', 'module/zswap/parameters/zpool', { type: 'word' }),
  spec('zswap/max_pool_percent', 'sys', 'module/zswap/parameters/max_pool_percent', int(1, 100)),
  spec('zswap/accept_threshold_percent', 'sys', 'module/zswap/parameters/accept_threshold_percent', int(0, 100)),
  spec('zswap/shrinker_enabled', 'sys', 'module/zswap/parameters/shrinker_enabled', { type: 'yn' }),
  spec('thp/enabled', 'sys', 'kernel/mm/transparent_hugepage/enabled', { type: 'choice' }),
  spec('thp/defrag', 'sys', 'kernel/mm/transparent_hugepage/defrag', { type: 'choice' }),
  spec('vm/swappiness', 'proc', 'sys/vm/swappiness', int(0, 200)),
];

export type KnobId = string;

export function knobSpec(id: KnobId): KnobSpec {
  const s = KNOBS.find((k) => k.id === id);
  if (!s) throw new UsageError(`unknown knob '${id}'`, `known knobs: ${KNOBS.map((k) => k.id).join(', ')}`);
  return s;
}

export function knobPath(paths: HostPaths, s: KnobSpec): string {
  return join(s.root === 'sys' ? paths.sys : paths.proc, s.rel);
}

/** "[none] scan-time" -> { selected: 'none', values: ['none', 'scan-time'] }. */
export function parseChoice(text: string): { selected: string | undefined; values: string[] } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let selected: string | undefined;
  const values = words.map((w) => {
    const m = /^\[(.*)\]$/.exec(w);
    if (m) {
      selected = m[1];
      return m[1] ?? '';
    }
    return w;
  });
  return { selected, values };
}

/** The value as it would be written back: the selected choice, the integer, Y/N, the word. */
export function parseKnobValue(s: KnobSpec, text: string): string {
  if (s.kind.type === 'choice') return parseChoice(text).selected ?? text.trim();
  return text.trim();
}

/**
 * Checks a value for a knob before anything is written. `choices` are the values the kernel offers for a choice knob
 * (read from the file itself). Returns the normalized value.
 */
export function validateKnobValue(s: KnobSpec, value: string | number | boolean, choices?: string[]): string {
  const v = typeof value === 'boolean' ? (value ? 'Y' : 'N') : String(value).trim();
  const bad = (why: string): never => {
    throw new UsageError(`invalid value '${v}' for ${s.id}`, why, { knob: s.id, value: v });
  };
  switch (s.kind.type) {
    case 'int': {
      if (!/^\d+$/.test(v)) bad(`use a whole number from ${s.kind.min} to ${s.kind.max}`);
      const n = Number(v);
      if (n < s.kind.min || n > s.kind.max) bad(`use a whole number from ${s.kind.min} to ${s.kind.max}`);
      return String(n);
    }
    case 'yn': {
      const u = v.toUpperCase();
      if (['Y', '1', 'TRUE', 'ON'].includes(u)) return 'Y';
      if (['N', '0', 'FALSE', 'OFF'].includes(u)) return 'N';
      return bad('use Y or N');
    }
    case 'choice':
      if (choices && !choices.includes(v)) bad(`this kernel offers: ${choices.join(', ')}`);
      if (!/^[a-z0-9+_-]+$/i.test(v)) bad('use one of the values the kernel lists in the file');
      return v;
    case 'word':
      if (!/^[a-z0-9][a-z0-9()_.-]*$/i.test(v)) bad('use a name such as lzo, lz4 or zstd');
      return v;
  }
}
