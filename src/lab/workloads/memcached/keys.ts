import type { KeyAccess } from './config.js';
import type { Prng } from './prng.js';
import { ZipfSampler } from './zipf.js';

/** The memcached key of key index `i`. */
export function keyName(prefix: string, i: number): string {
  return prefix + i;
}

/** Picks key indexes in 0..keySpace-1. */
export interface KeySampler {
  next(): number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * A bijection of 0..n-1 (i -> i*m mod n, m coprime with n and near 0.618 n) that spreads consecutive ranks across
 * the key space: Zipf's hot keys then are not the first keys filled, so they do not sit together in a few slab pages.
 */
export function scatter(n: number): (rank: number) => number {
  if (n <= 2) return (r) => r;
  let m = Math.max(1, Math.round(n * 0.6180339887498949));
  while (gcd(m, n) !== 1) m++;
  return (r) => (r * m) % n;
}

export function createKeySampler(access: KeyAccess, keySpace: number, rng: Prng): KeySampler {
  if (access.kind === 'uniform' || access.theta === 0) return { next: () => rng.int(keySpace) };
  const zipf = new ZipfSampler(keySpace, access.theta, rng);
  const map = scatter(keySpace);
  return { next: () => map(zipf.next() - 1) };
}
