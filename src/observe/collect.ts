import type { Guest } from '../guest/guest.js';

import { readBudget, type CgroupLayout } from '../host/mechanisms/budget-cgroup.js';
import { readTextSync, tryReadTextSync } from '../host/fsio.js';
import { parseKsm } from '../host/mechanisms/ksm.js';
import type { HostPaths } from '../host/paths.js';
import { pickKbFields, pickVmstat, parsePressure } from '../host/procfs.js';
import { listZramIndices, parseMmStat, type ZramMmStat } from '../host/mechanisms/zram.js';
import { zswapStatsFrom } from '../host/mechanisms/zswap.js';
import { findKernelThreads, parsePidCpuTicks, parseProcStatCpu } from './cpu.js';
import { hostFiles, type HostFiles } from './host-files.js';
import { observeGuest, type GuestReading } from './guest-observation.js';
import type { GuestObservation, HostObservation, Observation } from './observation.js';

/** What the collector reads of one of the lab's guests (a Guest; a fake in tests). */
export type ObservedGuest = Pick<Guest, 'name' | 'snapshot' | 'inGuest'> & {
  record: Pick<Guest['record'], 'memoryBytes'>;
};

const VMSTAT_FIELDS = ['pswpin', 'pswpout', 'zswpin', 'zswpout', 'zswpwb'];
const MEMINFO_FIELDS = ['MemTotal', 'MemFree', 'MemAvailable', 'Cached', 'SwapTotal', 'SwapFree', 'Zswap', 'Zswapped'];
/** How long the list of zram devices is kept (listing /sys/block costs more than the rest of an observation). */
const ZRAM_LIST_MS = 10_000;
/** While ksmd is stopped, its counters are read every this many observations (10 s at the agent's tick). */
const KSM_STOPPED_EVERY = 10;

/** The texts of the files that exist, by name. */
function readAll(files: HostFiles['ksmCounters']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, path] of files) {
    const t = tryReadTextSync(path);
    if (t !== undefined) out[name] = t;
  }
  return out;
}

/** A PSI file's figures, or undefined on a kernel without it. */
function readPressure(path: string): ReturnType<typeof parsePressure> | undefined {
  const t = tryReadTextSync(path);
  return t === undefined ? undefined : parsePressure(t);
}

/** The CPU time (ticks) of these threads together, from their /proc/PID/stat (a thread gone counts 0). */
function sumCpuTicks(statPaths: readonly string[]): number {
  let sum = 0;
  for (const path of statPaths) {
    const t = tryReadTextSync(path);
    if (t) sum += parsePidCpuTicks(t);
  }
  return sum;
}

export interface CollectorOptions {
  paths: HostPaths;
  guests: () => readonly ObservedGuest[];
  budget?: { layout: CgroupLayout; path: string };
  /** Ask each guest for its own meminfo/PSI through the control channel every Nth observation (0: never). */
  inGuestEvery?: number;
  /**
   * Read the figures no policy uses (the CPU times of /proc/stat and kswapd, io and cpu PSI) every Nth host
   * observation and keep them in between (default 1: every time). The agent reads them every DISPLAY_EVERY-th: they
   * feed only its status page and metrics. The lab records them every second.
   */
  displayEvery?: number;
}

/** What displayEvery keeps between its reads. */
interface DisplayFigures {
  cpu: HostObservation['cpu'];
  kswapdCpuTicks: number;
  psiIo: HostObservation['psi']['io'];
  psiCpu: HostObservation['psi']['cpu'];
}

/**
 * Takes Observations: the host from /proc and /sys (one read of each file per tick), the guests over QMP and the
 * host's view of their QEMU processes, and, less often, the guests' own figures through the control channel.
 */
export class Collector {
  private kthreads: { ksmd: number[]; kswapd: number[] } | undefined;
  private zramList: { indices: number[]; at: number } | undefined;
  private files: HostFiles | undefined;
  /** KSM's counters (texts) at their last read, and ksmd's CPU time then (kept while ksmd is stopped). */
  private ksm: { counters: Record<string, string>; ksmdTicks: number } | undefined;
  private display: DisplayFigures | undefined;
  private hostReads = 0;
  private n = 0;
  constructor(private readonly o: CollectorOptions) {}

