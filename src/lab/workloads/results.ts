/** What the workloads measure: the pieces of a strategy's result each workload returns (lab/results.ts assembles them). */

/** Latency percentiles in microseconds. */
export interface LatencySummary {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
}

/** One memcached load run against one guest (or all guests, summed). */
export interface MemcachedResult {
  ops: number;
  gets: number;
  sets: number;
  hits: number;
  misses: number;
  errors: number;
  durationS: number;
  opsPerSec: number;
  latency: LatencySummary;
  /** Throughput per second of the run, for the time-series chart. */
  opsPerSecSeries: number[];
  integrity: { keysWritten: number; verified: number; lost: number; corrupt: number };
}

export interface FioResult {
  job: string;
  readIops: number;
  writeIops: number;
  readBwBytesPerSec: number;
  writeBwBytesPerSec: number;
  readLatency?: LatencySummary;
  writeLatency?: LatencySummary;
}

export interface NetworkResult {
  hostToGuestBitsPerSec: number;
  guestToHostBitsPerSec: number;
  /** Request/response round trips per second (what netperf TCP_RR measures). */
  rrPerSec: number;
  rrLatency: LatencySummary;
}
