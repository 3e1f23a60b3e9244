/**
 * The figures of bench/ksm-converge, pure: when a run has converged, and what each controller achieved. Samples are
 * taken every second from the Collector's Observation (the same reader for every controller).
 */
import type { Observation } from '../../src/observe/observation.js';
import { USER_HZ } from '../../src/policy/ksm-tuner/adaptive-window.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const CONTROLLERS = ['default', 'ksmtuned', 'adaptive'] as const;
export type ControllerKind = (typeof CONTROLLERS)[number];

/** One second of a run: time since the controller started, and KSM's state then. */
export interface Sample {
  tS: number;
  /** (pages_sharing + ksm_zero_pages) x page size. */
  savedBytes: number;
  /** ksmd's utime + stime since the controller started, seconds. */
  ksmdCpuS: number;
  run: number;
  pagesToScan?: number;
  sleepMs?: number;
  /** Full scans completed since the controller started. */
  fullScans: number;
  pagesShared: number;
  pagesSharing: number;
  pagesVolatile: number;
  /** Σ the guests' QEMU RSS (merged pages still count in each RSS), and the budget cgroup's usage when there is one. */
  guestRssBytes: number;
  budgetBytes?: number;
}

export function sampleOf(obs: Observation, start: Observation, t0: number): Sample {
  const k = obs.host.ksm;
  const s: Sample = {
    tS: (obs.t - t0) / 1000,
    savedBytes: k.savedBytes,
    ksmdCpuS: (obs.host.ksmdCpuTicks - start.host.ksmdCpuTicks) / USER_HZ,
    run: k.run,
    fullScans: k.fullScans - start.host.ksm.fullScans,
    pagesShared: k.pagesShared,
    pagesSharing: k.pagesSharing,
    pagesVolatile: k.pagesVolatile,
    guestRssBytes: obs.guests.reduce((sum, g) => sum + (g.alive ? (g.rssBytes ?? 0) : 0), 0),
  };
  if (obs.host.budget) s.budgetBytes = obs.host.budget.usageBytes;
  if (k.pagesToScan !== undefined) s.pagesToScan = k.pagesToScan;
  if (k.sleepMillisecs !== undefined) s.sleepMs = k.sleepMillisecs;
  return s;
}

export interface FlatRule {
  /** The saving must stay within this fraction of its largest value ... */
  tolerance: number;
  /** ... over this many seconds; */
  windowS: number;
  /** ... and at least this many full scans must have completed since the controller started (KSM cannot merge a
   *  page before its second sighting, so a plateau before that is a pause between merges, not the end). */
  minFullScans: number;
}

export const FLAT_RULE: FlatRule = { tolerance: 0.02, windowS: 20, minFullScans: 2 };

/** True when the saving has been flat (within tolerance, above zero) for the last windowS seconds. */
export function isFlat(samples: readonly Sample[], rule: FlatRule = FLAT_RULE): boolean {
  const last = samples.at(-1);
  if (!last || last.fullScans < rule.minFullScans) return false;
  const from = last.tS - rule.windowS;
  if ((samples[0]?.tS ?? Infinity) > from) return false;
  const win = samples.filter((s) => s.tS >= from);
  const max = Math.max(...win.map((s) => s.savedBytes));
  const min = Math.min(...win.map((s) => s.savedBytes));
  return max > 0 && max - min <= rule.tolerance * max;
}

export interface ControllerMetrics {
  controller: ControllerKind;
  /** Flat before the cap (true), or stopped by the cap. */
  converged: boolean;
  durationS: number;
  finalSavedMiB: number;
  /**
   * Seconds from the controller's start to 90 % of its final saving; null when nothing was saved, or when the run
   * hit the cap below 90 % of what the converged controllers saved (see withReference): then t90 > durationS.
   */
  t90S: number | null;
  /** True when t90S is unknown but known to exceed durationS (the cap). */
  t90AboveCap: boolean;
  /** ksmd CPU over the whole run (controller start to the end of the flat window or the cap). */
  ksmdCpuS: number;
  /** ksmd CPU from the controller's start to t90. */
  ksmdCpuTo90S: number | null;
  /** ksmdCpuS per GiB of final saving; null when nothing was saved. */
  cpuSPerGiB: number | null;
  /** ksmdCpuTo90S per GiB of 90 % of the final saving. */
  cpuTo90SPerGiB: number | null;
  fullScans: number;
  /** The largest pages_to_scan seen, and the sleep_millisecs then. */
  peakPagesToScan: number | null;
  peakSleepMs: number | null;
}

