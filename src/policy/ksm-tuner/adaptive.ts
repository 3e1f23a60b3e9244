/**
 * The adaptive KSM tuner (this project's): scan fast while there is guest memory worth merging, idle otherwise.
 *
 * Why: measured here, merging a 100,000-page half-duplicate region to 90 % took 58 s at the kernel default
 * (100 pages / 20 ms), 5.3 s at 1,000 / 20 ms and 1.5 s at 10,000 / 10 ms, and ksmd used about 1 s of CPU in every
 * case. The CPU is spent per page scanned, not per second: a slow rate is not cheaper, it only delays the savings.
 * So: go fast while scanning pays (new guest memory, high merge yield), under a CPU cap; drop to an idle rate when
 * it stops paying.
 *
 * Each decision (at most once per decideEverySeconds; time = obs.t):
 * - no guest memory at all -> run=0. Never run=2: stopping keeps the merged pages, unmerging would re-inflate them.
 * - guest memory not yet seen by two full scans (a guest appeared, or guest RSS grew; see adaptive-backlog.ts) ->
 *   speed up regardless of the yield, which is low by construction on a first pass;
 * - else the merge yield (Δ(pages_shared + pages_sharing) per page scanned) drives the rate: >= yieldHigh speeds up,
 *   < yieldLow (or a mid-band yield with many volatile pages) for lowYieldDecisions in a row backs off toward idle;
 * - ksmd CPU (its jiffies per page of pages_to_scan, smoothed over windows: adaptive-cpu.ts) above maxCpuPercent
 *   lowers pages_to_scan proportionally, and a ramp never goes past the rate the cap allows (adaptive-rate.ts).
 *   sleep_millisecs is fixed; pages_to_scan is the one knob moved, so the tuner cannot fight itself.
 * - Hysteresis: two yield thresholds, lowYieldDecisions in a row before backing off, a 10 % deadband on changes.
 * - An action is emitted only when a setting differs from the kernel's current value (or, where the observation
 *   does not show it, from what this tuner last wrote).
 *
 * The kernel's advisor (6.7+, present when host.ksm.advisorMode is defined): this tuner switches it to `none` and
 * drives pages_to_scan itself. The advisor (scan-time mode) sets pages_to_scan to reach a target full-scan time:
 * it does not look at what a scan yields, so it keeps scanning at the same pace when nothing merges and does not
 * hurry when fresh guests bring many duplicates (measured here: a 10 s target took 31 s to reach 90 %). And while it
 * is on, the kernel refuses writes to pages_to_scan, so the two cannot share the knob. Its CPU cap idea is kept
 * (maxCpuPercent). smart_scan (6.7+, same kernels) is complementary — it skips pages that keep failing to merge,
 * which makes idle passes cheaper — so it is ensured on (config smartScan) with the first action. The Observation
 * does not show smart_scan, so it is written once; the host layer skips the write when the value already matches.
 */
import type { Observation } from '../../observe/observation.js';
import type { KsmSettings } from '../../host/mechanisms/ksm.js';
import type { Decision } from '../actions.js';
import type { AdaptiveConfig } from './adaptive-config.js';
import { BACKLOG_INITIAL, guestMemoryBytes, updateBacklog, type BacklogState } from './adaptive-backlog.js';
import { CPU_COST_INITIAL, cpuPercentPerPage, updateCpuCost, type CpuCostState } from './adaptive-cpu.js';
import { describeSignals, nextRate } from './adaptive-rate.js';
import { measureWindow, windowStart, type WindowStart } from './adaptive-window.js';
import { formatBytes } from '../../util/size.js';

/** The kernel's default sleep_millisecs, assumed when neither the observation nor this tuner has set one. */
const KERNEL_SLEEP_MS = 20;

export interface AdaptiveState {
  mode: 'adaptive';
  /** Counters and settings at the last decision; null before the first. */
  window: WindowStart | null;
  backlog: BacklogState;
  /** Consecutive unproductive decisions. */
  lowStreak: number;
  cpuCost: CpuCostState;
  /** What this tuner last wrote, for settings the observation does not show. */
  written: { pagesToScan?: number; sleepMillisecs?: number };
  smartScanEnsured: boolean;
}

export const ADAPTIVE_INITIAL: AdaptiveState = {
  mode: 'adaptive',
  window: null,
  backlog: BACKLOG_INITIAL,
  lowStreak: 0,
  cpuCost: CPU_COST_INITIAL,
  written: {},
  smartScanEnsured: false,
};

