import { LatencyHistogram } from './histogram.js';

/** One second of the measured phase, as handed to onSecond. */
export interface MemcachedSecondSample {
  /** 0-based second of the measured phase. */
  second: number;
  ops: number;
  gets: number;
  sets: number;
  hits: number;
  misses: number;
  errors: number;
  /** Reads that found an acknowledged key missing / a bad value. */
  lost: number;
  corrupt: number;
  p50Us: number;
  p99Us: number;
}

class SecondSlot {
  second = -1;
  gets = 0;
  sets = 0;
  hits = 0;
  misses = 0;
  errors = 0;
  lost = 0;
  corrupt = 0;
  readonly latency = new LatencyHistogram();

  reset(second: number): void {
    this.second = second;
    this.gets = this.sets = this.hits = this.misses = this.errors = this.lost = this.corrupt = 0;
    this.latency.reset();
  }

  sample(second: number): MemcachedSecondSample {
    const own = this.second === second;
    return {
      second,
      ops: own ? this.gets + this.sets : 0,
      gets: own ? this.gets : 0,
      sets: own ? this.sets : 0,
      hits: own ? this.hits : 0,
      misses: own ? this.misses : 0,
      errors: own ? this.errors : 0,
      lost: own ? this.lost : 0,
      corrupt: own ? this.corrupt : 0,
      p50Us: own ? this.latency.percentile(50) : 0,
      p99Us: own ? this.latency.percentile(99) : 0,
    };
  }
}

/**
 * Counters of the measured phase: totals, the latency histogram, ops per second, and per-second samples (two
 * alternating slots: second s is emitted before second s+2 starts filling its slot).
 */
export class PhaseStats {
  gets = 0;
  sets = 0;
  hits = 0;
  misses = 0;
  errors = 0;
  lost = 0;
  corrupt = 0;
  readonly latency = new LatencyHistogram();
  private readonly opsBySecond: number[] = [];
  private readonly slots = [new SecondSlot(), new SecondSlot()];
  private emitted = -1;

  constructor(private readonly onSecond?: (s: MemcachedSecondSample) => void) {}

  private slot(second: number): SecondSlot {
    const s = this.slots[second & 1] as SecondSlot;
    if (s.second !== second) {
      if (s.second > this.emitted) this.emitThrough(s.second);
      s.reset(second);
    }
    return s;
  }

  private op(second: number): void {
    this.opsBySecond[second] = (this.opsBySecond[second] ?? 0) + 1;
  }

  /** A GET answered: hit (sound or not) or miss. `lost`/`corrupt` judge the read. */
  get(second: number, latencyUs: number, hit: boolean, lost: boolean, corrupt: boolean): void {
    const s = this.slot(second);
    this.gets++;
    s.gets++;
    if (hit) {
      this.hits++;
      s.hits++;
    } else {
      this.misses++;
      s.misses++;
    }
    if (lost) {
      this.lost++;
      s.lost++;
    }
    if (corrupt) {
      this.corrupt++;
      s.corrupt++;
    }
    this.latency.record(latencyUs);
    s.latency.record(latencyUs);
    this.op(second);
  }

  /** A SET answered STORED. */
  set(second: number, latencyUs: number): void {
    const s = this.slot(second);
    this.sets++;
    s.sets++;
    this.latency.record(latencyUs);
    s.latency.record(latencyUs);
    this.op(second);
  }

  /** A request answered with an error, or lost with its connection. */
  error(second: number): void {
    this.errors++;
    this.slot(second).errors++;
  }

  get ops(): number {
    return this.gets + this.sets;
  }

  /** Emits the samples of every second up to `second` not emitted yet (seconds without ops give zero samples). */
  emitThrough(second: number): void {
    while (this.emitted < second) {
      const s = ++this.emitted;
      this.onSecond?.((this.slots[s & 1] as SecondSlot).sample(s));
    }
  }

  /** Ops per second for each second of a phase of `durationS`; a last partial second is scaled to a rate. */
  series(durationS: number): number[] {
    const full = Math.floor(durationS + 1e-9);
    const frac = durationS - full;
    const out: number[] = [];
    for (let s = 0; s < full; s++) out.push(this.opsBySecond[s] ?? 0);
    if (frac > 0.05) out.push(Math.round((this.opsBySecond[full] ?? 0) / frac));
    return out;
  }
}
