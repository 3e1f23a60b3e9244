import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fioArgs, FioOutputError, parseFioJson } from '../../../../../src/lab/workloads/fio/parse.js';

const fixture = readFileSync(new URL('../../../../fixtures/fio/randread-4k-qd16-guest.json', import.meta.url), 'utf8');

test('parses a real in-guest fio 3.33 randread run', () => {
  const [r, ...rest] = parseFioJson(fixture);
  assert.equal(rest.length, 0);
  assert.ok(r);
  assert.equal(r.job, 'rr');
  assert.ok(Math.abs(r.readIops - 7948.525737) < 1e-6);
  assert.equal(r.writeIops, 0);
  assert.equal(r.readBwBytesPerSec, 32557161);
  assert.ok(r.readLatency);
  assert.equal(r.readLatency.count, 15905);
  assert.ok(r.readLatency.p50Us > 0 && r.readLatency.p50Us <= r.readLatency.p99Us);
  assert.ok(r.readLatency.p99Us <= r.readLatency.p999Us);
  assert.equal(r.writeLatency, undefined, 'no writes: no write latency');
});

test('skips text before the JSON (fio warnings on stdout)', () => {
  assert.equal(parseFioJson(`fio: note: both iodepth >= 1 and synchronous I/O engine\n${fixture}`).length, 1);
});

test('named errors for garbage, a missing jobs array and a failed job', () => {
  assert.throws(() => parseFioJson('fio: command not found'), FioOutputError);
  assert.throws(() => parseFioJson('{"x": 1}'), /no "jobs" array/);
  const doc = JSON.parse(fixture) as { jobs: { error: number }[] };
  (doc.jobs[0] as { error: number }).error = 5;
  assert.throws(() => parseFioJson(JSON.stringify(doc)), /failed with error 5/);
});

test('fio arguments: direct IO on the device, each job stonewalled, writes before reads', () => {
  const a = fioArgs('/dev/scratch', 3);
  assert.equal(a[0], 'fio');
  assert.ok(a.includes('--filename=/dev/scratch') && a.includes('--direct=1') && a.includes('--runtime=3'));
  assert.equal(a.filter((x) => x === '--stonewall').length, 4);
  assert.ok(a.indexOf('--rw=randwrite') < a.indexOf('--rw=randread'));
});
