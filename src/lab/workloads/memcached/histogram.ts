import type { LatencySummary } from '../results.js';

/**
 * Latency histogram with log-linear buckets, as HdrHistogram: values are integer microseconds from 1 us to 60 s,
 * kept to 3 significant digits (each power-of-two range split into 1024 linear sub-buckets, so a bucket is at most
 * 1/1024 of its value wide). Fixed memory (17 408 counters), O(1) record, no allocation.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10; // 2^11 = 2048 sub-buckets >= 2 * 10^3: three significant digits
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF - 1;
export const HISTOGRAM_MAX_US = 60_000_000;
const BUCKETS = 32 - Math.clz32(HISTOGRAM_MAX_US | SUB_BUCKET_MASK) - SUB_BUCKET_HALF_MAGNITUDE - 1 + 1;
const COUNTS = (BUCKETS + 1) << SUB_BUCKET_HALF_MAGNITUDE;

function indexOf(v: number): number {
  const bucket = 31 - Math.clz32(v | SUB_BUCKET_MASK) - SUB_BUCKET_HALF_MAGNITUDE;
  const sub = v >>> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + sub - SUB_BUCKET_HALF;
}

/** Lowest value that lands in counts[i]. */
function lowestAt(i: number): number {
  let bucket = (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Highest value that lands in counts[i]. */
function highestAt(i: number): number {
  const bucket = Math.max(0, (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1);
  return lowestAt(i) + 2 ** bucket - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS);
  private n = 0;
  private sum = 0;
  private max = 0;
  private minIndex = COUNTS;
  private maxIndex = -1;

  /** Records one latency in microseconds (fractions round; clamped to 1 us .. 60 s). */
  record(us: number): void {
    let v = Math.round(us);
    if (!(v >= 1)) v = 1;
    else if (v > HISTOGRAM_MAX_US) v = HISTOGRAM_MAX_US;
    const i = indexOf(v);
    this.counts[i] = (this.counts[i] as number) + 1;
    if (i < this.minIndex) this.minIndex = i;
    if (i > this.maxIndex) this.maxIndex = i;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  get count(): number {
    return this.n;
  }

  /** Adds another histogram's counts into this one. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    for (let i = other.minIndex; i <= other.maxIndex; i++)
      this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.n += other.n;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.minIndex = Math.min(this.minIndex, other.minIndex);
    this.maxIndex = Math.max(this.maxIndex, other.maxIndex);
  }

  reset(): void {
    if (this.n > 0) this.counts.fill(0, this.minIndex, this.maxIndex + 1);
    this.n = 0;
    this.sum = 0;
    this.max = 0;
    this.minIndex = COUNTS;
    this.maxIndex = -1;
  }

  /**
   * The value at percentile p (0..100], nearest rank: the smallest recorded value v such that at least p% of the
   * values are <= v, reported as the middle of its bucket (within 0.05% of the true value), never above the max
   * (the last rank is the max itself).
   */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.n));
    if (rank >= this.n) return this.max;
    let seen = 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) {
        const lo = lowestAt(i);
        return Math.min(this.max, lo === highestAt(i) ? lo : (lo + highestAt(i)) / 2);
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      p50Us: this.percentile(50),
      p90Us: this.percentile(90),
      p99Us: this.percentile(99),
      p999Us: this.percentile(99.9),
      maxUs: this.max,
      meanUs: this.n === 0 ? 0 : this.sum / this.n,
    };
  }
}
