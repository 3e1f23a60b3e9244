/** Synthetic observations for the KSM tuner tests: only the fields the tuners read are meaningful. */
import type { GuestObservation, HostObservation, Observation } from '../../../../src/observe/observation.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export function guest(name: string, rssBytes: number, extra: Partial<GuestObservation> = {}): GuestObservation {
  return { name, alive: true, memoryBytes: rssBytes, rssBytes, ...extra };
}

export interface ObsOptions {
  memTotalBytes?: number;
  memFreeBytes?: number;
  cachedBytes?: number;
  ksmdCpuTicks?: number;
  ksm?: Partial<HostObservation['ksm']>;
  guests?: GuestObservation[];
}

export function observation(t: number, o: ObsOptions = {}): Observation {
  return {
    t,
    host: {
      memTotalBytes: o.memTotalBytes ?? 8 * GiB,
      memAvailableBytes: o.memFreeBytes ?? 0,
      memFreeBytes: o.memFreeBytes ?? 0,
      cachedBytes: o.cachedBytes ?? 0,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      cpu: { user: 0, system: 0, iowait: 0, steal: 0, idle: 0, total: 0 },
      ksmdCpuTicks: o.ksmdCpuTicks ?? 0,
      kswapdCpuTicks: 0,
      pswpin: 0,
      pswpout: 0,
      psi: {},
      ksm: {
        run: 0,
        pagesShared: 0,
        pagesSharing: 0,
        pagesVolatile: 0,
        fullScans: 0,
        savedBytes: 0,
        ...o.ksm,
      },
      zram: { origBytes: 0, comprBytes: 0, memUsedBytes: 0 },
      zswap: { poolBytes: 0, storedBytes: 0, zswpin: 0, zswpout: 0, zswpwb: 0 },
    },
    guests: o.guests ?? [],
  };
}

/** A deterministic PRNG (mulberry32) for noisy traces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
