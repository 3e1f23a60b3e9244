/**
 * The three KSM controllers bench/ksm-converge compares, behind one shape: started on guests that are already up
 * (KSM off and unmerged), fed one Observation per second, stopped at the end.
 * - default: the kernel's own KSM, switched on with its defaults (run=1, pages_to_scan 100, sleep 20 ms, advisor none).
 * - ksmtuned: the real Debian ksmtuned (src/lab/peers/ksmtuned/daemon.ts) with its real 60 s interval, reading a synthetic meminfo
 *   of a tight host rewritten every second from the guests' footprint (usageOf).
 * - adaptive: our tuner, ksmTuner('adaptive'), stepped by PolicyLoop, its actions carried out by the executor.
 */
import { join } from 'node:path';
import { PolicyLoop, type Policy } from '../../src/control/policy-loop.js';
import { errorMessage } from '../../src/errors.js';
import type { Guest } from '../../src/guest/guest.js';
import type { HostJournal } from '../../src/host/journal/journal.js';
import { applyKsm } from '../../src/host/mechanisms/ksm.js';
import { startKsmtuned, writeSyntheticMeminfo, type SyntheticMeminfo } from '../../src/lab/peers/ksmtuned/daemon.js';
import type { Observation } from '../../src/observe/observation.js';
import { ksmTuner, type AdaptiveState } from '../../src/policy/ksm-tuner/index.js';
import type { ControllerKind } from './ksm-converge-metrics.js';

/** ksmtuned's default KSM_MONITOR_INTERVAL, passed explicitly so the figure is on record. */
export const KSMTUNED_INTERVAL_S = 60;
/** The synthetic host's free memory at the start, as a fraction of its MemTotal (ksmtuned boosts below 20 %). */
export const KSMTUNED_START_FREE_FRACTION = 0.1;

/** One thing a controller decided, for the JSON output. */
export interface DecisionLine {
  tS: number;
  what: string;
}

export interface ControllerReport {
  settings: string[];
  notes: string[];
  decisions: DecisionLine[];
}

export interface BenchController {
  kind: ControllerKind;
  observe(obs: Observation): void;
  stop(): Promise<ControllerReport>;
}

export interface ControllerContext {
  journal: HostJournal;
  guests: () => readonly Guest[];
  /** The observation taken just before the controller starts. */
  start: Observation;
  /** Σ guest RAM (N x memory). */
  guestRamBytes: number;
  /** Controller start, ms since the epoch (t = 0 of the run). */
  t0: number;
}

/**
 * The guests' footprint on the host: Σ QEMU RSS (a page KSM merged still counts in the RSS of every guest mapping
 * it) less what KSM saved ((pages_sharing + ksm_zero_pages) x 4 KiB). A budget cgroup would not do here: under
 * cgroup v1, QEMU's memory touched before it is moved into the group (the kernel and initramfs it loads into guest
 * RAM, its own allocations) stays charged to the root, so the group's usage saw ~85 of a guest's ~245 MiB here
 * and only part of what KSM freed.
 */
export function usageOf(obs: Observation): number {
  const rss = obs.guests.reduce((s, g) => s + (g.alive ? (g.rssBytes ?? 0) : 0), 0);
  return rss - obs.host.ksm.savedBytes;
}

/** KSM settings the kernel boots with (6.18): each controller starts from these, with KSM off. */
export const KERNEL_KSM_DEFAULTS = {
  pages_to_scan: 100,
  sleep_millisecs: 20,
  advisor_mode: 'none',
  smart_scan: 1,
  use_zero_pages: 0,
  max_page_sharing: 256,
} as const;

const tS = (ms: number, t0: number) => Math.round((ms - t0) / 100) / 10;

function defaultController(ctx: ControllerContext): Promise<BenchController> {
  return applyKsm(ctx.journal, { ...KERNEL_KSM_DEFAULTS, run: 1 }).then(() => ({
    kind: 'default' as const,
    observe: () => undefined,
    stop: () =>
      Promise.resolve({
        settings: ['kernel default KSM: run=1, pages_to_scan 100, sleep_millisecs 20, advisor none, smart_scan 1'],
        notes: [],
        decisions: [{ tS: 0, what: 'run=1 with the kernel defaults' }],
      }),
  }));
}

/**
 * The synthetic host ksmtuned sees: MemTotal = the guests' RAM (N x memory: a host exactly as big as its guests, so
 * its sleep_millisecs formula, 10 ms x 16 GiB / MemTotal, scales to the memory it has to scan), 90 % used when it
 * starts — free below its 20 % threshold, so it boosts KSM at its first adjust — and from then on free grows (or
 * shrinks) by exactly what the guests' footprint (usageOf) lost (or gained) since the start. Pure.
 */
