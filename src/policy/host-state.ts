/**
 * ESXi-like host memory states, from the host's headroom measured against minFree, pushed down by memory stall, with
 * hysteresis. Each state enables the next, more costly memory tier; moving back up disables them in reverse. Pure.
 *
 * States (ratio r = headroom / minFree; vSphere 6 thresholds, each the lower bound of its state):
 *   high  r >= 4.00  nothing needed
 *   clear r >= 1.00  + page sharing (KSM)
 *   soft  r >= 0.64  + balloon
 *   hard  r >= 0.32  + compressed swap (zswap / zram)
 *   low   r <  0.32  + disk swap
 * ESXi's fifth threshold, 16 %, is where it blocks VM allocations; we do not block, so low starts below hard.
 *
 * minFree defaults to ESXi's sliding scale over the host's size (6 % of the first 4 GiB, 4 % of the next 8 GiB, 2 % of
 * the next 16 GiB, 1 % of the rest: 899 MB for 28 GB, 1.9 GB for 128 GB, per the vSphere 5+ documentation). The host
 * is the budget cgroup when it has a limit (see rates.hostHeadroom).
 *
 * Hysteresis: a worse state is taken at once, as soon as its threshold is crossed (or stall demands it). A better
 * state is taken one step at a time, each only after the ratio has stayed at or above that state's threshold x
 * (1 + upMargin), and the stall below its levels, for upHoldMs.
 */
import type { Observation } from '../observe/observation.js';
import { formatBytes } from '../util/size.js';
import { type Action, type Decision, HOST_STATES, type HostState, type Tier, TIERS } from './actions.js';
import { hostHeadroom, hostStallPercent } from './rates.js';

const GiB = 1024 ** 3;

export interface HostStateConfig {
  /** minFree in bytes. Unset: minFreeFraction x host size when that is set, else ESXi's sliding scale. */
  minFreeBytes: number | undefined;
  minFreeFraction: number | undefined;
  /** Lower bound of each state as a multiple of minFree (below `hard` is `low`). */
  thresholds: { high: number; clear: number; soft: number; hard: number };
  /** To move up, the ratio must reach the better state's threshold x (1 + upMargin) ... */
  upMargin: number;
  /** ... and stay there this long (per step up). */
  upHoldMs: number;
  /** Host PSI memory `some` avg10 levels (percent): each one reached pushes the state one step worse. */
  stallStepsPercent: number[];
}

export const DEFAULT_HOST_STATE_CONFIG: Readonly<HostStateConfig> = {
  minFreeBytes: undefined,
  minFreeFraction: undefined,
  thresholds: { high: 4, clear: 1, soft: 0.64, hard: 0.32 },
  upMargin: 0.1,
  upHoldMs: 30_000,
  // 10 %: the host is clearly paying for memory (Senpai aims at 0.1 %); 30 %: it is thrashing.
  stallStepsPercent: [10, 30],
};

/** The tiers each state has on, cheapest first. */
export const TIERS_BY_STATE: Readonly<Record<HostState, readonly Tier[]>> = {
  high: [],
  clear: ['sharing'],
  soft: ['sharing', 'balloon'],
  hard: ['sharing', 'balloon', 'compressed-swap'],
  low: ['sharing', 'balloon', 'compressed-swap', 'disk-swap'],
};

/** ESXi's minFree for a host of this size: 6 % of the first 4 GiB, 4 % of the next 8, 2 % of the next 16, 1 % above. */
export function esxiMinFreeBytes(hostBytes: number): number {
  const bands: [number, number][] = [
    [4 * GiB, 0.06],
    [8 * GiB, 0.04],
    [16 * GiB, 0.02],
    [Infinity, 0.01],
  ];
  let rest = Math.max(0, hostBytes);
  let sum = 0;
  for (const [size, pct] of bands) {
    const part = Math.min(rest, size);
    sum += part * pct;
    rest -= part;
    if (rest <= 0) break;
  }
  return Math.round(sum);
}

export interface HostStateMachine {
  state: HostState;
  /** obs.t since which a better state has been earned (ratio above its threshold + margin); undefined = not. */
  betterSince: number | undefined;
}

export interface HostStatePolicy {
  config: HostStateConfig;
  initial: HostStateMachine;
  step(obs: Observation, prev: Observation | undefined, state: HostStateMachine): Decision<HostStateMachine>;
}

