/**
 * Pure parsers for what virsh prints (libvirt 9.0, captured in test/fixtures/virsh/). The field names of dommemstat
 * and the output of `list --name` are not translated; dominfo's labels are, so its memory lines are also found by
 * their `N KiB` shape.
 */
import { GUEST_STAT_NAMES, type GuestStatName, type GuestStats } from '../qmp/guest-stats.js';

/** `virsh list --name [--state-running]`: one domain name a line, then a blank line. */
export function parseDomainNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export interface Dommemstat {
  /** The balloon's current size (QEMU's query-balloon actual), KiB. Absent without a balloon device. */
  actualKiB?: number;
  /** RSS of the QEMU process on the host, KiB. */
  rssKiB?: number;
  /** Host time (seconds since the epoch) of the guest's last report; absent or 0 before the first one. */
  lastUpdate?: number;
  /** Every `name value` line as printed (values in KiB, except faults, counts and last_update). */
  fields: Record<string, number>;
}

/**
 * `virsh dommemstat DOM`: `actual 262144\nswap_in 0\n...\nrss 251904\n`. A guest that has not reported yet shows only
 * actual, last_update 0 and rss. Lines that are not `name integer` are ignored.
 */
export function parseDommemstat(text: string): Dommemstat {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_-]+)\s+(\d+)\s*$/.exec(line);
    if (m?.[1] && m[2]) fields[m[1]] = Number(m[2]);
  }
  const out: Dommemstat = { fields };
  if (fields.actual !== undefined) out.actualKiB = fields.actual;
  if (fields.rss !== undefined) out.rssKiB = fields.rss;
  if (fields.last_update !== undefined) out.lastUpdate = fields.last_update;
  return out;
}

/** libvirt's dommemstat field for each of our statistics, and whether libvirt prints it in KiB (else a count). */
const VIRSH_STATS: Record<GuestStatName, { field: string; kib: boolean }> = {
  swapIn: { field: 'swap_in', kib: true },
  swapOut: { field: 'swap_out', kib: true },
  majorFaults: { field: 'major_fault', kib: false },
  minorFaults: { field: 'minor_fault', kib: false },
  freeMemory: { field: 'unused', kib: true },
  totalMemory: { field: 'available', kib: true },
  availableMemory: { field: 'usable', kib: true },
  diskCaches: { field: 'disk_caches', kib: true },
  hugetlbAllocations: { field: 'hugetlb_pgalloc', kib: false },
  hugetlbFailures: { field: 'hugetlb_pgfail', kib: false },
};

/**
 * The guest's statistics in the same shape (and units: bytes, counts) as QMP's guest-stats, or undefined when the
 * guest has not reported any yet (no last_update, or 0). libvirt maps QEMU's stat-free-memory to unused,
 * stat-total-memory to available and stat-available-memory to usable.
 */
export function dommemstatToGuestStats(d: Dommemstat): GuestStats | undefined {
  if (!d.lastUpdate) return undefined;
  const stats = {} as Record<GuestStatName, number | undefined>;
  for (const ours of Object.keys(GUEST_STAT_NAMES) as GuestStatName[]) {
    const { field, kib } = VIRSH_STATS[ours];
    const v = d.fields[field];
    stats[ours] = v === undefined ? undefined : kib ? v * 1024 : v;
  }
  return { lastUpdate: d.lastUpdate, stats };
}

export interface Dominfo {
  /** Every `Label: value` line. */
  fields: Record<string, string>;
  /** The domain's memory ceiling (what the balloon can give back to), KiB. */
  maxMemoryKiB?: number;
  /** The memory the domain has now (the balloon's size while it runs), KiB. */
  usedMemoryKiB?: number;
  state?: string;
  /** Absent when the domain is not running (`Id: -`). */
  id?: number;
}

/** `virsh dominfo DOM`: `Id:             1\nName: ...\nMax memory:     262144 KiB\nUsed memory:    262144 KiB\n...`. */
export function parseDominfo(text: string): Dominfo {
  const fields: Record<string, string> = {};
  const kibValues: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*?)\s*$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    fields[m[1].trim()] = m[2];
    const kib = /^(\d+) KiB$/.exec(m[2]);
    if (kib?.[1]) kibValues.push(Number(kib[1]));
  }
  const kibOf = (label: string, position: number): number | undefined => {
    const v = fields[label];
    const m = v === undefined ? null : /^(\d+) KiB$/.exec(v);
    return m?.[1] ? Number(m[1]) : kibValues[position]; // translated labels: Max memory is the first KiB line
  };
  const out: Dominfo = { fields };
  const max = kibOf('Max memory', 0);
  const used = kibOf('Used memory', 1);
  if (max !== undefined) out.maxMemoryKiB = max;
  if (used !== undefined) out.usedMemoryKiB = used;
  if (fields.State !== undefined) out.state = fields.State;
  if (fields.Id !== undefined && /^\d+$/.test(fields.Id)) out.id = Number(fields.Id);
  return out;
}

/**
 * Whether virsh's error says the domain is not there (any more) or not running:
 * `error: failed to get domain 'x'`, `error: Requested operation is not valid: domain is not running`,
 * `Domain not found: no domain with matching name 'x'`.
 */
export function isDomainGone(stderr: string): boolean {
  return /failed to get domain|domain is not running|domain not found|no domain with matching/i.test(stderr);
}

/** The last line of virsh's error (the most specific), without the `error: ` prefix. */
export function virshErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim().replace(/^error:\s*/, ''))
    .filter((l) => l !== '');
  return lines.at(-1) ?? '';
}
