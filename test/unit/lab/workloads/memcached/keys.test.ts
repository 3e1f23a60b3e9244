import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKeySampler, keyName, scatter } from '../../../../../src/lab/workloads/memcached/keys.js';
import { Prng } from '../../../../../src/lab/workloads/memcached/prng.js';
import { ZipfSampler, zipfProbabilities } from '../../../../../src/lab/workloads/memcached/zipf.js';

describe('zipf sampler', () => {
  for (const theta of [0.5, 0.99, 1, 1.5]) {
    test(`theta ${theta}: frequencies follow 1/k^theta`, () => {
      const n = 1000;
      const draws = 400_000;
      const z = new ZipfSampler(n, theta, new Prng(42));
      const counts = new Float64Array(n + 1);
      for (let i = 0; i < draws; i++) {
        const k = z.next();
        assert.ok(k >= 1 && k <= n);
        counts[k] = (counts[k] as number) + 1;
      }
      const p = zipfProbabilities(n, theta);
      // The head, rank by rank: within 5 standard deviations of the binomial count.
      for (let k = 1; k <= 10; k++) {
        const expected = (p[k - 1] as number) * draws;
        const sd = Math.sqrt(expected * (1 - (p[k - 1] as number)));
        assert.ok(Math.abs((counts[k] as number) - expected) < 5 * sd + 1, `rank ${k}: ${counts[k]} vs ${expected}`);
      }
      // The rank-1 / rank-2 ratio is 2^theta.
      assert.ok(Math.abs((counts[1] as number) / (counts[2] as number) - 2 ** theta) < 0.08 * 2 ** theta);
      // The tail in bulk: share of draws beyond rank 100.
      let tail = 0;
      for (let k = 101; k <= n; k++) tail += p[k - 1] as number;
      let seen = 0;
      for (let k = 101; k <= n; k++) seen += counts[k] as number;
      assert.ok(Math.abs(seen / draws - tail) < 0.01, `tail ${seen / draws} vs ${tail}`);
    });
  }

  test('one key only, and bad parameters', () => {
    const z = new ZipfSampler(1, 0.9, new Prng(1));
    for (let i = 0; i < 100; i++) assert.equal(z.next(), 1);
    assert.throws(() => new ZipfSampler(10, 0, new Prng(1)), RangeError);
    assert.throws(() => new ZipfSampler(0, 1, new Prng(1)), RangeError);
  });

  test('the same seed gives the same sequence', () => {
    const a = new ZipfSampler(1000, 0.99, new Prng(5));
    const b = new ZipfSampler(1000, 0.99, new Prng(5));
    for (let i = 0; i < 1000; i++) assert.equal(a.next(), b.next());
  });
});

describe('key sampler', () => {
  test('scatter is a bijection that spreads neighbouring ranks', () => {
    for (const n of [1, 2, 3, 10, 1000, 4096, 9973]) {
      const map = scatter(n);
      const seen = new Set<number>();
      for (let r = 0; r < n; r++) seen.add(map(r));
      assert.equal(seen.size, n, `n=${n}`);
      assert.ok([...seen].every((k) => k >= 0 && k < n));
    }
    const m = scatter(1000);
    assert.ok(Math.abs(m(1) - m(0)) > 100);
  });

  test('uniform covers the key space evenly; zipf concentrates on few keys', () => {
    const n = 100;
    const u = createKeySampler({ kind: 'uniform' }, n, new Prng(3));
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const k = u.next();
      counts[k] = (counts[k] ?? 0) + 1;
    }
    assert.ok(Math.min(...counts) > 800 && Math.max(...counts) < 1200);
    const z = createKeySampler({ kind: 'zipf', theta: 0.99 }, n, new Prng(3));
    const zc = new Array<number>(n).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const k = z.next();
      zc[k] = (zc[k] ?? 0) + 1;
    }
    const sorted = [...zc].sort((a, b) => b - a);
    assert.ok((sorted[0] as number) > 15_000, 'the hottest key takes about 1/H(100) of the draws');
    assert.equal(createKeySampler({ kind: 'zipf', theta: 0 }, n, new Prng(3)).next() < n, true);
  });

  test('key names', () => {
    assert.equal(keyName('ovc:', 17), 'ovc:17');
  });
});
