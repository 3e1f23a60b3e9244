import { join } from 'node:path';
import { detectCgroupLayout, listBudgetGroups, readBudget, type BudgetUsage, type CgroupLayout } from './mechanisms/budget-cgroup.js';
import { tryReadText } from './fsio.js';
import { loadJournal } from './journal/journal.js';
import { parseChoice } from './journal/knobs.js';
import { readKsm, type KsmState } from './mechanisms/ksm.js';
import type { HostPaths } from './paths.js';
import { readMeminfo, readPressure, readVmstat, type Psi } from './procfs.js';
import { readSwaps, type SwapDevice } from './swaps.js';
import { readUksm, type UksmState } from './mechanisms/uksm.js';
import { readZramDevices, type ZramDevice } from './mechanisms/zram.js';
import { readZswap, type ZswapState } from './mechanisms/zswap.js';

export interface HostStatus {
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
  ksm: KsmState;
  uksm: UksmState;
  zram: Array<ZramDevice & { ours: boolean }>;
  zswap: ZswapState;
  swaps: Array<SwapDevice & { ours: boolean }>;
  swapIo: { pswpin: number; pswpout: number };
  psi: { memory?: Psi; io?: Psi; cpu?: Psi };
  thp: { enabled?: string; defrag?: string };
  cgroup: { layout?: CgroupLayout; groups: BudgetUsage[] };
  journal?: { label: string; createdAt: string; ownerPid: number; objects: number; touchedKnobs: string[] };
}

/** Reads every mechanism's settings and live figures (read-only: works without root where the files allow). */
export async function readHostStatus(paths: HostPaths, stateDir: string): Promise<HostStatus> {
  const [mi, vm, ksm, uksm, zram, zswap, swaps, layout] = await Promise.all([
    readMeminfo(paths),
    readVmstat(paths),
    readKsm(paths),
    readUksm(paths),
    readZramDevices(paths),
    readZswap(paths),
    readSwaps(paths),
    detectCgroupLayout(paths),
  ]);
  const journal = await loadJournal(stateDir).catch(() => undefined);
  const ourZram = new Set(
    journal?.objects.flatMap((o) => (o.kind === 'zram' && o.index !== null ? [o.index] : [])) ?? [],
  );
  const ourSwapFiles = new Set(journal?.objects.flatMap((o) => (o.kind === 'swapfile' ? [o.path] : [])) ?? []);
  const thpText = (f: string) => tryReadText(join(paths.sys, 'kernel/mm/transparent_hugepage', f));
  const [thpEnabled, thpDefrag] = await Promise.all([thpText('enabled'), thpText('defrag')]);
  const groups = layout ? await Promise.all((await listBudgetGroups(layout)).map((g) => readBudget(layout, g))) : [];
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
    ksm,
    uksm,
    zram: zram.map((d) => ({ ...d, ours: ourZram.has(d.index) })),
    zswap,
    swaps: swaps.map((s) => ({
      ...s,
      ours: ourSwapFiles.has(s.filename) || [...ourZram].some((i) => s.filename === join(paths.dev, `zram${i}`)),
    })),
    swapIo: { pswpin: vm.pswpin ?? 0, pswpout: vm.pswpout ?? 0 },
    psi: {},
    thp: {},
    cgroup: { groups },
  };
  if (layout) status.cgroup.layout = layout;
  for (const r of ['memory', 'io', 'cpu'] as const) {
    const p = await readPressure(paths, r);
    if (p) status.psi[r] = p;
  }
  if (thpEnabled) status.thp.enabled = parseChoice(thpEnabled).selected ?? thpEnabled.trim();
  if (thpDefrag) status.thp.defrag = parseChoice(thpDefrag).selected ?? thpDefrag.trim();
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
