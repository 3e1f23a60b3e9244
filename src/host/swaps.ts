import { join } from 'node:path';
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