  async host(): Promise<HostObservation> {
    const { paths } = this.o;
    this.kthreads ??= await findKernelThreads(paths, { ksmd: /^ksmd$/, kswapd: /^kswapd\d+$/ });
    if (!this.zramList || Date.now() - this.zramList.at >= ZRAM_LIST_MS) {
      this.zramList = { indices: await listZramIndices(paths), at: Date.now() };
      this.files = undefined;
    }
    this.files ??= hostFiles(paths, this.kthreads, this.zramList.indices);
    const h = this.hostNow(this.files);
    if (this.o.budget) {
      const b = await readBudget(this.o.budget.layout, this.o.budget.path).catch(() => undefined);
      if (b)
        h.budget = {
          usageBytes: b.usageBytes,
          limitBytes: b.limitBytes,
          ...(b.swapUsageBytes !== undefined ? { swapUsageBytes: b.swapUsageBytes } : {}),
          ...(b.oomKills !== undefined ? { oomKills: b.oomKills } : {}),
        };
    }
    return h;
  }

  /**
   * The host's kernel files, read synchronously in one go: they are kernel pseudo-files (host/fsio.ts), and one
   * synchronous function spares the tick an async call, a promise and a microtask for each of its ~25 files.
   */
  private hostNow(f: HostFiles): HostObservation {
    const miText = readTextSync(f.meminfo);
    const vmText = readTextSync(f.vmstat);
    const reads = this.hostReads++;
    // ksmd's counters and CPU time move with its scans. While it is stopped (run 0) only its settings are read each
    // time, its counters every KSM_STOPPED_EVERY-th: they then change only when merged pages are freed or written.
    const settings = readAll(f.ksmSettings);
    const ksmdStopped = settings.run?.trim() === '0' && this.ksm !== undefined;
    if (!ksmdStopped || reads % KSM_STOPPED_EVERY === 0) {
      this.ksm = { counters: readAll(f.ksmCounters), ksmdTicks: sumCpuTicks(f.ksmd) };
    }
    const { counters, ksmdTicks } = this.ksm ?? { counters: {}, ksmdTicks: 0 };
    const ksm = parseKsm({ ...settings, ...counters });
    const zram: ZramMmStat[] = [];
    for (const path of f.zram) {
      const t = tryReadTextSync(path);
      if (t !== undefined) zram.push(parseMmStat(t));
    }
    const psiM = readPressure(f.psi.memory);
    if (!this.display || reads % (this.o.displayEvery ?? 1) === 0) {
      this.display = {
        cpu: parseProcStatCpu(readTextSync(f.stat)),
        kswapdCpuTicks: sumCpuTicks(f.kswapd),
        psiIo: readPressure(f.psi.io),
        psiCpu: readPressure(f.psi.cpu),
      };
    }
    const { cpu, kswapdCpuTicks, psiIo, psiCpu } = this.display;
    const mi = pickKbFields(miText, MEMINFO_FIELDS);
    const vm = pickVmstat(vmText, VMSTAT_FIELDS);
    const zs = zswapStatsFrom(mi, vm);
    const h: HostObservation = {
      memTotalBytes: mi.MemTotal ?? 0,
      memAvailableBytes: mi.MemAvailable ?? 0,
      memFreeBytes: mi.MemFree ?? 0,
      cachedBytes: mi.Cached ?? 0,
      swapTotalBytes: mi.SwapTotal ?? 0,
      swapFreeBytes: mi.SwapFree ?? 0,
      cpu,
      ksmdCpuTicks: ksmdTicks,
      kswapdCpuTicks,
      pswpin: vm.pswpin ?? 0,
      pswpout: vm.pswpout ?? 0,
      psi: {},
      ksm: {
        run: ksm.settings.run ?? 0,
        pagesShared: ksm.stats.pages_shared ?? 0,
        pagesSharing: ksm.stats.pages_sharing ?? 0,
        pagesVolatile: ksm.stats.pages_volatile ?? 0,
        fullScans: ksm.stats.full_scans ?? 0,
        savedBytes: ksm.derived.savedBytes,
        ...(ksm.stats.general_profit !== undefined ? { generalProfit: ksm.stats.general_profit } : {}),
        ...(ksm.stats.pages_scanned !== undefined ? { pagesScanned: ksm.stats.pages_scanned } : {}),
        ...(ksm.stats.pages_unshared !== undefined ? { pagesUnshared: ksm.stats.pages_unshared } : {}),
        ...(ksm.settings.pages_to_scan !== undefined ? { pagesToScan: ksm.settings.pages_to_scan } : {}),
        ...(ksm.settings.sleep_millisecs !== undefined ? { sleepMillisecs: ksm.settings.sleep_millisecs } : {}),
        ...(ksm.settings.advisor_mode !== undefined ? { advisorMode: ksm.settings.advisor_mode } : {}),
      },
      zram: zram.reduce(
        (a, mm) => ({
          origBytes: a.origBytes + mm.origDataSizeBytes,
          comprBytes: a.comprBytes + mm.comprDataSizeBytes,
          memUsedBytes: a.memUsedBytes + mm.memUsedTotalBytes,
        }),
        { origBytes: 0, comprBytes: 0, memUsedBytes: 0 },
      ),
      zswap: zs
        ? {
            poolBytes: zs.poolBytes,
            storedBytes: zs.storedBytes,
            zswpin: zs.zswpin,
            zswpout: zs.zswpout,
            zswpwb: zs.zswpwb,
          }
        : { poolBytes: 0, storedBytes: 0, zswpin: 0, zswpout: 0, zswpwb: 0 },
    };
    if (psiM) h.psi.memory = psiM;
    if (psiIo) h.psi.io = psiIo;
    if (psiCpu) h.psi.cpu = psiCpu;
    return h;
  }

