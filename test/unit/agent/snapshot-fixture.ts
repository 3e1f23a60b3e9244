/** A small hand-built agent snapshot (two guests, one decision) shared by the agent's unit tests. */
import type { TimelineEntry } from '../../../src/control/policy-loop.js';
import type { AgentSnapshot } from '../../../src/agent/state.js';
import type { Observation } from '../../../src/observe/observation.js';

const MiB = 1024 * 1024;

export function sampleObservation(t = 1_700_000_000_000): Observation {
  return {
    t,
    host: {
      memTotalBytes: 4096 * MiB,
      memAvailableBytes: 1024 * MiB,
      memFreeBytes: 512 * MiB,
      cachedBytes: 256 * MiB,
      swapTotalBytes: 2048 * MiB,
      swapFreeBytes: 1536 * MiB,
      cpu: { user: 100, system: 50, iowait: 5, steal: 0, idle: 1000, total: 1155 },
      ksmdCpuTicks: 12,
      kswapdCpuTicks: 3,
      pswpin: 1200,
      pswpout: 3400,
      psi: {
        memory: {
          some: { avg10: 1.5, avg60: 1, avg300: 0.5, totalUs: 2_500_000 },
          full: { avg10: 0.25, avg60: 0.1, avg300: 0, totalUs: 500_000 },
        },
        io: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 1_000 } },
      },
      ksm: {
        run: 1,
        pagesShared: 1000,
        pagesSharing: 5000,
        pagesVolatile: 200,
        fullScans: 7,
        savedBytes: 5000 * 4096,
      },
      zram: { origBytes: 300 * MiB, comprBytes: 100 * MiB, memUsedBytes: 110 * MiB },
      zswap: { poolBytes: 20 * MiB, storedBytes: 60 * MiB, zswpin: 10, zswpout: 30, zswpwb: 0 },
      budget: { usageBytes: 900 * MiB, limitBytes: 1024 * MiB },
    },
    guests: [
      {
        name: 'vm1',
        alive: true,
        memoryBytes: 512 * MiB,
        balloonActualBytes: 384 * MiB,
        rssBytes: 300 * MiB,
        swapBytes: 0,
        ksmMergingPages: 2500,
        stats: {
          swapIn: 4096,
          swapOut: 8192,
          majorFaults: 42,
          minorFaults: 1000,
          freeMemory: 100 * MiB,
          totalMemory: 380 * MiB,
          availableMemory: 200 * MiB,
          diskCaches: 50 * MiB,
          hugetlbAllocations: undefined,
          hugetlbFailures: undefined,
        },
      },
      { name: 'vm2', alive: true, memoryBytes: 256 * MiB, rssBytes: 128 * MiB },
    ],
  };
}

export function sampleDecision(t = 1_700_000_000_000): TimelineEntry {
  return {
    t,
    policy: 'auto',
    action: { kind: 'balloon', guest: 'vm1', targetBytes: 384 * MiB, reason: '[balloon] host headroom 8 % < 10 %' },
    ok: true,
  };
}

export function sampleSnapshot(): AgentSnapshot {
  return {
    observation: sampleObservation(),
    hostState: 'soft',
    paused: false,
    guests: [
      { name: 'vm1', source: 'qmp', status: 'ok', balloonTargetBytes: 384 * MiB },
      { name: 'vm2', source: 'libvirt', status: 'timeout', error: 'no answer in 500 ms' },
    ],
    lastDecisions: [sampleDecision()],
    loop: { ticks: 3, lastTickMs: 1_700_000_000_500, tickDurationsMs: [2, 4, 30], errors: { guests: 1 } },
    collectorSuccess: { host: true, guests: true },
    actionsTotal: { balloon: 2, ksm: 1 },
  };
}
