import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/**
 * Parses a size the way qemu, zramctl and fallocate users write it: `4096`, `512K`, `256M`, `1.5G`, `2GiB`, `64MB`.
 * All units are binary (K = 1024), as in qemu's `-m 256M`. The result is a whole number of bytes.
 */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtKMGT]?)(i?[bB])?\s*$/.exec(text);
  if (!m) {
    throw new UsageError(`invalid ${what} '${text}'`, 'write a number with an optional unit K, M, G or T (e.g. 512M)', {
      value: text,
    });
  }
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = Math.round(Number(m[1]) * (UNITS[unit] ?? 1));
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`${what} '${text}' is too large`, 'use a smaller size', { value: text });
  }
  return bytes;
}

/** Formats bytes as a short human figure with binary units and 3 significant digits: 1536 -> "1.50 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited';
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)} ${units[i]}`;
}
