/**
 * The lab's memcached phases driven by Debian's memcaslap against two real memcached on the host (fake guests that
 * only carry their ports). Skips without memcached/memcaslap; fails instead under OVERCOMMIT_REQUIRE_HOST=1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Guest } from '../../../../../src/guest/guest.js';
import { parseScenario } from '../../../../../src/lab/scenario.js';
import { memcachedPhases } from '../../../../../src/lab/workloads/memcached-phases.js';
import { LocalMemcached, requireProgram } from '../../../../helpers/memcached.js';

test('--loadgen memcaslap: memcaslap measures, our fill and read-back still count every key', async (t) => {
  if (!(await requireProgram(t, 'memcached', 'memcached'))) return;
  if (!(await requireProgram(t, 'memcaslap', 'libmemcached-tools'))) return;
  const servers = [await LocalMemcached.start({ memoryMb: 64 }), await LocalMemcached.start({ memoryMb: 64 })];
  try {
    // memcachedMbFor(192M) = 99 MiB; the servers have 64: fill 30 % of 99 MiB stays well inside.
    const s = parseScenario({
      guests: { count: 2, memory: '192M' },
      memcached: { loadgen: 'memcaslap', fillShare: 0.3, valueBytes: 1024 },
      warmupS: 0,
      durationS: 2,
    });
    const guests = servers.map((m) => ({ record: { ports: { memcached: m.port } } }) as unknown as Guest);
    const phases: string[] = [];
    const r = await memcachedPhases(s, guests, { say: (p) => phases.push(p) });
    assert.deepEqual(r.notes, []);
    assert.ok(r.result);
    assert.ok(phases.some((p) => /with memcaslap/.test(p)));
    assert.ok(r.result.opsPerSec > 1000, `memcaslap: ${r.result.opsPerSec} ops/s`);
    assert.ok(r.result.gets > r.result.sets && r.result.sets > 0, `get/set ${r.result.gets}/${r.result.sets}`);
    assert.ok(r.result.latency.p99Us > 0 && r.result.latency.p50Us <= r.result.latency.p99Us);
    assert.ok(r.result.opsPerSecSeries.length >= 1);
    assert.ok(r.result.integrity.keysWritten > 1000);
    assert.equal(r.result.integrity.verified, r.result.integrity.keysWritten);
    assert.equal(r.result.integrity.lost, 0);
    assert.equal(r.result.integrity.corrupt, 0);
  } finally {
    for (const m of servers) await m.stop();
  }
});
