/**
 * Number formatting for the lab report: every figure with its unit, the same way in Markdown and HTML.
 * A missing or non-finite figure prints as an em dash. Pure.
 */

import { formatBytes } from '../../util/size.js';

export const MISSING = '—';
const MiB = 1024 * 1024;
/** Swap counters (pswpin/pswpout) count pages; x86-64 pages are 4 KiB. */
export const PAGE_BYTES = 4096;

const grouped = new Map<number, Intl.NumberFormat>();

function known(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n);
}

/** 12345.6 -> "12,345.6" with `digits` decimals (en-US grouping, whatever the host locale). */
export function formatNumber(n: number | undefined, digits = 0): string {
  if (!known(n)) return MISSING;
  let f = grouped.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    grouped.set(digits, f);
  }
  return f.format(n);
}

/** Bytes in MiB with one decimal: "162.4 MiB"; exactly zero is "0 MiB". */
export function formatMiB(bytes: number | undefined): string {
  if (!known(bytes)) return MISSING;
  if (bytes === 0) return '0 MiB';
  return `${formatNumber(bytes / MiB, 1)} MiB`;
}

/** A size with the unit that suits it: "512 MiB", "1.00 GiB" (binary units, 3 significant digits). */
export function formatSize(bytes: number | undefined): string {
  if (!known(bytes)) return MISSING;
  return formatBytes(bytes);
}

/** Throughput: "4,203 ops/s" (one decimal below 100). */
export function formatOps(opsPerSec: number | undefined): string {
  if (!known(opsPerSec)) return MISSING;
  return `${formatNumber(opsPerSec, Math.abs(opsPerSec) < 100 ? 1 : 0)} ops/s`;
}

/** Latency given in microseconds: "604 µs", "2.91 ms", "21.3 ms", "1.20 s". */
export function formatLatencyUs(us: number | undefined): string {
  if (!known(us)) return MISSING;
  const a = Math.abs(us);
  if (a < 1000) return `${formatNumber(us, a < 10 ? 1 : 0)} µs`;
  if (a < 1_000_000) return `${formatNumber(us / 1000, a < 10_000 ? 2 : a < 100_000 ? 1 : 0)} ms`;
  return `${formatNumber(us / 1_000_000, 2)} s`;
}

/** A multiplier: 2.0912 -> "2.09×". */
export function formatRatio(ratio: number | undefined): string {
  if (!known(ratio)) return MISSING;
  return `${formatNumber(ratio, 2)}×`;
}

/** A fraction as a percentage: 0.9312 -> "93.1%". */
export function formatPercent(fraction: number | undefined): string {
  if (!known(fraction)) return MISSING;
  return `${formatNumber(fraction * 100, 1)}%`;
}

/** CPU or wall seconds: "0 s", "0.03 s", "13.8 s", "412 s". */
export function formatSeconds(s: number | undefined): string {
  if (!known(s)) return MISSING;
  if (s === 0) return '0 s';
  const a = Math.abs(s);
  return `${formatNumber(s, a < 10 ? 2 : a < 100 ? 1 : 0)} s`;
}

/** A page count with its size: "76,176 (297.6 MiB)"; zero is "0". */
export function formatPages(pages: number | undefined): string {
  if (!known(pages)) return MISSING;
  if (pages === 0) return '0';
  return `${formatNumber(pages)} (${formatMiB(pages * PAGE_BYTES)})`;
}

/** Network rate in decimal units: "312.4 Mbit/s". */
export function formatBitsPerSec(bps: number | undefined): string {
  if (!known(bps)) return MISSING;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = Math.abs(bps);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${bps < 0 ? '-' : ''}${formatNumber(v, i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Disk bandwidth: "12.3 MiB/s". */
export function formatBytesPerSec(bps: number | undefined): string {
  if (!known(bps)) return MISSING;
  return `${formatNumber(bps / MiB, 1)} MiB/s`;
}

/** "1,234 IOPS". */
export function formatIops(iops: number | undefined): string {
  if (!known(iops)) return MISSING;
  return `${formatNumber(iops)} IOPS`;
}

/** An ISO timestamp as "2025-11-27 02:10:04 UTC"; anything unparsable is returned as given. */
export function formatTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Wall time between two ISO timestamps: "9 min 38 s"; undefined when either does not parse. */
export function formatElapsed(fromIso: string, toIso: string): string | undefined {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h > 0 ? `${h} h` : '', h > 0 || m > 0 ? `${m} min` : '', `${s % 60} s`];
  return parts.filter((p) => p !== '').join(' ');
}