export function ksmtunedView(guestRamBytes: number, usage0: number, usage: number): SyntheticMeminfo {
  const totalBytes = Math.floor(guestRamBytes);
  const free = KSMTUNED_START_FREE_FRACTION * totalBytes + (usage0 - usage);
  return { totalBytes, freeBytes: Math.floor(Math.max(0, Math.min(totalBytes, free))), cachedBytes: 0 };
}

async function ksmtunedController(ctx: ControllerContext): Promise<BenchController> {
  const usage0 = usageOf(ctx.start);
  const view = (usage: number) => ksmtunedView(ctx.guestRamBytes, usage0, usage);
  const totalBytes = view(usage0).totalBytes;
  const meminfoPath = join(ctx.journal.stateDir, 'ksmtuned-meminfo');
  await writeSyntheticMeminfo(meminfoPath, view(usage0));
  const handle = await startKsmtuned(ctx.journal, {
    meminfoPath,
    env: { KSM_MONITOR_INTERVAL: KSMTUNED_INTERVAL_S },
  });
  const notes: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  return {
    kind: 'ksmtuned',
    observe(obs) {
      writing = writing
        .then(() => writeSyntheticMeminfo(meminfoPath, view(usageOf(obs))))
        .catch((e: unknown) => {
          if (notes.length === 0) notes.push(`could not update ksmtuned's meminfo: ${errorMessage(e)}`);
        });
    },
    async stop() {
      await writing;
      const log = await handle.readLog().catch(() => undefined);
      const how = await handle.stop();
      if (!log) notes.push('ksmtuned log unreadable');
      const s = log?.setup;
      return {
        settings: [
          `real ksmtuned (Debian 4.20150326), KSM_MONITOR_INTERVAL ${KSMTUNED_INTERVAL_S} s (its default), other settings default`,
          `synthetic meminfo: MemTotal ${Math.round(totalBytes / 2 ** 20)} MiB (the guests' RAM), MemFree ${KSMTUNED_START_FREE_FRACTION * 100} % of it at the start + what the guests' footprint (Σ QEMU RSS - KSM saved) fell by since (updated every 1 s), Cached 0`,
          `ksmtuned computed: total ${s?.totalKb ?? '?'} kB, thres ${s?.thresKb ?? '?'} kB, sleep ${s?.sleepMs ?? '?'} ms`,
          ...handle.changes.map((c) => `ksmtuned patch: ${c}`),
          `ksmtuned ${how}`,
        ],
        notes,
        decisions: (log?.ticks ?? []).map((t) => ({
          tS: t.atMs !== undefined ? tS(t.atMs, ctx.t0) : NaN,
          what:
            `${t.action}: committed ${t.committedKb} kB, free ${t.freeKb} kB` +
            (t.pagesToScan !== undefined ? ` -> pages_to_scan ${t.pagesToScan}, sleep ${t.sleepMs ?? '?'} ms` : ''),
        })),
      };
    },
  };
}

function adaptiveController(ctx: ControllerContext): BenchController {
  const tuner = ksmTuner('adaptive');
  const policy: Policy<AdaptiveState> = {
    name: 'ksm-adaptive',
    initial: tuner.initial,
    step: (obs, prev, state) => tuner.step(obs, prev, state),
  };
  const loop = new PolicyLoop([policy], { journal: ctx.journal, guests: ctx.guests });
  return {
    kind: 'adaptive',
    observe: (obs) => loop.observe(obs),
    async stop() {
      loop.pause();
      await loop.drain();
      const failed = loop.timeline.filter((e) => !e.ok);
      return {
        settings: ["our adaptive tuner, ksmTuner('adaptive') with its defaults, PolicyLoop fed every 1 s"],
        notes: [
          ...(loop.skipped > 0 ? [`${loop.skipped} observations skipped while actions ran`] : []),
          ...failed.map((e) => `action failed: ${e.detail ?? '?'}`),
        ],
        decisions: loop.timeline.map((e) => ({
          tS: tS(e.t, ctx.t0),
          what: e.action.kind === 'ksm' ? e.action.reason : JSON.stringify(e.action),
        })),
      };
    },
  };
}

export async function startController(kind: ControllerKind, ctx: ControllerContext): Promise<BenchController> {
  switch (kind) {
    case 'default':
      return defaultController(ctx);
    case 'ksmtuned':
      return ksmtunedController(ctx);
    case 'adaptive':
      return adaptiveController(ctx);
  }
}
