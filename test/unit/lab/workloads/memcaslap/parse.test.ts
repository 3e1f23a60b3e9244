import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  log2Percentile,
  memcaslapConfig,
  MemcaslapOutputError,
  parseMemcaslapOutput,
} from '../../../../../src/lab/workloads/memcaslap/parse.js';
import { memcaslapArgs } from '../../../../../src/lab/workloads/memcaslap/run.js';

// Real output: memcaslap -s 127.0.0.1:22122 -T 1 -c 2 -t 3s -F cfg -w 1k -S 1s (Debian 12 libmemcached-tools 1.1.4).
const real = readFileSync(new URL('../../../../fixtures/memcaslap/tcp-2conns-3s-S1s.txt', import.meta.url), 'utf8');

test('parses a real memcaslap run: totals, counters, per-second series, latency', () => {
  const r = parseMemcaslapOutput(real);
  assert.equal(r.ops, 134409);
  assert.equal(r.opsPerSec, 44797);
  assert.equal(r.durationS, 3);
  assert.equal(r.gets, 120967);
  assert.equal(r.sets, 13442);
  assert.equal(r.misses, 0);
  assert.deepEqual(r.opsPerSecSeries, [106115, 17740, 10550]);
  assert.equal(r.latency.count, 134407);
  assert.equal(r.latency.maxUs, 178085);
  assert.equal(r.latency.meanUs, 44);
  // Total Log2 Dist: buckets 3 (8-16 µs) holds 73289 of 134407 events -> p50 is that bucket's upper bound, 16 µs.
  assert.equal(r.latency.p50Us, 16);
  assert.ok(r.latency.p50Us <= r.latency.p90Us && r.latency.p90Us <= r.latency.p99Us);
  assert.ok(r.latency.p99Us <= r.latency.p999Us && r.latency.p999Us <= r.latency.maxUs);
});

test('log2 percentiles: upper bound of the bucket, capped at the max', () => {
  assert.equal(log2Percentile([0, 0, 10], 0.5, 1000), 8);
  assert.equal(log2Percentile([5, 5], 0.5, 1000), 2);
  assert.equal(log2Percentile([5, 5], 1, 3), 3);
  assert.equal(log2Percentile([], 0.5, 7), 0);
});

test('a failed run is a named error with the tail of the output', () => {
  assert.throws(() => parseMemcaslapOutput('servers: 127.0.0.1:1\nconnect failed'), MemcaslapOutputError);
});

test('config and arguments: the scenario get ratio, value size, one thread per server', () => {
  assert.equal(
    memcaslapConfig({ keyBytes: 16, valueBytes: 2048, getRatio: 0.9 }),
    'key\n16 16 1\nvalue\n2048 2048 1\ncmd\n0 0.1\n1 0.9\n',
  );
  const a = memcaslapArgs(
    {
      targets: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
      connectionsPerTarget: 2,
      durationS: 10,
      valueBytes: 2048,
      getRatio: 0.9,
    },
    '/tmp/x.cfg',
  );
  assert.deepEqual(a.slice(0, 8), ['-s', '127.0.0.1:1,127.0.0.1:2', '-T', '2', '-c', '4', '-t', '10s']);
});
