import type { TimelineEntry } from '../control/policy-loop.js';
import type { Observation } from '../observe/observation.js';
import type { SpikeResult } from './spike-outcome.js';
import type { FioResult, MemcachedResult, NetworkResult } from './workloads/results.js';

export type { FioResult, LatencySummary, MemcachedResult, NetworkResult } from './workloads/results.js';

/** What one strategy cost, measured from kernel counters over its measured phase. */
export interface StrategyResult {
  strategy: string;
  repetition: number;
  startedAt: string;
  durationS: number;
  guestRamBytes: number;
  budgetBytes: number;
  /** guest RAM / budget. */
  overcommitRatio: number;
  /** What the strategy set on the host, one line per step of its preset (and its controller, if any). */
  hostSettings: string[];
  memcached?: MemcachedResult;
  fio?: FioResult[];
  network?: NetworkResult;
  /** Bytes saved at the end of the run, by mechanism (kernel counters). */
  savedBytes: { ksm: number; zram: number; zswap: number; balloon: number };
  /** CPU seconds spent by the mechanism's kernel threads and total system time during the run. */
  cpuSeconds: { ksmd: number; kswapd: number; system: number; user: number; iowait: number };
  swapIo: { pagesIn: number; pagesOut: number };
  /** Per-second observations of the run. */
  series: Observation[];
  /** The working-set spike, when the scenario has one. */
  spike?: SpikeResult;
  /** Controlled strategies (balloon, ksmtuned, auto): every decision, with its reason and outcome. */
  timeline?: TimelineEntry[];
  /** Free text: what went wrong, if anything (a guest died, integrity failed). */
  notes: string[];
  /** Ratios against the baseline strategy (`none`) of the same run: 1.0 = as fast as baseline. */
  vsBaseline?: { throughput: number; p99: number };
}

export interface Environment {
  hostKernel: string;
  qemuVersion: string;
  accel: string;
  accelReason?: string;
  guestKernel: string;
  thp: string;
  cpuModel: string;
  cpus: number;
  memTotalBytes: number;
  swapDevice: string;
  cgroupVersion: number | null;
  /** Any approximation the run had to make (e.g. ksmtuned's view of the host). */
  caveats: string[];
}

/** One step of the density scenario (judged by density-judge.ts). */
export interface DensityStep {
  ratio: number;
  /** ops/s over the baseline's (undefined when there is no memcached result). */
  throughput?: number;
  held: boolean;
  /** Why it did not hold. */
  why?: string;
}

export interface DensityResult {
  strategy: string;
  /** The highest ratio held (null: not even the first step). */
  heldRatio: number | null;
  steps: DensityStep[];
}

export interface LabResults {
  version: 1;
  scenario: string;
  startedAt: string;
  finishedAt: string;
  environment: Environment;
  /** The scenario as run (every setting). */
  settings: Record<string, unknown>;
  strategies: StrategyResult[];
  /** The density scenario: the highest overcommit ratio each strategy held. */
  density?: DensityResult[];
}
