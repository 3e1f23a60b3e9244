import { join } from 'node:path';
import { run } from '../util/exec.js';
import { readText } from './fsio.js';
import type { HostPaths } from './paths.js';

export interface SwapDevice {
  /** As /proc/swaps names it (octal escapes such as \040 decoded). */
  filename: string;
  /** 'partition' or 'file' */
  type: string;
  sizeBytes: number;
  usedBytes: number;
  priority: number;
}

/** /proc/swaps -> devices. Sizes there are in KiB. */
export function parseProcSwaps(text: string): SwapDevice[] {
  const out: SwapDevice[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[0]) continue;
    out.push({
      filename: f[0].replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
      type: f[1] ?? '',
      sizeBytes: Number(f[2]) * 1024,
      usedBytes: Number(f[3]) * 1024,
      priority: Number(f[4]),
    });
  }
  return out;
}

export async function readSwaps(paths: HostPaths): Promise<SwapDevice[]> {
  return parseProcSwaps(await readText(join(paths.proc, 'swaps')));
}

/** True when /proc/swaps lists this device or file. */
export async function isSwapOn(paths: HostPaths, name: string): Promise<boolean> {
  return (await readSwaps(paths)).some((s) => s.filename === name);
}

/**
 * The one place swap is switched on: `swapon -p PRIO NAME` unless it is already on. Returns whether it switched.
 * Used by the swap file and zram mechanisms and by the controllers' disk-swap tier.
 */
export async function swapOn(paths: HostPaths, name: string, priority: number, hint?: string): Promise<boolean> {
  if (await isSwapOn(paths, name)) return false;
  await run('swapon', ['-p', String(priority), name], {
    hint: hint ?? 'see dmesg for why the kernel refused (swapon is in util-linux)',
  });
  return true;
}

/** How long swapoff may take: it pulls every swapped page back into RAM. */
export const SWAPOFF_TIMEOUT_MS = 600_000;

/** The one place swap is switched off: `swapoff NAME` if it is on. Returns whether it switched. */
export async function swapOff(paths: HostPaths, name: string): Promise<boolean> {
  if (!(await isSwapOn(paths, name))) return false;
  await run('swapoff', [name], {
    timeoutMs: SWAPOFF_TIMEOUT_MS,
    hint: 'swapoff needs enough free memory to take pages back',
  });
  return true;
}
