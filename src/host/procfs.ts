import { join } from 'node:path';
import { readText, tryReadText, tryReadTextSync } from './fsio.js';
import type { HostPaths } from './paths.js';

/** "Key:   123 kB" lines (meminfo, /proc/PID/status, smaps_rollup) -> key -> bytes (kB values) or count (no unit). */
export function parseKbTable(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1);
  }
  return out;
}

/** /proc/meminfo -> field -> bytes (HugePages_* are counts). */
export const parseMeminfo = parseKbTable;

/** /proc/vmstat "name value" lines -> name -> number. */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/**
 * Only the named fields of /proc/vmstat (absent names are left out): a tick needs a handful of its ~180 lines, and
 * parsing them all each second was a fifth of an observation's cost (bench/agent-overhead). Pure.
 */
export function pickVmstat(text: string, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    let at = text.startsWith(`${n} `) ? 0 : text.indexOf(`\n${n} `);
    if (at === -1) continue;
    if (at > 0) at += 1;
    const start = at + n.length + 1;
    const end = text.indexOf('\n', start);
    const v = text.slice(start, end === -1 ? undefined : end).trim();
    if (/^-?\d+$/.test(v)) out[n] = Number(v);
  }
  return out;
}

export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds since boot. */
  totalUs: number;
}
export interface Psi {
  some: PsiLine;
  /** Absent for /proc/pressure/cpu on old kernels. */
  full?: PsiLine;
}

/** /proc/pressure/{memory,io,cpu} and cgroup v2 memory.pressure. */
export function parsePressure(text: string): Psi | undefined {
  const lines: Partial<Record<'some' | 'full', PsiLine>> = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(line.trim());
    if (m) {
      lines[m[1] as 'some' | 'full'] = {
        avg10: Number(m[2]),
        avg60: Number(m[3]),
        avg300: Number(m[4]),
        totalUs: Number(m[5]),
      };
    }
  }
  if (!lines.some) return undefined;
  return lines.full ? { some: lines.some, full: lines.full } : { some: lines.some };
}

export interface ProcessMemory {
  rssBytes: number;
  swapBytes: number;
  /** From smaps_rollup when readable. */
  pssBytes?: number;
  pssAnonBytes?: number;
}

export function processMemoryFrom(statusText: string, smapsRollupText?: string): ProcessMemory {
  const st = parseKbTable(statusText);
  const out: ProcessMemory = { rssBytes: st.VmRSS ?? 0, swapBytes: st.VmSwap ?? 0 };
  if (smapsRollupText !== undefined) {
    const sr = parseKbTable(smapsRollupText.split('\n').slice(1).join('\n'));
    if (sr.Pss !== undefined) out.pssBytes = sr.Pss;
    if (sr.Pss_Anon !== undefined) out.pssAnonBytes = sr.Pss_Anon;
  }
  return out;
}

export async function readMeminfo(paths: HostPaths): Promise<Record<string, number>> {
  return parseMeminfo(await readText(join(paths.proc, 'meminfo')));
}

export async function readVmstat(paths: HostPaths): Promise<Record<string, number>> {
  return parseVmstat(await readText(join(paths.proc, 'vmstat')));
}

export type PsiResource = 'memory' | 'io' | 'cpu';

/** PSI for one resource, or undefined when the kernel has no PSI (CONFIG_PSI off or psi=0). */
export async function readPressure(paths: HostPaths, resource: PsiResource): Promise<Psi | undefined> {
  const t = await tryReadText(join(paths.proc, 'pressure', resource));
  return t === undefined ? undefined : parsePressure(t);
}

/**
 * RSS and swap from /proc/PID/status only. smaps_rollup (PSS) walks the process's page tables: 2.7 ms for a 1 GiB
 * process here (`python3` touching 1 GiB, 20 reads), so 100 guests of 4 GiB would cost a core each second.
 */
export function readProcessRssSync(paths: HostPaths, pid: number): ProcessMemory | undefined {
  const status = tryReadTextSync(join(paths.proc, String(pid), 'status'));
  if (status === undefined) return undefined;
  return { rssBytes: pickKb(status, 'VmRSS') ?? 0, swapBytes: pickKb(status, 'VmSwap') ?? 0 };
}

/** The named "Key: N kB" fields of a meminfo-like text, in bytes (absent keys left out). Pure. */
export function pickKbFields(text: string, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = pickKb(text, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** One "Key:   123 kB" field of a status-like text, in bytes, without parsing the other lines. Pure. */
export function pickKb(text: string, key: string): number | undefined {
  const at = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (at === -1) return undefined;
  const start = at === 0 ? key.length + 1 : at + key.length + 2;
  const end = text.indexOf('\n', start);
  const m = /^\s*(\d+)\s*kB\s*$/.exec(text.slice(start, end === -1 ? undefined : end));
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

export async function readProcessMemory(paths: HostPaths, pid: number): Promise<ProcessMemory | undefined> {
  const status = await tryReadText(join(paths.proc, String(pid), 'status'));
  if (status === undefined) return undefined;
  return processMemoryFrom(status, await tryReadText(join(paths.proc, String(pid), 'smaps_rollup')));
}
