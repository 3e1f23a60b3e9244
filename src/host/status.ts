import { join } from 'node:path';
import { tryReadText } from './fsio.js';
import { loadJournal } from './journal/journal.js';
import { MECHANISMS, swapNamesOf, type MechanismStatus } from './mechanisms/index.js';
import type { HostPaths } from './paths.js';
import { readMeminfo, readPressure, readVmstat, type Psi } from './procfs.js';
import { readSwaps, type SwapDevice } from './swaps.js';

/** The host's own figures, then one section per mechanism (`ksm`, `uksm`, `zram`, `zswap`, `cgroup`, `thp`). */
export type HostStatus = {
  takenAt: string;
  kernel: string;
  memory: {
    totalBytes: number;
    availableBytes: number;
    freeBytes: number;
    cachedBytes: number;
    anonBytes: number;
    swapTotalBytes: number;
    swapFreeBytes: number;
  };
  swaps: Array<SwapDevice & { ours: boolean }>;
  swapIo: { pswpin: number; pswpout: number };
  psi: { memory?: Psi; io?: Psi; cpu?: Psi };
  journal?: { label: string; createdAt: string; ownerPid: number; objects: number; touchedKnobs: string[] };
} & MechanismStatus;

/** Reads every mechanism's settings and live figures (read-only: works without root where the files allow). */
export async function readHostStatus(paths: HostPaths, stateDir: string): Promise<HostStatus> {
  const journal = await loadJournal(stateDir).catch(() => undefined);
  const [mi, vm, swaps, sections] = await Promise.all([
    readMeminfo(paths),
    readVmstat(paths),
    readSwaps(paths),
    Promise.all(MECHANISMS.map(async (m) => ('status' in m ? [m.name, await m.status(paths, journal)] : []))),
  ]);
  const ourSwaps = new Set(journal?.objects.flatMap((o) => swapNamesOf(paths, o)) ?? []);
  const status: HostStatus = {
    takenAt: new Date().toISOString(),
    kernel: ((await tryReadText(join(paths.proc, 'sys/kernel/osrelease'))) ?? 'unknown').trim(),
    memory: {
      totalBytes: mi.MemTotal ?? 0,
      availableBytes: mi.MemAvailable ?? 0,
      freeBytes: mi.MemFree ?? 0,
      cachedBytes: mi.Cached ?? 0,
      anonBytes: (mi.AnonPages ?? 0) + (mi.Shmem ?? 0),
      swapTotalBytes: mi.SwapTotal ?? 0,
      swapFreeBytes: mi.SwapFree ?? 0,
    },
    // Each entry is [name, what that mechanism's `status` returned]: the MechanismStatus type by construction.
    ...(Object.fromEntries(sections.filter((e) => e.length === 2)) as MechanismStatus),
    swaps: swaps.map((s) => ({ ...s, ours: ourSwaps.has(s.filename) })),
    swapIo: { pswpin: vm.pswpin ?? 0, pswpout: vm.pswpout ?? 0 },
    psi: {},
  };
  for (const r of ['memory', 'io', 'cpu'] as const) {
    const p = await readPressure(paths, r);
    if (p) status.psi[r] = p;
  }
  if (journal) {
    status.journal = {
      label: journal.label,
      createdAt: journal.createdAt,
      ownerPid: journal.owner.pid,
      objects: journal.objects.length,
      touchedKnobs: journal.touched,
    };
  }
  return status;
}
