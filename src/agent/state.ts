/**
 * What the agent's tick loop publishes and the commands it accepts: the seam between the loop (which drives guests)
 * and what shows it (metrics, HTTP API, dashboard). Both sides are written against these types only.
 */
import type { TimelineEntry } from '../control/policy-loop.js';
import type { Observation } from '../observe/observation.js';
import type { Action, HostState } from '../policy/actions.js';
import type { PolicyPatch } from './config.js';

export type { PolicyPatch };

/** How the agent reaches a guest. */
export type GuestSource = 'qmp' | 'libvirt';

/** The loop's view of one guest this tick: `gone` (disappeared) and `timeout`/`error` guests are skipped. */
export interface AgentGuest {
  name: string;
  source: GuestSource;
  status: 'ok' | 'timeout' | 'error' | 'gone';
  /** Why the guest is not `ok` (one line). */
  error?: string;
  /** The balloon target the agent last set (bytes), when it has set one. */
  balloonTargetBytes?: number;
}

/**
 * Collector names used in `loop.errors` and `collectorSuccess`. Free-form strings, with these conventions that the
 * metrics follow: `host` failing means the whole host part of the observation is stale (its metrics are left out of
 * the scrape); `memory`, `swap`, `psi`, `ksm`, `zram`, `zswap` or `budget` failing leaves out that section only.
 * Per-guest failures go in `AgentGuest.status`, not here.
 */
export type CollectorName = string;

export interface LoopStats {
  /** Ticks completed since the agent started. */
  ticks: number;
  /** Wall-clock time (ms since the epoch) at which the last tick ended; 0 before the first. */
  lastTickMs: number;
  /** Durations (ms) of the most recent ticks, oldest first (the loop keeps a bounded window). */
  tickDurationsMs: number[];
  /** Cumulative failures per collector since the agent started. */
  errors: Record<CollectorName, number>;
}

/** Everything the loop publishes; read through a `() => AgentSnapshot` function, never mutated by readers. */
export interface AgentSnapshot {
  observation?: Observation;
  hostState?: HostState;
  paused: boolean;
  guests: AgentGuest[];
  /** The most recent decisions, oldest first (bounded). */
  lastDecisions: TimelineEntry[];
  loop: LoopStats;
  /** Did each collector succeed on the last tick? */
  collectorSuccess: Record<CollectorName, boolean>;
  /** Actions carried out (or attempted) since the agent started, by kind. */
  actionsTotal: Partial<Record<Action['kind'], number>>;
}

/** The commands the loop offers. Throwing a UsageError means "bad request" (shown to the caller as such). */
export interface AgentControl {
  pause(): void;
  resume(): void;
  setBalloon(guest: string, targetBytes: number): Promise<void>;
  setPolicy(patch: PolicyPatch): void;
}

export type AgentEvent = { type: 'observation'; data: Observation } | { type: 'decision'; data: TimelineEntry };

/** What the HTTP layer needs of the loop's event bus. */
export interface AgentEventSource {
  /** Returns the unsubscribe function. */
  subscribe(fn: (e: AgentEvent) => void): () => void;
}

/** A snapshot before the first tick. */
export function emptySnapshot(): AgentSnapshot {
  return {
    paused: false,
    guests: [],
    lastDecisions: [],
    loop: { ticks: 0, lastTickMs: 0, tickDurationsMs: [], errors: {} },
    collectorSuccess: {},
    actionsTotal: {},
  };
}
