/**
 * Synthetic observation traces for the policy tests: a host and guests described in MiB with everything else at a
 * quiet default, and a runner that feeds a trace through a policy the way the agent does.
 */
import type { GuestStats } from '../../../src/guest/qmp/guest-stats.js';
import type { GuestObservation, HostObservation, Observation } from '../../../src/observe/observation.js';
import type { Action, Decision } from '../../../src/policy/actions.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface HostSpec {
  totalMiB: number;
  availableMiB: number;
  freeMiB?: number;
  cachedMiB?: number;
  pswpin?: number;
  /** PSI memory some avg10, percent. */
  psiSome?: number;
  budget?: { limitMiB: number | null; usageMiB: number };
}

export function host(h: HostSpec): HostObservation {
  const psi = h.psiSome ?? 0;
  return {
    memTotalBytes: h.totalMiB * MiB,
    memAvailableBytes: h.availableMiB * MiB,
    memFreeBytes: (h.freeMiB ?? h.availableMiB) * MiB,
    cachedBytes: (h.cachedMiB ?? 0) * MiB,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
    cpu: { user: 0, system: 0, iowait: 0, steal: 0, idle: 0, total: 0 },
    ksmdCpuTicks: 0,
    kswapdCpuTicks: 0,
    pswpin: h.pswpin ?? 0,
    pswpout: 0,
    psi: { memory: { some: { avg10: psi, avg60: psi, avg300: psi, totalUs: 0 } } },
    ksm: { run: 0, pagesShared: 0, pagesSharing: 0, pagesVolatile: 0, fullScans: 0, savedBytes: 0 },
    zram: { origBytes: 0, comprBytes: 0, memUsedBytes: 0 },
    zswap: { poolBytes: 0, storedBytes: 0, zswpin: 0, zswpout: 0, zswpwb: 0 },
    ...(h.budget
      ? {
          budget: {
            usageBytes: h.budget.usageMiB * MiB,
            limitBytes: h.budget.limitMiB === null ? null : h.budget.limitMiB * MiB,
          },
        }
      : {}),
  };
}

export interface GuestSpec {
  name: string;
  /** Configured memory; default 1000 MiB (round numbers for hand-computed expectations). */
  memoryMiB?: number;
  actualMiB?: number;
  /** stat-available-memory; undefined = the guest reports no stats. */
  availableMiB?: number;
  freeMiB?: number;
  majorFaults?: number;
  /** stat-swap-in, cumulative bytes. */
  swapInBytes?: number;
  /** When the guest made the report (seconds, QEMU's last-update); undefined: not known. */
  statsAt?: number;
  alive?: boolean;
  inGuestPsi?: number;
}

export function guest(g: GuestSpec): GuestObservation {
  const memoryMiB = g.memoryMiB ?? 1000;
  const hasStats =
    g.availableMiB !== undefined ||
    g.freeMiB !== undefined ||
    g.majorFaults !== undefined ||
    g.swapInBytes !== undefined;
  const stats: GuestStats['stats'] = {
    swapIn: g.swapInBytes,
    swapOut: undefined,
    majorFaults: g.majorFaults,
    minorFaults: undefined,
    freeMemory: g.freeMiB === undefined ? undefined : g.freeMiB * MiB,
    totalMemory: undefined,
    availableMemory: g.availableMiB === undefined ? undefined : g.availableMiB * MiB,
    diskCaches: undefined,
    hugetlbAllocations: undefined,
    hugetlbFailures: undefined,
  };
  return {
    name: g.name,
    alive: g.alive ?? true,
    memoryBytes: memoryMiB * MiB,
    balloonActualBytes: (g.actualMiB ?? memoryMiB) * MiB,
    ...(hasStats ? { stats } : {}),
    ...(hasStats && g.statsAt !== undefined ? { statsAt: g.statsAt } : {}),
    ...(g.inGuestPsi !== undefined ? { inGuest: { psiMemorySomeAvg10: g.inGuestPsi } } : {}),
  };
}

export function observation(tSeconds: number, h: HostSpec, guests: GuestSpec[]): Observation {
  return { t: tSeconds * 1000, host: host(h), guests: guests.map(guest) };
}

export interface PolicyLike<S> {
  initial: S;
  step(obs: Observation, prev: Observation | undefined, state: S): Decision<S>;
}

export interface Tick<S> {
  obs: Observation;
  state: S;
  actions: Action[];
}

/** Feeds a trace through a policy, threading its state and the previous observation. */
export function run<S>(policy: PolicyLike<S>, trace: Observation[], start: S = policy.initial): Tick<S>[] {
  const out: Tick<S>[] = [];
  let state = start;
  let prev: Observation | undefined;
  for (const obs of trace) {
    const d = policy.step(obs, prev, state);
    out.push({ obs, state: d.state, actions: d.actions });
    state = d.state;
    prev = obs;
  }
  return out;
}

/** The balloon targets (MiB) a list of actions asks for, by guest. */
export function targetsMiB(actions: Action[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of actions) if (a.kind === 'balloon') out[a.guest] = a.targetBytes / MiB;
  return out;
}
