import type { Prng } from './prng.js';

/**
 * Zipf-distributed ranks 1..n with P(k) proportional to 1/k^theta, by rejection-inversion (Hörmann & Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete distributions", 1996): O(1) set-up and memory,
 * about one uniform per sample, any theta > 0 (theta = 1 included).
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  constructor(
    readonly n: number,
    readonly theta: number,
    private readonly rng: Prng,
  ) {
    if (!(n >= 1) || !(theta > 0)) throw new RangeError(`zipf needs n >= 1 and theta > 0 (n=${n}, theta=${theta})`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** A rank in 1..n (1 is the most frequent). */
  next(): number {
    for (;;) {
      const u = this.hIntegralN + this.rng.next() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.theta * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.theta) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.theta);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x)/x, stable near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, stable near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/** Exact P(rank = k) for k in 1..n: for tests and sanity checks. */
export function zipfProbabilities(n: number, theta: number): Float64Array {
  const p = new Float64Array(n);
  let z = 0;
  for (let k = 1; k <= n; k++) z += 1 / Math.pow(k, theta);
  for (let k = 1; k <= n; k++) p[k - 1] = 1 / Math.pow(k, theta) / z;
  return p;
}
