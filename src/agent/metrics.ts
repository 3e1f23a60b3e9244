/**
 * Prometheus metrics from the agent's snapshot. `updateMetrics` is pure bookkeeping (no I/O) and is called before
 * each scrape (GET /metrics), and may also be called by the loop after each tick; calling it twice is harmless.
 *
 * Kernel and QEMU counters (pswpin, full_scans, PSI total, a guest's major faults...) are cumulative already. They
 * are exposed as prom-client Counters (TYPE counter, `_total`) that mirror the kernel's value: each update resets
 * the family and increments each series by the absolute value, in one synchronous step, so no scrape sees the gap.
 * A counter that goes backwards (a guest restarted) is a counter reset, which Prometheus' rate() handles.
 *
 * A failing collector never breaks the scrape: its `overcommit_collector_success` is 0, and the metrics it feeds are
 * left out (absent, not stale or zero): `host` failing drops every host metric; `memory`, `swap`, `psi`, `ksm`,
 * `zram`, `zswap`, `budget` drop their section. Guests that are not in the observation have no per-guest series.
 */
import { Registry, type Counter, type Gauge, type LabelValues } from 'prom-client';
import type { GuestObservation, HostObservation } from '../observe/observation.js';
import { HOST_STATES, type Action } from '../policy/actions.js';
import { defineMetrics, type AgentMetrics } from './metric-defs.js';
import type { AgentSnapshot } from './state.js';

export { TICK_BUCKETS_SECONDS } from './metric-defs.js';

/** Every action kind, so each `overcommit_actions_total{kind}` series exists (at 0) from the first scrape. */
export const ACTION_KINDS = ['ksm', 'balloon', 'tier', 'host-state'] as const satisfies readonly Action['kind'][];

interface Handles {
  m: AgentMetrics;
  /** loop.ticks at the last update: the histogram observes only the ticks since. */
  ticksSeen: number;
}

const handles = new WeakMap<Registry, Handles>();

/** A registry holding the agent's metric families (not prom-client's global registry). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  handles.set(registry, { m: defineMetrics(registry), ticksSeen: 0 });
  return registry;
}

type L = LabelValues<string>;

function put(g: Gauge<string>, v: number | undefined, labels: L = {}): void {
  if (v !== undefined && Number.isFinite(v)) g.set(labels, v);
}

/** Sets a counter series to an absolute (cumulative) value; the family was reset at the start of the update. */
function mirror(c: Counter<string>, v: number | undefined, labels: L = {}): void {
  if (v !== undefined && Number.isFinite(v) && v >= 0) c.inc(labels, v);
}

function hostMetrics(m: AgentMetrics, h: HostObservation, failed: (section: string) => boolean): void {
  if (!failed('memory')) {
    put(m.memTotal, h.memTotalBytes);
    put(m.memAvailable, h.memAvailableBytes);
    put(m.memFree, h.memFreeBytes);
  }
  if (!failed('swap')) {
    put(m.swapTotal, h.swapTotalBytes);
    put(m.swapFree, h.swapFreeBytes);
    mirror(m.swapIn, h.pswpin);
    mirror(m.swapOut, h.pswpout);
  }
  if (!failed('psi')) {
    for (const resource of ['memory', 'io', 'cpu'] as const) {
      const psi = h.psi[resource];
      for (const kind of ['some', 'full'] as const) {
        const line = psi?.[kind];
        if (!line) continue;
        put(m.psiAvg10, line.avg10 / 100, { resource, kind });
        mirror(m.psiStalled, line.totalUs / 1e6, { resource, kind });
      }
    }
  }
  if (!failed('ksm')) {
    put(m.ksmShared, h.ksm.pagesShared);
    put(m.ksmSharing, h.ksm.pagesSharing);
    put(m.ksmVolatile, h.ksm.pagesVolatile);
    mirror(m.ksmFullScans, h.ksm.fullScans);
    put(m.ksmSaved, h.ksm.savedBytes);
    put(m.ksmRun, h.ksm.run);
  }
  if (!failed('zram')) {
    put(m.zramOrig, h.zram.origBytes);
    put(m.zramCompr, h.zram.comprBytes);
    put(m.zramMemUsed, h.zram.memUsedBytes);
  }
  if (!failed('zswap')) {
    put(m.zswapPool, h.zswap.poolBytes);
    put(m.zswapStored, h.zswap.storedBytes);
  }
  if (h.budget && !failed('budget')) {
    put(m.budgetUsage, h.budget.usageBytes);
    put(m.budgetLimit, h.budget.limitBytes ?? undefined);
  }
}

