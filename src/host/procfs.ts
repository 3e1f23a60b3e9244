import { join } from 'node:path';
import { readText, tryReadText } from './fsio.js';
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

export async function readProcessMemory(paths: HostPaths, pid: number): Promise<ProcessMemory | undefined> {
  const status = await tryReadText(join(paths.proc, String(pid), 'status'));
  if (status === undefined) return undefined;
  return processMemoryFrom(status, await tryReadText(join(paths.proc, String(pid), 'smaps_rollup')));
}