function decideNow(obs: Observation, state: AdaptiveState, config: AdaptiveConfig): boolean {
  if (state.window === null) return true;
  const ms = obs.t - state.window.t;
  return ms < 0 || ms >= config.decideEverySeconds * 1000;
}

/** One step: decides when decideEverySeconds have passed since the last decision, else returns the state as is. */
export function adaptiveStep(obs: Observation, state: AdaptiveState, config: AdaptiveConfig): Decision<AdaptiveState> {
  if (!decideNow(obs, state, config)) return { state, actions: [] };
  const k = obs.host.ksm;
  const signals = state.window ? measureWindow(state.window, obs) : undefined;
  const backlog = updateBacklog(obs, state.backlog, config);
  const curPages = k.pagesToScan ?? state.written.pagesToScan;
  const curSleep = k.sleepMillisecs ?? state.written.sleepMillisecs;
  const base = curPages ?? state.window?.pagesToScan ?? config.idlePagesToScan;
  const ran = state.window !== null && state.window.run === 1 && k.run === 1;
  const cpuCost =
    signals && ran
      ? updateCpuCost(state.cpuCost, { ...signals, pagesToScan: base }, config.cpuSmoothing)
      : state.cpuCost;
  const perPage = cpuPercentPerPage(cpuCost);
  const set: KsmSettings = {};
  const changes: string[] = [];
  let why: string;
  let lowStreak = 0;
  let pages = base;
  const guestBytes = guestMemoryBytes(obs);
  if (guestBytes === 0) {
    why = 'no guest memory: stop ksmd (run=0 keeps the merged pages; nothing is unmerged)';
    if (k.run !== 0) set.run = 0;
  } else {
    const rate = nextRate(
      {
        current: base,
        ...(backlog.pendingUntilFullScans !== null ? { pending: backlog.pendingWhy } : {}),
        ...(signals ? { signals } : {}),
        ...(perPage !== undefined ? { cpuPercentPerPage: perPage } : {}),
        lowStreak: state.lowStreak,
      },
      config,
    );
    ({ pagesToScan: pages, lowStreak } = rate);
    why = `${rate.why}; ${formatBytes(guestBytes)} of guest memory`;
    if (backlog.pendingUntilFullScans !== null) why += `, full scans ${k.fullScans}/${backlog.pendingUntilFullScans}`;
    const advisorOn = k.advisorMode !== undefined && k.advisorMode !== 'none';
    if (advisorOn) {
      set.advisor_mode = 'none';
      changes.push(`advisor_mode ${k.advisorMode} -> none (it targets scan time, not yield)`);
    }
    if (pages !== curPages || advisorOn) set.pages_to_scan = pages;
    if (config.sleepMillisecs !== curSleep) set.sleep_millisecs = config.sleepMillisecs;
    if (k.run !== 1) set.run = 1;
  }
  if (set.pages_to_scan !== undefined) changes.push(`pages_to_scan ${curPages ?? '?'} -> ${set.pages_to_scan}`);
  if (set.sleep_millisecs !== undefined) changes.push(`sleep_millisecs ${curSleep ?? '?'} -> ${set.sleep_millisecs}`);
  if (set.run !== undefined) changes.push(`run ${k.run} -> ${set.run}`);
  let smartScanEnsured = state.smartScanEnsured;
  if (changes.length > 0 && config.smartScan && !smartScanEnsured && k.advisorMode !== undefined && set.run !== 0) {
    set.smart_scan = 1;
    smartScanEnsured = true;
    changes.push('smart_scan 1');
  }
  const run = set.run ?? k.run;
  const next: AdaptiveState = {
    mode: 'adaptive',
    window: windowStart(obs, {
      run,
      pagesToScan: pages,
      sleepMillisecs: set.sleep_millisecs ?? curSleep ?? KERNEL_SLEEP_MS,
    }),
    backlog,
    lowStreak,
    cpuCost,
    written: {
      ...state.written,
      ...(set.pages_to_scan !== undefined ? { pagesToScan: set.pages_to_scan } : {}),
      ...(set.sleep_millisecs !== undefined ? { sleepMillisecs: set.sleep_millisecs } : {}),
    },
    smartScanEnsured,
  };
  if (changes.length === 0) return { state: next, actions: [] };
  const reason = `adaptive: ${changes.join(', ')}: ${why}; ${describeSignals(signals, config)}`;
  return { state: next, actions: [{ kind: 'ksm', set, reason }] };
}
