/**
 * Our balloon controller: per-guest balloon targets from the guests' available memory and pressure and the host's
 * headroom, stall and swap-in. Pure: `step(obs, prev, state)` -> new state + BalloonActions.
 *
 * One tick, in order:
 * 1. Guest pressure (major faults/s, swap-in/s, in-guest PSI, or available below its reserve) deflates that guest at
 *    once, in this tick: a paging guest goes straight to its full memory; one merely low on available memory goes up
 *    by at least a full step. It is then left alone (not inflated) for `pressureCooldownMs`. This works without
 *    stat-available-memory too, so a guest with no stats can always get its memory back.
 * 2. The host decides a mode (see balloon-host.ts): `reclaim` (headroom < low watermark, or host stall/swap-in; held
 *    until the headroom reaches the midpoint of the watermarks), `release` (headroom > high watermark) or `hold`.
 * 3. reclaim: inflate guests with idle memory (available - reserve), largest idle first, each by at most
 *    `inflateShare` of its idle memory and one step, never below its floor, until the need is met.
 *    release: deflate guests slowly (one release step each, neediest first) toward full memory, within the headroom
 *    above the high watermark.
 * Changes smaller than the dead band are not made, except the one that lands exactly on the floor or on full memory.
 *
 * Guests that are not alive are forgotten (a restarted guest comes back at full memory). The target of a guest seen
 * for the first time is its balloon's actual size, else its full memory. A guest missing from an observation (a poll
 * it did not answer in time) keeps its pressure cooldown until it runs out: it is not inflated early for having
 * missed a tick. Its target is taken afresh from its balloon when it is back, as for a guest seen the first time.
 */
import type { Observation } from '../observe/observation.js';
import { formatBytes } from '../util/size.js';
import type { BalloonAction, Decision } from './actions.js';
import { type BalloonConfig, resolveBalloonConfig } from './balloon-config.js';
import { deadBandBytes, type GuestView, pressureTarget, stepCapBytes, viewGuest } from './balloon-guest.js';
import { type BalloonMode, type HostView, reclaimNeedBytes, releaseBudgetBytes, viewHost } from './balloon-host.js';

export interface BalloonGuestState {
  /** The balloon target we last asked for (bytes of memory the guest may use). */
  targetBytes: number;
  /** obs.t until which the guest is not inflated (after a pressure deflate); 0 = none. */
  cooldownUntil: number;
}

export interface BalloonState {
  mode: BalloonMode;
  guests: Record<string, BalloonGuestState>;
  /** Guests missing from the last observation -> their cooldownUntil, kept while it runs. */
  cooling?: Record<string, number>;
}

export interface BalloonController {
  config: BalloonConfig;
  initial: BalloonState;
  step(obs: Observation, prev: Observation | undefined, state: BalloonState): Decision<BalloonState>;
}

const fmt = formatBytes;

function worthIt(v: GuestView, target: number, cfg: BalloonConfig): boolean {
  if (target === v.targetBytes) return false;
  if (target === v.memoryBytes || target === v.floorBytes) return true;
  return Math.abs(target - v.targetBytes) >= deadBandBytes(v.memoryBytes, cfg);
}

function pending(views: GuestView[], guests: Record<string, BalloonGuestState>): { inflate: number; deflate: number } {
  let inflate = 0;
  let deflate = 0;
  for (const v of views) {
    const target = guests[v.name]?.targetBytes ?? v.targetBytes;
    if (v.actualBytes === undefined) continue;
    inflate += Math.max(0, v.actualBytes - target);
    deflate += Math.max(0, target - v.actualBytes);
  }
  return { inflate, deflate };
}

function reclaim(
  views: GuestView[],
  host: HostView,
  need: number,
  t: number,
  st: Record<string, BalloonGuestState>,
  cfg: BalloonConfig,
): BalloonAction[] {
  const out: BalloonAction[] = [];
  let rest = need;
  const candidates = views
    .filter((v) => v.availableBytes !== undefined && !v.pressure && (st[v.name]?.cooldownUntil ?? 0) <= t)
    .filter((v) => v.idleBytes > 0 && v.targetBytes > v.floorBytes)
    .sort((a, b) => b.idleBytes - a.idleBytes || a.name.localeCompare(b.name));
  for (const v of candidates) {
    if (rest <= 0) break;
    const share = cfg.inflateShare * v.idleBytes;
    const step = stepCapBytes(v.memoryBytes, cfg);
    const take = Math.min(share, step, v.targetBytes - v.floorBytes, rest);
    const target = Math.max(v.floorBytes, Math.round(v.targetBytes - take));
    if (!worthIt(v, target, cfg)) continue;
    rest -= v.targetBytes - target;
    const s = st[v.name];
    if (s) s.targetBytes = target;
    out.push({
      kind: 'balloon',
      guest: v.name,
      targetBytes: target,
      reason:
        `inflate ${fmt(v.targetBytes)} -> ${fmt(target)}: ${host.summary}; need ${fmt(need)}; ` +
        `guest available ${fmt(v.availableBytes ?? 0)} - reserve ${fmt(v.reserveBytes)} = idle ${fmt(v.idleBytes)}; ` +
        `take ${fmt(v.targetBytes - target)} (${Math.round(100 * cfg.inflateShare)}% of idle ${fmt(share)}, ` +
        `step ${fmt(step)}, floor ${fmt(v.floorBytes)})`,
    });
  }
  return out;
}