function guestMetrics(m: AgentMetrics, g: GuestObservation, targetBytes: number | undefined): void {
  const l = { guest: g.name };
  put(m.guestMemory, g.memoryBytes, l);
  put(m.balloonTarget, targetBytes, l);
  put(m.balloonActual, g.balloonActualBytes, l);
  put(m.guestRss, g.rssBytes, l);
  put(m.guestSwap, g.swapBytes, l);
  put(m.guestKsm, g.ksmMergingPages, l);
  put(m.guestAvailable, g.stats?.availableMemory, l);
  put(m.guestFree, g.stats?.freeMemory, l);
  put(m.guestTotal, g.stats?.totalMemory, l);
  mirror(m.guestMajorFaults, g.stats?.majorFaults, l);
  mirror(m.guestSwapIn, g.stats?.swapIn, l);
  mirror(m.guestSwapOut, g.stats?.swapOut, l);
}

/** Brings the registry's metrics up to the snapshot. Throws only if `registry` was not made by createMetricsRegistry. */
export function updateMetrics(registry: Registry, s: AgentSnapshot): void {
  const h = handles.get(registry);
  if (!h) throw new TypeError('updateMetrics: the registry was not made by createMetricsRegistry()');
  const { m } = h;
  for (const [key, metric] of Object.entries(m)) {
    if (key === 'tickSeconds') continue;
    const family = metric as Gauge<string> | Counter<string>;
    family.reset();
    family.remove({}); // an unlabelled family would otherwise show 0 when its collector failed
  }

  const failed = (c: string): boolean => s.collectorSuccess[c] === false;
  if (s.observation && !failed('host')) hostMetrics(m, s.observation.host, failed);
  if (s.hostState !== undefined) {
    for (const state of HOST_STATES) m.hostState.set({ state }, state === s.hostState ? 1 : 0);
  }
  m.paused.set(s.paused ? 1 : 0);

  const agentGuests = new Map(s.guests.map((g) => [g.name, g]));
  for (const g of s.guests) m.guestUp.set({ guest: g.name, source: g.source }, g.status === 'ok' ? 1 : 0);
  for (const g of s.observation?.guests ?? []) guestMetrics(m, g, agentGuests.get(g.name)?.balloonTargetBytes);

  const totals: Record<string, number | undefined> = s.actionsTotal;
  for (const kind of new Set([...ACTION_KINDS, ...Object.keys(totals)])) mirror(m.actions, totals[kind] ?? 0, { kind });

  mirror(m.ticks, s.loop.ticks);
  if (s.loop.lastTickMs > 0) put(m.lastTick, s.loop.lastTickMs / 1000);
  for (const [collector, n] of Object.entries(s.loop.errors)) mirror(m.loopErrors, n, { collector });
  for (const [collector, ok] of Object.entries(s.collectorSuccess)) m.collectorSuccess.set({ collector }, ok ? 1 : 0);

  // The histogram observes each tick once: only the durations of ticks completed since the last update.
  const fresh = s.loop.ticks >= h.ticksSeen ? s.loop.ticks - h.ticksSeen : s.loop.ticks;
  const durations = fresh > 0 ? s.loop.tickDurationsMs.slice(-fresh) : [];
  for (const ms of durations) if (Number.isFinite(ms) && ms >= 0) m.tickSeconds.observe(ms / 1000);
  h.ticksSeen = s.loop.ticks;
}
