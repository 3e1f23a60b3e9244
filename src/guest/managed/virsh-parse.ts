/**
 * Pure parsers for what virsh prints (libvirt 9.0, captured in test/fixtures/virsh/). domstats' field names are not
 * translated, unlike dominfo's labels: one `virsh domstats --balloon --list-running` tells every running domain's
 * balloon size, ceiling and statistics.
 */
import { GUEST_STAT_NAMES, type GuestStatName, type GuestStats } from '../qmp/guest-stats.js';

export interface DomainBalloon {
  /** The domain's name, as virsh prints it. */
  name: string;
  /** The balloon's current size (QEMU's query-balloon actual), KiB. */
  actualKiB?: number;
  /** The domain's memory ceiling (what the balloon can give back to), KiB. */
  maximumKiB?: number;
  /** RSS of the QEMU process on the host, KiB. Absent when the domain is not running. */
  rssKiB?: number;
  /** Host time (seconds since the epoch) of the guest's last report; absent or 0 before the first one. */
  lastUpdate?: number;
  /**
   * Every `balloon.NAME=integer` field, named as dommemstat names them (current -> actual, last-update ->
   * last_update; the others are the same); values in KiB, except faults, counts and last_update.
   */
  fields: Record<string, number>;
}

const DOMSTATS_NAMES: Record<string, string> = { current: 'actual', 'last-update': 'last_update' };

/**
 * `virsh domstats --balloon [--list-running] [DOM...]`: for each domain a `Domain: 'NAME'` line, then its
 * `  balloon.FIELD=VALUE` lines, then a blank line. A running guest that has not reported yet shows current, maximum,
 * last-update=0 and rss; a domain that is not running, current and maximum only (from its definition). Nothing but a
 * blank line when no domain matches. Other lines and fields are ignored.
 */
export function parseDomstatsBalloon(text: string): DomainBalloon[] {
  const out: DomainBalloon[] = [];
  let cur: DomainBalloon | undefined;
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'\s*$/.exec(line);
    if (head) {
      cur = { name: head[1] ?? '', fields: {} };
      out.push(cur);
      continue;
    }
    const m = /^\s+balloon\.([a-z_-]+)=(\d+)\s*$/.exec(line);
    if (!cur || !m?.[1] || m[2] === undefined) continue;
    cur.fields[DOMSTATS_NAMES[m[1]] ?? m[1]] = Number(m[2]);
  }
  for (const d of out) {
    const f = d.fields;
    if (f.actual !== undefined) d.actualKiB = f.actual;
    if (f.maximum !== undefined) d.maximumKiB = f.maximum;
    if (f.rss !== undefined) d.rssKiB = f.rss;
    if (f.last_update !== undefined) d.lastUpdate = f.last_update;
  }
  return out;
}

/** libvirt's balloon field (dommemstat's name) for each of our statistics, and whether it is in KiB (else a count). */
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
export function balloonGuestStats(d: Pick<DomainBalloon, 'lastUpdate' | 'fields'>): GuestStats | undefined {
  if (!d.lastUpdate) return undefined;
  const stats = {} as Record<GuestStatName, number | undefined>;
  for (const ours of Object.keys(GUEST_STAT_NAMES) as GuestStatName[]) {
    const { field, kib } = VIRSH_STATS[ours];
    const v = d.fields[field];
    stats[ours] = v === undefined ? undefined : kib ? v * 1024 : v;
  }
  return { lastUpdate: d.lastUpdate, stats };
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
