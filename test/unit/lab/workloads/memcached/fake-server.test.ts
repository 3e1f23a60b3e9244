/**
 * Against small in-process fake servers (no memcached needed): hung servers, garbage replies, refused SETs.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import {
  MemcachedLoadError,
  createLedger,
  fillKeys,
  runMemcachedLoad,
  verifyAll,
  type MemcachedLoadInput,
} from '../../../../../src/lab/workloads/memcached/index.js';

const sockets = new Set<Socket>();

/** Serves the text protocol with `answer` deciding each reply; reads SET data by its byte count. */
async function fakeServer(
  answer: (line: string, socket: Socket) => string | undefined,
): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    let skip = 0;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buf.length);
          buf = buf.subarray(n);
          skip -= n;
          if (skip > 0) return;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.toString('latin1', 0, nl);
        buf = buf.subarray(nl + 2);
        const m = /^set \S+ \d+ \d+ (\d+)/.exec(line);
        if (m) skip = Number(m[1]) + 2;
        const reply = answer(line, socket);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  assert.ok(a && typeof a === 'object');
  return { port: a.port, server };
}

async function closeServer(server: Server): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
}

describe('memcached load against fake servers', () => {
  test('a server that never answers fails the fill after replyTimeoutS', async () => {
    const { port, server } = await fakeServer(() => undefined);
    try {
      const cfg: MemcachedLoadInput = { port, keySpace: 10, replyTimeoutS: 1 };
      const started = Date.now();
      await assert.rejects(fillKeys(cfg, createLedger(cfg)), (e: unknown) => {
        assert.ok(e instanceof MemcachedLoadError);
        assert.match(e.message, /left \d+ request\(s\) unanswered for \d+ s/);
        return true;
      });
      assert.ok(Date.now() - started < 4000);
      // The measured phase is bounded by its duration even so.
      const r = await runMemcachedLoad({ port, keySpace: 10, durationS: 1, drainTimeoutMs: 200 });
      assert.equal(r.ops, 0);
      assert.equal(r.durationS, 1);
    } finally {
      await closeServer(server);
    }
  });

  test('garbage in a reply drops the connection; with no reconnect window the run ends with the reason', async () => {
    const { port, server } = await fakeServer((line) => (line.startsWith('get') ? 'HELLO THERE\r\n' : 'STORED\r\n'));
    try {
      await assert.rejects(
        runMemcachedLoad({ port, keySpace: 10, durationS: 5, reconnectWindowS: 0, getRatio: 1 }),
        (e: unknown) => {
          assert.ok(e instanceof MemcachedLoadError);
          assert.match(
            e.message,
            /lost the connection to memcached at 127\.0\.0\.1:\d+ \(bad reply: unexpected reply line "HELLO THERE"\)/,
          );
          return true;
        },
      );
    } finally {
      await closeServer(server);
    }
  });

  test('SETs refused with SERVER_ERROR are errors; GETs answered END are misses, not losses', async () => {
    const { port, server } = await fakeServer((line) =>
      line.startsWith('set') ? 'SERVER_ERROR out of memory storing object\r\n' : 'END\r\n',
    );
    try {
      const cfg: MemcachedLoadInput = { port, keySpace: 50, durationS: 1, getRatio: 0.5 };
      const ledger = createLedger(cfg);
      const fill = await fillKeys(cfg, ledger);
      assert.deepEqual({ ...fill, durationS: 0 }, { keysWritten: 0, bytesWritten: 0, errors: 50, durationS: 0 });
      const r = await runMemcachedLoad(cfg, { ledger });
      assert.ok(r.errors > 0 && r.gets > 0);
      assert.equal(r.sets, 0);
      assert.equal(r.hits, 0);
      assert.deepEqual(r.integrity, { keysWritten: 0, verified: 0, lost: 0, corrupt: 0 });
    } finally {
      await closeServer(server);
    }
  });

  test('a server that forgets everything it acknowledged: every read-back is a loss', async () => {
    const { port, server } = await fakeServer((line) => (line.startsWith('set') ? 'STORED\r\n' : 'END\r\n'));
    try {
      const cfg: MemcachedLoadInput = { port, keySpace: 250, verifyBatchKeys: 7 };
      const ledger = createLedger(cfg);
      assert.equal((await fillKeys(cfg, ledger)).keysWritten, 250);
      const v = await verifyAll(cfg, ledger);
      assert.deepEqual(
        { ...v, examples: v.examples.length },
        { keysWritten: 250, verified: 0, lost: 250, corrupt: 0, examples: 10 },
      );
    } finally {
      await closeServer(server);
    }
  });
});
