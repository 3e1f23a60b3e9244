/**
 * Against a real memcached on the host (one of our own per test, on a free loopback port, killed afterwards).
 * Skips when memcached is not installed, fails instead under OVERCOMMIT_REQUIRE_HOST=1.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { LocalMemcached, freePort, rawMemcached, requireProgram } from '../../../../helpers/memcached.js';
import { ValueFactory } from '../../../../../src/lab/workloads/memcached/content.js';
import {
  MemcachedLoadError,
  createLedger,
  fillKeys,
  resolveLoadConfig,
  runMemcachedLoad,
  verifyAll,
  type MemcachedLoadInput,
  type MemcachedSecondSample,
} from '../../../../../src/lab/workloads/memcached/index.js';
import { setRequest } from '../../../../../src/lab/workloads/memcached/protocol.js';

async function withMemcached(
  t: TestContext,
  fn: (m: LocalMemcached) => Promise<void>,
  options: { memoryMb?: number } = {},
): Promise<void> {
  if (!(await requireProgram(t, 'memcached', 'memcached'))) return;
  const m = await LocalMemcached.start(options);
  try {
    await fn(m);
  } finally {
    await m.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rawSet(port: number, key: string, value: Buffer): Promise<void> {
  assert.match(await rawMemcached(port, setRequest(key, value), /\r\n$/), /^STORED\r\n$/);
}

describe('memcached load against a real memcached', () => {
  test('fill 2000 keys, 3 s of mixed load, read-back clean; restart loses all; injected values are corrupt', async (t) => {
    await withMemcached(t, async (m) => {
      const cfg: MemcachedLoadInput = {
        port: m.port,
        keySpace: 2000,
        durationS: 3,
        getRatio: 0.8,
        valueSize: { kind: 'uniform', minBytes: 100, maxBytes: 4000 },
      };
      const ledger = createLedger(cfg);
      const fill = await fillKeys(cfg, ledger);
      assert.equal(fill.keysWritten, 2000);
      assert.equal(fill.errors, 0);
      assert.ok(fill.bytesWritten > 2000 * 1500 && fill.bytesWritten < 2000 * 2600, `${fill.bytesWritten} bytes`);

      const samples: MemcachedSecondSample[] = [];
      const r = await runMemcachedLoad(cfg, { ledger, onSecond: (s) => samples.push(s) });
      assert.equal(r.durationS, 3);
      assert.ok(r.ops > 1000, `${r.ops} ops`);
      assert.equal(r.ops, r.gets + r.sets);
      assert.equal(r.gets, r.hits + r.misses);
      assert.equal(r.misses, 0, 'every key was filled');
      assert.equal(r.errors, 0);
      assert.ok(r.sets > 0.1 * r.ops && r.sets < 0.3 * r.ops);
      assert.equal(r.latency.count, r.ops);
      assert.ok(r.latency.p50Us > 0 && r.latency.p50Us <= r.latency.p99Us && r.latency.p99Us <= r.latency.maxUs);
      assert.equal(r.opsPerSecSeries.length, 3);
      assert.equal(
        r.opsPerSecSeries.reduce((a, b) => a + b, 0),
        r.ops,
      );
      assert.ok(Math.abs(r.opsPerSec - r.ops / 3) < 1e-6);
      assert.deepEqual(
        samples.map((s) => s.second),
        [0, 1, 2],
      );
      assert.deepEqual(
        samples.map((s) => s.ops),
        r.opsPerSecSeries,
      );
      assert.deepEqual(r.integrity, { keysWritten: 2000, verified: 2000, lost: 0, corrupt: 0 });

      const clean = await verifyAll(cfg, ledger, { deep: true });
      assert.deepEqual(clean, { keysWritten: 2000, verified: 2000, lost: 0, corrupt: 0, examples: [] });

      await m.restart();
      const gone = await verifyAll(cfg, ledger);
      assert.equal(gone.lost, gone.keysWritten);
      assert.equal(gone.keysWritten, 2000);
      assert.equal(gone.verified, 0);
      assert.equal(gone.corrupt, 0);
      assert.match(gone.examples[0] ?? '', /ovc:\d+: lost \(acknowledged version \d+\)/);

      // Fill again, then overwrite three keys behind the generator's back.
      await fillKeys(cfg, ledger);
      const f = new ValueFactory(resolveLoadConfig(cfg), `127.0.0.1:${m.port}`);
      const flipped = f.build('ovc:5', 5, ledger.ackedVersion(0, 5));
      flipped[flipped.length >> 1] = (flipped[flipped.length >> 1] as number) ^ 0x20;
      await rawSet(m.port, 'ovc:5', flipped);
      await rawSet(m.port, 'ovc:6', f.build('ovc:7', 7, ledger.ackedVersion(0, 7))); // another key's sound value
      await rawSet(m.port, 'ovc:8', f.build('ovc:8', 8, ledger.ackedVersion(0, 8) - 1)); // an older version
      const bad = await verifyAll(cfg, ledger);
      assert.deepEqual(
        { ...bad, examples: [] },
        { keysWritten: 2000, verified: 1997, lost: 0, corrupt: 3, examples: [] },
      );
      assert.match(bad.examples.join('\n'), /ovc:5: corrupt: checksum mismatch/);
      assert.match(bad.examples.join('\n'), /ovc:6: corrupt: checksum mismatch/);
      assert.match(bad.examples.join('\n'), /ovc:8: corrupt: version \d+, expected/);

      // The load itself notices bad values too (the three keys are read often enough under uniform access).
      const r2 = await runMemcachedLoad(
        { ...cfg, durationS: 1, getRatio: 1, access: { kind: 'uniform' } },
        { ledger, verify: false },
      );
      assert.equal(r2.integrity.corrupt, 3);
      assert.equal(r2.integrity.verified, 0);
    });
  });

  test('fill: true and a fixed rate: about rate x duration ops', async (t) => {
    await withMemcached(t, async (m) => {
      const r = await runMemcachedLoad({
        port: m.port,
        keySpace: 500,
        fill: true,
        durationS: 2,
        mode: { kind: 'rate', opsPerSec: 2000 },
        connectionsPerTarget: 2,
      });
      assert.ok(Math.abs(r.ops - 4000) < 200, `${r.ops} ops at 2000/s for 2 s`);
      assert.equal(r.misses, 0);
      assert.deepEqual(r.integrity, { keysWritten: 500, verified: 500, lost: 0, corrupt: 0 });
      assert.ok(
        r.opsPerSecSeries.every((x) => Math.abs(x - 2000) < 200),
        r.opsPerSecSeries.join(' '),
      );
    });
  });

  test('SERVER_ERROR out of memory (-M) is counted as errors; refused keys are not counted as written', async (t) => {
    await withMemcached(
      t,
      async (m) => {
        const cfg: MemcachedLoadInput = {
          port: m.port,
          keySpace: 2000,
          durationS: 1,
          getRatio: 0.5,
          valueSize: { kind: 'fixed', bytes: 10_000 },
        };
        const ledger = createLedger(cfg);
        const fill = await fillKeys(cfg, ledger);
        assert.ok(fill.errors > 0, 'memcached refused some SETs');
        assert.equal(fill.keysWritten + fill.errors, 2000);
        const r = await runMemcachedLoad(cfg, { ledger });
        assert.ok(r.errors > 0);
        assert.ok(r.ops > 0);
        assert.equal(r.integrity.lost, 0);
        assert.equal(r.integrity.corrupt, 0);
        assert.equal(r.integrity.verified, r.integrity.keysWritten);
      },
      { memoryMb: 2 },
    );
  });

  test('a restarted server: connections come back, the load goes on, the data is reported lost', async (t) => {
    await withMemcached(t, async (m) => {
      const cfg: MemcachedLoadInput = { port: m.port, keySpace: 1000, durationS: 3, fill: true, reconnectWindowS: 5 };
      const restarted = sleep(1000).then(() => m.restart());
      const r = await runMemcachedLoad(cfg);
      await restarted;
      assert.equal(r.durationS, 3);
      assert.ok((r.opsPerSecSeries[2] ?? 0) > 0, `ops after the restart: ${r.opsPerSecSeries.join(' ')}`);
      assert.ok(r.misses > 0);
      assert.ok(r.integrity.lost > 0, 'keys acknowledged before the restart are gone');
    });
  });

  test('a server that does not come back ends the run with a clear error and the partial result', async (t) => {
    await withMemcached(t, async (m) => {
      const cfg: MemcachedLoadInput = { port: m.port, keySpace: 100, durationS: 20, reconnectWindowS: 0.5 };
      const stopped = sleep(500).then(() => m.stop());
      const started = Date.now();
      await assert.rejects(runMemcachedLoad(cfg), (e: unknown) => {
        assert.ok(e instanceof MemcachedLoadError);
        assert.match(
          e.message,
          /lost the connection to memcached at 127\.0\.0\.1:\d+ .* could not reconnect within 0\.5 s/,
        );
        assert.ok(e.partial && e.partial.ops > 0, 'partial result');
        assert.ok(e.partial.durationS > 0.3 && e.partial.durationS < 2, `partial duration ${e.partial.durationS}`);
        return true;
      });
      await stopped;
      assert.ok(Date.now() - started < 5000);
    });
  });

  test('abort stops the run early with what it measured', async (t) => {
    await withMemcached(t, async (m) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 700);
      const started = Date.now();
      const r = await runMemcachedLoad({ port: m.port, keySpace: 100, durationS: 60 }, { signal: ac.signal });
      assert.ok(Date.now() - started < 3000);
      assert.ok(r.durationS > 0.5 && r.durationS < 1.5, `${r.durationS} s`);
      assert.ok(r.ops > 0);
      assert.equal(r.integrity.verified, 0, 'no read-back after an abort');
      await assert.rejects(
        runMemcachedLoad({ port: m.port, keySpace: 100 }, { signal: ac.signal }),
        (e: unknown) => e instanceof Error && e.name === 'AbortError',
      );
    });
  });

  test('several targets: each holds the whole key space; one restarted loses its share', async (t) => {
    await withMemcached(t, async (a) => {
      const b = await LocalMemcached.start();
      try {
        const cfg: MemcachedLoadInput = {
          targets: [
            { host: '127.0.0.1', port: a.port },
            { host: '127.0.0.1', port: b.port },
          ],
          keySpace: 300,
          durationS: 1,
          fill: true,
          connectionsPerTarget: 2,
        };
        const ledger = createLedger(cfg);
        const r = await runMemcachedLoad(cfg, { ledger });
        assert.deepEqual(r.integrity, { keysWritten: 600, verified: 600, lost: 0, corrupt: 0 });
        await b.restart();
        const v = await verifyAll(cfg, ledger);
        assert.equal(v.lost, 300);
        assert.equal(v.verified, 300);
        assert.match(v.examples[0] ?? '', new RegExp(`127\\.0\\.0\\.1:${b.port} `));
      } finally {
        await b.stop();
      }
    });
  });

  test('nothing listening: a clear error at once', async () => {
    const port = await freePort();
    await assert.rejects(runMemcachedLoad({ port, durationS: 1 }), (e: unknown) => {
      assert.ok(e instanceof MemcachedLoadError);
      assert.match(e.message, new RegExp(`cannot connect to memcached at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
      return true;
    });
  });
});