const rank = (s: HostState): number => HOST_STATES.indexOf(s);
const atRank = (r: number): HostState => HOST_STATES[Math.max(0, Math.min(HOST_STATES.length - 1, r))] ?? 'low';

/** The state a ratio of headroom to minFree falls in, each threshold scaled by `scale`. */
export function stateForRatio(ratio: number, cfg: HostStateConfig, scale = 1): HostState {
  const th = cfg.thresholds;
  if (ratio >= th.high * scale) return 'high';
  if (ratio >= th.clear * scale) return 'clear';
  if (ratio >= th.soft * scale) return 'soft';
  if (ratio >= th.hard * scale) return 'hard';
  return 'low';
}

/** A state's lower bound as a multiple of minFree (0 for low). */
export function lowerBound(s: HostState, cfg: HostStateConfig): number {
  return s === 'low' ? 0 : cfg.thresholds[s];
}

/** Tier actions that take the host from one state's tiers to another's: enable cheapest first, disable dearest first. */
export function tierChanges(from: HostState, to: HostState, reason: string): Action[] {
  const before = new Set(TIERS_BY_STATE[from]);
  const after = new Set(TIERS_BY_STATE[to]);
  const out: Action[] = [];
  for (const tier of TIERS)
    if (after.has(tier) && !before.has(tier)) out.push({ kind: 'tier', tier, enable: true, reason });
  for (const tier of [...TIERS].reverse()) {
    if (before.has(tier) && !after.has(tier)) out.push({ kind: 'tier', tier, enable: false, reason });
  }
  return out;
}

export function createHostStatePolicy(partial: Partial<HostStateConfig> = {}): HostStatePolicy {
  const cfg: HostStateConfig = { ...DEFAULT_HOST_STATE_CONFIG, ...partial };
  const th = cfg.thresholds;
  if (!(th.high > th.clear && th.clear > th.soft && th.soft > th.hard && th.hard > 0)) {
    throw new RangeError(`host-state: thresholds must fall strictly: ${JSON.stringify(th)}`);
  }
  const minFreeOf = (size: number): number =>
    cfg.minFreeBytes ?? (cfg.minFreeFraction !== undefined ? cfg.minFreeFraction * size : esxiMinFreeBytes(size));
  return {
    config: cfg,
    initial: { state: 'high', betterSince: undefined },
    step(obs, _prev, st) {
      const h = hostHeadroom(obs);
      const minFree = Math.max(1, minFreeOf(h.sizeBytes));
      const ratio = h.headroomBytes / minFree;
      const stall = hostStallPercent(obs);
      const push = stall === undefined ? 0 : cfg.stallStepsPercent.filter((lvl) => stall >= lvl).length;
      const now = atRank(rank(stateForRatio(ratio, cfg)) + push);
      const earned = atRank(rank(stateForRatio(ratio, cfg, 1 + cfg.upMargin)) + push);
      const figures =
        `headroom ${formatBytes(h.headroomBytes)} = ${ratio.toFixed(2)} x minFree ${formatBytes(minFree)} ` +
        `(${h.source}, host ${formatBytes(h.sizeBytes)})` +
        (stall === undefined ? '' : `, PSI memory some ${stall.toFixed(1)}%`) +
        (push > 0 ? ` (stall pushes ${push} step${push > 1 ? 's' : ''} down)` : '');

      const move = (to: HostState, why: string): Decision<HostStateMachine> => {
        const reason = `host ${st.state} -> ${to}: ${figures}; ${why}`;
        return {
          state: { state: to, betterSince: rank(to) < rank(st.state) ? obs.t : undefined },
          actions: [{ kind: 'host-state', from: st.state, to, reason }, ...tierChanges(st.state, to, reason)],
        };
      };

      if (rank(now) > rank(st.state)) return move(now, `below the ${st.state} threshold: worse at once`);
      if (rank(earned) < rank(st.state)) {
        const since = st.betterSince ?? obs.t;
        if (obs.t - since >= cfg.upHoldMs) {
          const to = atRank(rank(st.state) - 1);
          const need = (lowerBound(to, cfg) * (1 + cfg.upMargin)).toFixed(2);
          return move(
            to,
            `ratio >= ${need} (${to} + ${cfg.upMargin * 100}%) for ${((obs.t - since) / 1000).toFixed(0)} s`,
          );
        }
        return { state: { state: st.state, betterSince: since }, actions: [] };
      }
      return { state: { state: st.state, betterSince: undefined }, actions: [] };
    },
  };
}
