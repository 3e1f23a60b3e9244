import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadLabResults, parseLabResults, ResultsFileError } from '../../../src/lab/results-schema.js';
import { labResults } from './report/fixture.js';

test('a stored results.json (written before hostSettings existed) parses; hostSettings defaults to []', () => {
  const r = parseLabResults(labResults());
  assert.equal(r.strategies.length, 3);
  assert.deepEqual(r.strategies[0]?.hostSettings, []);
  assert.ok((r.strategies[0]?.series.length ?? 0) > 10, 'the series is kept');
  assert.equal(typeof r.strategies[0]?.series[0]?.host.memTotalBytes, 'number');
});

test('a bad field is named by its path', () => {
  const doc = labResults() as unknown as { strategies: { memcached: { opsPerSec: unknown } }[] };
  (doc.strategies[1] as { memcached: { opsPerSec: unknown } }).memcached.opsPerSec = 'fast';
  assert.throws(
    () => parseLabResults(doc),
    (e: unknown) => {
      assert.ok(e instanceof ResultsFileError);
      assert.match(e.message, /strategies\.1\.memcached\.opsPerSec/);
      return true;
    },
  );
  assert.throws(() => parseLabResults({ version: 2 }), /version/);
});

test('loadLabResults: missing file and non-JSON are named errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-results-'));
  try {
    await assert.rejects(loadLabResults(join(dir, 'nope.json')), /cannot read .*ENOENT/);
    await writeFile(join(dir, 'cut.json'), '{"version": 1, "strat');
    await assert.rejects(loadLabResults(join(dir, 'cut.json')), /is not JSON/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
