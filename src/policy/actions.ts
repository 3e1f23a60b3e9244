/**
 * What a policy asks for. Policies are pure (Observation(s) + own state -> actions); the lab's `auto` strategy and the
 * agent carry the actions out through the host and guest layers. Every action carries a reason a person can read in
 * a log line, the lab timeline and the dashboard.
 */
import type { KsmSettings } from '../host/mechanisms/ksm.js';

/** Write these KSM settings (only the ones given; the executor orders them with ksmWritePlan). */
export interface KsmAction {
  kind: 'ksm';
  set: KsmSettings;
  reason: string;
}

/** Set a guest's balloon target: the memory the guest may use, in bytes (QMP `balloon` value / virsh setmem). */
export interface BalloonAction {
  kind: 'balloon';
  guest: string;
  targetBytes: number;
  reason: string;
}

/** The swap tiers a host state enables, cheapest first. */
export const TIERS = ['sharing', 'balloon', 'compressed-swap', 'disk-swap'] as const;
export type Tier = (typeof TIERS)[number];

/** Turn a memory tier on or off (e.g. compressed-swap -> zswap or zram, disk-swap -> a swap file). */
export interface TierAction {
  kind: 'tier';
  tier: Tier;
  enable: boolean;
  reason: string;
}

/** The host state machine moved (informational: executors log it; the tier actions do the work). */
export interface HostStateAction {
  kind: 'host-state';
  from: HostState;
  to: HostState;
  reason: string;
}

/** ESXi-like host states, from most headroom to least. */
export const HOST_STATES = ['high', 'clear', 'soft', 'hard', 'low'] as const;
export type HostState = (typeof HOST_STATES)[number];

export type Action = KsmAction | BalloonAction | TierAction | HostStateAction;

/** What one policy step returns: its next state and the actions to carry out now. */
export interface Decision<S> {
  state: S;
  actions: Action[];
}
