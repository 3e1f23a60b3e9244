/** Deterministic pseudo-random numbers and 32-bit hashing: the same seed gives the same stream on every run. */

/** MurmurHash3's 32-bit finalizer: a good bijective mix of one word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one 32-bit word into a hash (order matters). */
export function mix32(h: number, v: number): number {
  return fmix32((h ^ (fmix32(v >>> 0) + 0x9e3779b9 + (h << 6) + (h >>> 2))) >>> 0);
}

/** FNV-1a of a string's char codes, finalized. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator): 128-bit state, passes PractRand to 2^40+ bytes. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = 0;
    this.b = 0;
    this.c = 0;
    this.d = 0;
    this.reseed(seed, stream);
  }

  /** Restarts the stream from (seed, stream) without allocating. */
  reseed(seed: number, stream = 0): void {
    this.a = fmix32(seed >>> 0);
    this.b = fmix32((stream ^ 0x6a09e667) >>> 0);
    this.c = (seed ^ 0xbb67ae85) >>> 0;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n) for n <= 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fills bytes [from, to) of `buf` with the stream. */
  fill(buf: Buffer, from: number, to: number): void {
    let i = from;
    for (; i + 4 <= to; i += 4) buf.writeUInt32LE(this.nextU32(), i);
    if (i < to) {
      let w = this.nextU32();
      for (; i < to; i++, w >>>= 8) buf[i] = w & 0xff;
    }
  }
}
