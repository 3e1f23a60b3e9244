/**
 * A toy ksmd for closed-loop tests of the KSM tuners: it scans pages_to_scan pages per sleep_millisecs while run=1,
 * merges `yieldAt(t)` pages per page scanned, burns `ticksPerPage(t)` jiffies per page scanned, and counts a full
 * scan per pass over the guests' pages. The tuner's actions are applied to it between observations.
 */
import type { GuestObservation } from '../../../../src/observe/observation.js';
import type { KsmAction } from '../../../../src/policy/actions.js';
import type { KsmTuner } from '../../../../src/policy/ksm-tuner/tuner.js';
import { observation } from './trace.js';

export interface SimScenario {
  /** t in seconds since the start. */
  guests: (t: number) => GuestObservation[];
  yieldAt: (t: number) => number;
  ticksPerPage: (t: number) => number;
  volatilePages?: (t: number) => number;
  /** The kernel has pages_scanned (6.x). Default true. */
  scannedCounter?: boolean;
}

export interface SimKernel {
  run: number;
  pagesToScan: number;
  sleepMillisecs: number;
  advisorMode?: string;
  smartScan?: number;
  scanned: number;
  merged: number;
  passes: number;
  ticks: number;
}

export interface SimRecord {
  t: number;
  pagesToScan: number;
  /** ksmd CPU over the step that follows, percent of a core. */
  cpuPercent: number;
  actions: KsmAction[];
}

export const KERNEL_DEFAULTS: SimKernel = {
  run: 0,
  pagesToScan: 100,
  sleepMillisecs: 20,
  scanned: 0,
  merged: 0,
  passes: 0,
  ticks: 0,
};

function apply(k: SimKernel, a: KsmAction): void {
  const s = a.set;
  if (s.advisor_mode !== undefined) {
    k.advisorMode = s.advisor_mode;
    if (s.advisor_mode === 'none') k.pagesToScan = 100; // the kernel resets it on the switch
  }
  if (s.pages_to_scan !== undefined) k.pagesToScan = s.pages_to_scan;
  if (s.sleep_millisecs !== undefined) k.sleepMillisecs = s.sleep_millisecs;
  if (s.smart_scan !== undefined) k.smartScan = s.smart_scan;
  if (s.run !== undefined) k.run = s.run;
}

export function simulate<S>(
  tuner: KsmTuner<S>,
  scenario: SimScenario,
  opts: { seconds: number; stepMs?: number; kernel?: Partial<SimKernel>; state?: S },
): { records: SimRecord[]; state: S; kernel: SimKernel } {
  const stepMs = opts.stepMs ?? 1000;
  const k: SimKernel = { ...KERNEL_DEFAULTS, ...opts.kernel };
  let state = opts.state ?? tuner.initial;
  let prev: ReturnType<typeof observation> | undefined;
  const records: SimRecord[] = [];
  for (let ms = 0; ms <= opts.seconds * 1000; ms += stepMs) {
    const t = ms / 1000;
    const guests = scenario.guests(t);
    const merged = Math.floor(k.merged);
    const obs = observation(1_700_000_000_000 + ms, {
      guests,
      ksmdCpuTicks: Math.floor(k.ticks),
      ksm: {
        run: k.run,
        pagesShared: Math.floor(merged / 5),
        pagesSharing: merged - Math.floor(merged / 5),
        pagesVolatile: scenario.volatilePages?.(t) ?? 0,
        pagesUnshared: 10_000,
        fullScans: Math.floor(k.passes),
        pagesToScan: k.pagesToScan,
        sleepMillisecs: k.sleepMillisecs,
        ...(scenario.scannedCounter === false ? {} : { pagesScanned: Math.floor(k.scanned) }),
        ...(k.advisorMode !== undefined ? { advisorMode: k.advisorMode } : {}),
      },
    });
    const d = tuner.step(obs, prev, state);
    state = d.state;
    prev = obs;
    const actions = d.actions.filter((a): a is KsmAction => a.kind === 'ksm');
    for (const a of actions) apply(k, a);
    const guestPages = guests.reduce((sum, g) => sum + (g.rssBytes ?? 0), 0) / 4096;
    const scanned = k.run === 1 && guestPages > 0 ? (k.pagesToScan * stepMs) / k.sleepMillisecs : 0;
    const ticks = scanned * scenario.ticksPerPage(t);
    k.scanned += scanned;
    k.merged += scanned * scenario.yieldAt(t);
    k.ticks += ticks;
    if (guestPages > 0) k.passes += scanned / guestPages;
    records.push({ t, pagesToScan: k.pagesToScan, cpuPercent: (ticks / (stepMs / 1000) / 100) * 100, actions });
  }
  return { records, state, kernel: k };
}

/** The pages_to_scan values the tuner wrote, in order. */
export function writtenPages(records: SimRecord[]): number[] {
  return records.flatMap((r) =>
    r.actions.flatMap((a) => (a.set.pages_to_scan !== undefined ? [a.set.pages_to_scan] : [])),
  );
}