  /** The lab's source: one of its own guests' snapshot (and, when asked, its in-guest figures), via observeGuest. */
  async guest(g: ObservedGuest, inGuest: boolean): Promise<GuestObservation> {
    const snap = await g.snapshot();
    const r: GuestReading = { name: g.name, alive: snap.alive, memoryBytes: g.record.memoryBytes };
    if (snap.balloonActualBytes !== undefined) r.balloonActualBytes = snap.balloonActualBytes;
    if (snap.stats) r.stats = snap.stats;
    if (snap.process || snap.ksm) {
      r.process = {};
      if (snap.process) {
        r.process.rssBytes = snap.process.rssBytes;
        r.process.swapBytes = snap.process.swapBytes;
        if (snap.process.pssBytes !== undefined) r.process.pssBytes = snap.process.pssBytes;
      }
      if (snap.ksm) r.process.ksmMergingPages = snap.ksm.mergingPages;
    }
    if (inGuest && snap.alive) {
      const m = await g.inGuest().catch(() => undefined);
      if (m) {
        const f: NonNullable<GuestReading['inGuest']> = {};
        if (m.meminfo.MemTotal !== undefined) f.memTotalBytes = m.meminfo.MemTotal;
        if (m.meminfo.MemAvailable !== undefined) f.memAvailableBytes = m.meminfo.MemAvailable;
        if (m.pressure) f.psiMemorySomeAvg10 = m.pressure.some.avg10;
        if (m.vmstat.pgmajfault !== undefined) f.pgmajfault = m.vmstat.pgmajfault;
        r.inGuest = f;
      }
    }
    return observeGuest(r);
  }

  async observe(): Promise<Observation> {
    const every = this.o.inGuestEvery ?? 0;
    const inGuest = every > 0 && this.n % every === 0;
    this.n++;
    const t = Date.now();
    const [host, guests] = await Promise.all([
      this.host(),
      Promise.all(this.o.guests().map((g) => this.guest(g, inGuest))),
    ]);
    return { t, host, guests };
  }
}