export function metricsOf(
  controller: ControllerKind,
  samples: readonly Sample[],
  converged: boolean,
): ControllerMetrics {
  const last = samples.at(-1);
  const final = last?.savedBytes ?? 0;
  const at90 = final > 0 ? samples.find((s) => s.savedBytes >= 0.9 * final) : undefined;
  const cpu = last?.ksmdCpuS ?? 0;
  const peak = samples
    .filter((s) => s.run === 1 && s.pagesToScan !== undefined)
    .reduce<Sample | undefined>((a, s) => ((s.pagesToScan ?? 0) > (a?.pagesToScan ?? -1) ? s : a), undefined);
  return {
    controller,
    converged,
    durationS: last?.tS ?? 0,
    finalSavedMiB: final / MiB,
    t90S: at90 ? at90.tS : null,
    t90AboveCap: false,
    ksmdCpuS: cpu,
    ksmdCpuTo90S: at90 ? at90.ksmdCpuS : null,
    cpuSPerGiB: final > 0 ? cpu / (final / GiB) : null,
    cpuTo90SPerGiB: at90 && final > 0 ? at90.ksmdCpuS / ((0.9 * final) / GiB) : null,
    fullScans: last?.fullScans ?? 0,
    peakPagesToScan: peak?.pagesToScan ?? null,
    peakSleepMs: peak?.sleepMs ?? null,
  };
}

/**
 * All controllers see the same guests from the same image, so their final savings agree within noise. A run that hit
 * the cap before reaching 90 % of the best converged saving has not converged: its t90 (against its own, unfinished
 * saving) would flatter it, so it becomes "above the cap" instead.
 */
export function withReference(rows: readonly ControllerMetrics[]): ControllerMetrics[] {
  const ref = Math.max(0, ...rows.filter((r) => r.converged).map((r) => r.finalSavedMiB));
  return rows.map((r) =>
    !r.converged && ref > 0 && r.finalSavedMiB < 0.9 * ref
      ? { ...r, t90S: null, ksmdCpuTo90S: null, cpuTo90SPerGiB: null, t90AboveCap: true }
      : r,
  );
}

export interface Ratio {
  name: string;
  value: number | null;
  /** The peer's t90 is above the cap: the true ratio is below value. */
  upperBound?: boolean;
  goal?: string;
  met?: boolean;
}

const div = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b <= 0 ? null : a / b;

const verdict = (value: number | null, goal: number): { met?: boolean } =>
  value === null ? {} : { met: value <= goal };

/** The ratios issue 5 asks for: adaptive's time against the default's and ksmtuned's, and CPU per GiB. */
export function ratiosOf(rows: readonly ControllerMetrics[]): Ratio[] {
  const by = (c: ControllerKind) => rows.find((r) => r.controller === c);
  const a = by('adaptive');
  if (!a) return [];
  const out: Ratio[] = [];
  const time = (peer: ControllerKind, goal: number, label: string) => {
    const p = by(peer);
    if (!p) return;
    const bound = p.t90AboveCap;
    const value = div(a.t90S, bound ? p.durationS : p.t90S);
    const r: Ratio = { name: `t90 adaptive / ${peer}`, value, goal: `<= ${label}` };
    if (value !== null && value <= goal) r.met = true;
    else if (!bound) r.met = false; // an upper bound above the goal decides nothing: left undetermined
    if (bound) r.upperBound = true;
    out.push(r);
  };
  time('default', 0.1, '0.10');
  time('ksmtuned', 1 / 3, '0.33');
  for (const peer of ['default', 'ksmtuned'] as const) {
    const p = by(peer);
    if (!p) continue;
    const whole = div(a.cpuSPerGiB, p.cpuSPerGiB);
    out.push({ name: `CPU/GiB adaptive / ${peer} (whole run)`, value: whole, goal: '<= 1', ...verdict(whole, 1) });
    const to90 = div(a.cpuTo90SPerGiB, p.cpuTo90SPerGiB);
    out.push({ name: `CPU/GiB adaptive / ${peer} (to t90)`, value: to90, goal: '<= 1', ...verdict(to90, 1) });
  }
  return out;
}

const f = (x: number | null, digits = 1) => (x === null ? '-' : x.toFixed(digits));

export function formatTable(rows: readonly ControllerMetrics[]): string {
  const head = [
    'controller',
    'saved MiB',
    't90 s',
    'run s',
    'ksmd CPU s',
    'CPU s/GiB',
    'CPU to t90',
    '/GiB',
    'scans',
    'peak pages/sleep',
    'end',
  ];
  const lines = rows.map((r) => [
    r.controller,
    f(r.finalSavedMiB),
    r.t90AboveCap ? `>${f(r.durationS, 0)}` : f(r.t90S),
    f(r.durationS, 0),
    f(r.ksmdCpuS, 2),
    f(r.cpuSPerGiB, 2),
    f(r.ksmdCpuTo90S, 2),
    f(r.cpuTo90SPerGiB, 2),
    String(r.fullScans),
    r.peakPagesToScan === null ? '-' : `${r.peakPagesToScan}/${r.peakSleepMs ?? '?'} ms`,
    r.converged ? 'flat' : 'cap',
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  return all
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatRatios(ratios: readonly Ratio[]): string {
  return ratios
    .map((r) => {
      const verdict =
        r.met === undefined
          ? ` undetermined (${r.upperBound ? 'the peer hit the cap: rerun with a larger --cap' : 'no figure'})`
          : r.met
            ? ' met'
            : ' NOT met';
      return `${r.name}: ${r.upperBound ? '< ' : ''}${f(r.value, 3)}${r.goal ? ` (goal ${r.goal})${verdict}` : ''}`;
    })
    .join('\n');
}
