/**
 * Guests whose balloon statistics the agent reads less often: at 100 guests and the default 2 s period, reading
 * every guest's statistics each period was a fifth of the agent's tick (bench/agent-overhead profile). A guest's
 * statistics only steer an action when that guest can be inflated (a policy may take memory from it) or is below
 * its full size (guest pressure deflates it, release gives memory back). A guest at full size while no policy can
 * inflate is idle: its statistics are read every IDLE_STATS_MS instead, and only feed the status page and metrics.
 * When a policy can inflate again (the host state turns the balloon tier on), the first inflation may use statistics
 * up to IDLE_STATS_MS old, which is within what the policies accept (STALE_STATS_S); the guests are read every
 * period from the next tick on. Pure.
 */
import type { BalloonState } from '../policy/balloon.js';
import type { AutoState } from '../policy/auto.js';
import type { PolicyConfig } from './config.js';

/** Three periods at the default 2 s, and well inside STALE_STATS_S (10 s). */
export const IDLE_STATS_MS = 6000;

/** Whether a policy the agent runs may inflate a guest at its next step (policy states as PolicyLoop.states()). */
export function mayInflate(policy: PolicyConfig, states: Readonly<Record<string, unknown>>): boolean {
  if (!policy.balloon.enabled) return false;
  if (policy.hostStates.enabled) {
    const auto = states.auto as AutoState | undefined;
    return auto === undefined || auto.tiers.includes('balloon');
  }
  const balloon = states.balloon as BalloonState | undefined;
  return balloon === undefined || balloon.mode !== 'release';
}

/** A poll's figures say the guest has all its memory (its balloon is deflated). */
export function atFullSize(p: { memoryBytes: number; balloonActualBytes: number }): boolean {
  return p.balloonActualBytes >= p.memoryBytes;
}
