/**
 * Open-loop pacing at a fixed rate: op n (from 0) is due at t0 + n/rate. Latency is measured from when an op was
 * due, not from when it could be sent, so a server that falls behind shows up in latency (no coordinated omission).
 */
export class RatePacer {
  private issued = 0;

  constructor(
    readonly opsPerSec: number,
    readonly t0Ms: number,
  ) {}

  /** Ops due by `nowMs` and not taken yet. */
  due(nowMs: number): number {
    if (nowMs < this.t0Ms) return 0;
    return Math.floor(((nowMs - this.t0Ms) * this.opsPerSec) / 1000) + 1 - this.issued;
  }

  /** Takes the next op: returns the time it was due. */
  take(): number {
    return this.t0Ms + (this.issued++ * 1000) / this.opsPerSec;
  }

  get taken(): number {
    return this.issued;
  }
}
