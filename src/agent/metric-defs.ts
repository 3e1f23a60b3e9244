/**
 * The agent's Prometheus metric families, on a registry of their own (never prom-client's global one). Names follow
 * Prometheus conventions: `overcommit_` prefix, base units in the name (`_bytes`, `_seconds`, `_pages`), `_total` on
 * counters, ratios in 0..1 (`_ratio`). Kernel and QEMU counters are exposed as prom-client Counters that mirror the
 * cumulative value (see metrics.ts).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Buckets of the tick-duration histogram, seconds: a tick should take milliseconds; over 1 s it overruns. */
export const TICK_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function defineMetrics(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: `overcommit_${name}`, help, labelNames, registers });
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: `overcommit_${name}`, help, labelNames, registers });
  const G = ['guest'] as const;
  return {
    memTotal: gauge('host_memory_total_bytes', 'Host memory (MemTotal).'),
    memAvailable: gauge('host_memory_available_bytes', 'Host memory available without swapping (MemAvailable).'),
    memFree: gauge('host_memory_free_bytes', 'Host memory unused (MemFree).'),
    swapTotal: gauge('host_swap_total_bytes', 'Host swap space (SwapTotal).'),
    swapFree: gauge('host_swap_free_bytes', 'Host swap space unused (SwapFree).'),
    swapIn: counter('host_swap_in_pages_total', 'Pages swapped in since boot (vmstat pswpin).'),
    swapOut: counter('host_swap_out_pages_total', 'Pages swapped out since boot (vmstat pswpout).'),
    psiAvg10: gauge('host_pressure_avg10_ratio', 'PSI: share of the last 10 s with tasks stalled.', [
      'resource',
      'kind',
    ]),
    psiStalled: counter('host_pressure_stalled_seconds_total', 'PSI: time with tasks stalled since boot.', [
      'resource',
      'kind',
    ]),
    ksmShared: gauge('ksm_shared_pages', 'KSM pages in use, each shared by several mappings (pages_shared).'),
    ksmSharing: gauge('ksm_sharing_pages', 'Mappings that share a KSM page, i.e. pages saved (pages_sharing).'),
    ksmVolatile: gauge('ksm_volatile_pages', 'Pages changing too fast to merge (pages_volatile).'),
    ksmFullScans: counter('ksm_full_scans_total', 'Full scans of mergeable memory by ksmd (full_scans).'),
    ksmSaved: gauge('ksm_saved_bytes', 'Memory KSM saves (pages_sharing x page size, less its own overhead).'),
    ksmRun: gauge('ksm_run', 'KSM run setting: 0 stopped, 1 running, 2 unmerging.'),
    zramOrig: gauge('zram_original_bytes', 'Data stored in zram devices, uncompressed (orig_data_size).'),
    zramCompr: gauge('zram_compressed_bytes', 'Data stored in zram devices, compressed (compr_data_size).'),
    zramMemUsed: gauge('zram_memory_used_bytes', 'Memory zram devices use, overhead included (mem_used_total).'),
    zswapPool: gauge('zswap_pool_bytes', 'Memory the zswap pool uses (compressed).'),
    zswapStored: gauge('zswap_stored_bytes', 'Data held by zswap, uncompressed.'),
    budgetUsage: gauge('budget_usage_bytes', 'Memory charged to the host-budget cgroup (memory.current).'),
    budgetLimit: gauge('budget_limit_bytes', 'Limit of the host-budget cgroup (memory.max); absent when unlimited.'),
    hostState: gauge('host_state', 'Host memory state (state set: 1 for the current state).', ['state']),
    paused: gauge('agent_paused', '1 while the agent is paused (observes, does not act).'),
    guestUp: gauge('guest_up', '1 when the guest answered on the last tick.', ['guest', 'source']),
    guestMemory: gauge('guest_memory_bytes', 'Memory the guest was started with.', G),
    balloonTarget: gauge('guest_balloon_target_bytes', 'Balloon target the agent last set.', G),
    balloonActual: gauge('guest_balloon_actual_bytes', 'Memory the guest has now (balloon actual).', G),
    guestRss: gauge('guest_rss_bytes', 'Resident memory of the guest process on the host.', G),
    guestSwap: gauge('guest_swap_bytes', 'Memory of the guest process swapped out on the host.', G),
    guestKsm: gauge('guest_ksm_merging_pages', 'Pages of the guest process merged by KSM.', G),
    guestAvailable: gauge('guest_available_memory_bytes', 'Guest-reported available memory (balloon stats).', G),
    guestFree: gauge('guest_free_memory_bytes', 'Guest-reported free memory (balloon stats).', G),
    guestTotal: gauge('guest_total_memory_bytes', 'Guest-reported total memory (balloon stats).', G),
    guestMajorFaults: counter('guest_major_faults_total', 'Guest-reported major page faults.', G),
    guestSwapIn: counter('guest_swap_in_bytes_total', 'Guest-reported swap-in.', G),
    guestSwapOut: counter('guest_swap_out_bytes_total', 'Guest-reported swap-out.', G),
    actions: counter('actions_total', 'Actions carried out (or attempted) by kind.', ['kind']),
    tickSeconds: new Histogram({
      name: 'overcommit_loop_tick_seconds',
      help: 'Duration of one observe-decide-act tick.',
      buckets: TICK_BUCKETS_SECONDS,
      registers,
    }),
    ticks: counter('loop_ticks_total', 'Ticks completed since the agent started.'),
    lastTick: gauge('loop_last_tick_timestamp_seconds', 'When the last tick ended (Unix time).'),
    loopErrors: counter('loop_errors_total', 'Collector failures since the agent started.', ['collector']),
    collectorSuccess: gauge('collector_success', '1 when the collector succeeded on the last tick, else 0.', [
      'collector',
    ]),
  };
}

export type AgentMetrics = ReturnType<typeof defineMetrics>;