function release(
  views: GuestView[],
  host: HostView,
  budget: number,
  st: Record<string, BalloonGuestState>,
  cfg: BalloonConfig,
): BalloonAction[] {
  const out: BalloonAction[] = [];
  let rest = budget;
  const margin = (v: GuestView) => (v.availableBytes ?? v.reserveBytes) - v.reserveBytes;
  const candidates = views
    .filter((v) => !v.pressure && v.targetBytes < v.memoryBytes)
    .sort((a, b) => margin(a) - margin(b) || a.targetBytes / a.memoryBytes - b.targetBytes / b.memoryBytes);
  for (const v of candidates) {
    if (rest <= 0) break;
    const step = Math.min(cfg.releaseStepFraction * v.memoryBytes, cfg.maxStepBytes);
    const give = Math.min(step, v.memoryBytes - v.targetBytes, rest);
    const target = Math.min(v.memoryBytes, Math.round(v.targetBytes + give));
    if (!worthIt(v, target, cfg)) continue;
    rest -= target - v.targetBytes;
    const s = st[v.name];
    if (s) s.targetBytes = target;
    out.push({
      kind: 'balloon',
      guest: v.name,
      targetBytes: target,
      reason:
        `deflate ${fmt(v.targetBytes)} -> ${fmt(target)} (give back): ${host.summary}; ` +
        `budget above high ${fmt(budget)}; step ${fmt(step)}, full ${fmt(v.memoryBytes)}`,
    });
  }
  return out;
}

export function createBalloonController(partial: Partial<BalloonConfig> = {}): BalloonController {
  const cfg = resolveBalloonConfig(partial);
  return {
    config: cfg,
    initial: { mode: 'hold', guests: {} },
    step(obs, prev, state) {
      const guests: Record<string, BalloonGuestState> = {};
      const views: GuestView[] = [];
      const cooling: Record<string, number> = {};
      for (const [name, s] of Object.entries(state.guests))
        if (s.cooldownUntil > obs.t) cooling[name] = s.cooldownUntil;
      for (const [name, until] of Object.entries(state.cooling ?? {})) if (until > obs.t) cooling[name] = until;
      for (const g of obs.guests) {
        if (!g.alive) delete cooling[g.name];
        if (!g.alive || !(g.memoryBytes > 0)) continue;
        const known = state.guests[g.name];
        const start = Math.min(g.memoryBytes, Math.max(0, g.balloonActualBytes ?? g.memoryBytes));
        const s: BalloonGuestState = known
          ? { targetBytes: Math.min(g.memoryBytes, known.targetBytes), cooldownUntil: known.cooldownUntil }
          : { targetBytes: start, cooldownUntil: cooling[g.name] ?? 0 };
        delete cooling[g.name];
        guests[g.name] = s;
        views.push(viewGuest(g, obs, prev, s.targetBytes, cfg));
      }
      const actions: BalloonAction[] = [];

      // 1. Guest pressure: deflate now.
      for (const v of views) {
        if (!v.pressure) continue;
        const s = guests[v.name];
        if (!s) continue;
        s.cooldownUntil = obs.t + cfg.pressureCooldownMs;
        const target = pressureTarget(v, cfg);
        if (target <= v.targetBytes || !worthIt(v, target, cfg)) continue;
        s.targetBytes = target;
        actions.push({
          kind: 'balloon',
          guest: v.name,
          targetBytes: target,
          reason:
            `deflate ${fmt(v.targetBytes)} -> ${fmt(target)} (guest pressure: ${v.pressure.detail}); ` +
            (v.pressure.kind === 'stall'
              ? 'paging: back to full memory'
              : `step ${fmt(stepCapBytes(v.memoryBytes, cfg))}`),
        });
      }

      // 2.-3. The host's need or surplus.
      const host = viewHost(obs, prev, state.mode, cfg);
      const p = pending(views, guests);
      const current = views.map((v) => ({ ...v, targetBytes: guests[v.name]?.targetBytes ?? v.targetBytes }));
      if (host.mode === 'reclaim') {
        actions.push(...reclaim(current, host, reclaimNeedBytes(host, p.inflate, p.deflate, cfg), obs.t, guests, cfg));
      } else if (host.mode === 'release') {
        actions.push(...release(current, host, releaseBudgetBytes(host, p.deflate), guests, cfg));
      }
      const next: BalloonState = { mode: host.mode, guests };
      if (Object.keys(cooling).length > 0) next.cooling = cooling;
      return { state: next, actions };
    },
  };
}
