import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OvercommitError, UsageError } from '../../../../src/errors.js';
import { QmpClient, type QmpConnectOptions, type QmpEvent } from '../../../../src/guest/qmp/client.js';
import {
  QmpClosedError,
  QmpCommandError,
  QmpConnectError,
  QmpProtocolError,
  QmpTimeoutError,
} from '../../../../src/guest/qmp/errors.js';
import {
  GREETING,
  startFakeQmp,
  tempSocketPath,
  type FakeConnection,
  type FakeQmp,
  type FakeQmpOptions,
  type ReceivedCommand,
} from '../../../fakes/qmp-monitor.js';

/** A hang must fail the test, not stall the run. */
const T = { timeout: 5000 };
const FAST: QmpConnectOptions = { connectTimeoutMs: 500, commandTimeoutMs: 500 };

async function server(t: TestContext, options: FakeQmpOptions = {}): Promise<FakeQmp> {
  const s = await startFakeQmp(options);
  t.after(() => s.close());
  return s;
}

async function connected(
  t: TestContext,
  options: FakeQmpOptions = {},
  clientOptions: QmpConnectOptions = FAST,
): Promise<{ qmp: FakeQmp; client: QmpClient; conn: FakeConnection }> {
  const qmp = await server(t, options);
  const client = await QmpClient.connect(qmp.path, clientOptions);
  t.after(() => client.close());
  return { qmp, client, conn: await qmp.firstConnection() };
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const start = performance.now();
  const [result] = await Promise.allSettled([p]);
  return { ms: performance.now() - start, result: result as PromiseSettledResult<T> };
}

function rejection<T>(r: PromiseSettledResult<T>): unknown {
  assert.equal(r.status, 'rejected', 'expected a rejection');
  return r.status === 'rejected' ? r.reason : undefined;
}

describe('QmpClient.connect: handshake', T, () => {
  test('reads the greeting, sends qmp_capabilities first and resolves only after its return', async (t) => {
    const qmp = await server(t, {
      handleCapabilities: true,
      onCommand: (cmd, conn) => {
        if (cmd.execute === 'qmp_capabilities') setTimeout(() => conn.reply(cmd, {}), 100);
      },
    });
    const { ms, result } = await timed(QmpClient.connect(qmp.path, FAST));
    assert.equal(result.status, 'fulfilled');
    const client = result.value;
    t.after(() => client.close());
    assert.ok(ms >= 90, `connect resolved after ${ms} ms, before the capabilities reply`);
    assert.deepEqual(client.greeting, {
      version: { qemu: { major: 9, minor: 2, micro: 0 }, package: 'Debian 1:9.2.0' },
      capabilities: GREETING.QMP.capabilities,
    });
    assert.equal(qmp.received.length, 1);
    assert.equal(qmp.received[0]?.execute, 'qmp_capabilities');
    assert.equal(qmp.received[0]?.arguments, undefined);
    assert.equal(typeof qmp.received[0]?.id, 'number');
    assert.equal(client.closed, false);
  });

  test('a rejected qmp_capabilities -> QmpCommandError and the connection is closed', async (t) => {
    const qmp = await server(t, {
      handleCapabilities: true,
      onCommand: (cmd, conn) => conn.replyError(cmd, 'CommandNotFound', 'Capabilities negotiation is already complete'),
    });
    const err = rejection((await timed(QmpClient.connect(qmp.path, FAST))).result);
    assert.ok(err instanceof QmpCommandError);
    assert.equal(err.command, 'qmp_capabilities');
    assert.equal(err.errorClass, 'CommandNotFound');
    await (
      await qmp.firstConnection()
    ).closed;
  });

  test('no greeting -> QmpTimeoutError (greeting) within commandTimeoutMs, and the connection is closed', async (t) => {
    const qmp = await server(t, { greet: false });
    const { ms, result } = await timed(QmpClient.connect(qmp.path, { connectTimeoutMs: 500, commandTimeoutMs: 150 }));
    const err = rejection(result);
    assert.ok(err instanceof QmpTimeoutError);
    assert.equal(err.kind, 'greeting');
    assert.ok(ms >= 140 && ms < 1000, `gave up after ${ms} ms`);
    assert.equal(qmp.received.length, 0, 'nothing may be sent before the greeting');
    await (
      await qmp.firstConnection()
    ).closed;
  });

  test('the server closing before the greeting -> QmpClosedError', async (t) => {
    const qmp = await server(t, { greet: false });
    void qmp.firstConnection().then((c) => c.destroy());
    const err = rejection((await timed(QmpClient.connect(qmp.path, FAST))).result);
    assert.ok(err instanceof QmpClosedError);
    assert.equal(err.byPeer, true);
  });
});

describe('QmpClient.connect: retries until the socket appears', T, () => {
  test('ENOENT: retries until QEMU creates the socket', async (t) => {
    const { path, cleanup } = await tempSocketPath();
    t.after(cleanup);
    const connecting = timed(
      QmpClient.connect(path, { connectTimeoutMs: 500, commandTimeoutMs: 500, retryIntervalMs: 20 }),
    );
    await sleep(200);
    await server(t, { path });
    const { ms, result } = await connecting;
    assert.equal(result.status, 'fulfilled', String(result.status === 'rejected' ? result.reason : ''));
    if (result.status === 'fulfilled') result.value.close();
    assert.ok(ms >= 190, `connected after ${ms} ms, before the socket existed`);
  });

  test('ECONNREFUSED (a stale file where the socket will be): retries too', async (t) => {
    const { path, cleanup } = await tempSocketPath();
    t.after(cleanup);
    await writeFile(path, 'stale');
    const connecting = timed(
      QmpClient.connect(path, { connectTimeoutMs: 500, commandTimeoutMs: 500, retryIntervalMs: 20 }),
    );
    await sleep(150);
    await rm(path);
    await server(t, { path });
    const { ms, result } = await connecting;
    assert.equal(result.status, 'fulfilled', String(result.status === 'rejected' ? result.reason : ''));
    if (result.status === 'fulfilled') result.value.close();
    assert.ok(ms >= 140, `connected after ${ms} ms`);
  });

  test('gives up with QmpConnectError after connectTimeoutMs', async (t) => {
    const { path, cleanup } = await tempSocketPath();
    t.after(cleanup);
    const { ms, result } = await timed(QmpClient.connect(path, { connectTimeoutMs: 200, retryIntervalMs: 20 }));
    const err = rejection(result);
    assert.ok(err instanceof QmpConnectError);
    assert.match(err.message, /ENOENT/);
    assert.ok(ms >= 190 && ms < 1000, `gave up after ${ms} ms`);
  });

  test('an error that will not go away (ENOTDIR) fails at once', async (t) => {
    const { path, cleanup } = await tempSocketPath();
    t.after(cleanup);
    await writeFile(path, 'a file, not a directory');
    const { ms, result } = await timed(QmpClient.connect(join(path, 'qmp.sock'), { connectTimeoutMs: 2000 }));
    assert.ok(rejection(result) instanceof QmpConnectError);
    assert.ok(ms < 500, `took ${ms} ms`);
  });
});

describe('QmpClient.execute', T, () => {
  test('replies are matched by id, not by order; interleaved events reach subscribers', async (t) => {
    let held: ReceivedCommand | undefined;
    const { client, qmp } = await connected(t, {
      onCommand: (cmd, conn) => {
        if (cmd.execute === 'query-status') {
          held = cmd; // answered after the second command
          return;
        }
        conn.event('BALLOON_CHANGE', { actual: 1 });
        conn.reply(cmd, { actual: 2048 });
        conn.event('RESUME');
        conn.event('BALLOON_CHANGE', { actual: 2 });
        if (held) conn.reply(held, { status: 'running', running: true });
      },
    });
    const balloon: number[] = [];
    const all: string[] = [];
    client.on('BALLOON_CHANGE', (e) => balloon.push(e.data.actual as number));
    const offAll = client.on('*', (e) => all.push(e.event));
    const [first, second] = await Promise.all([
      client.execute('query-status'),
      client.execute('query-balloon', undefined, { timeoutMs: 300 }),
    ]);
    assert.deepEqual(first, { status: 'running', running: true });
    assert.deepEqual(second, { actual: 2048 });
    assert.deepEqual(balloon, [1, 2]);
    assert.deepEqual(all, ['BALLOON_CHANGE', 'RESUME', 'BALLOON_CHANGE']);
    const ids = qmp.received.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, `ids must be unique: ${JSON.stringify(ids)}`);

    offAll();
    await client.execute('query-balloon');
    assert.deepEqual(all, ['BALLOON_CHANGE', 'RESUME', 'BALLOON_CHANGE'], 'no delivery after unsubscribing');
    assert.deepEqual(balloon, [1, 2, 1, 2]);
  });

  test('an error reply -> QmpCommandError with QEMU class and desc; the client carries on', async (t) => {
    const { client } = await connected(t, {
      onCommand: (cmd, conn) => {
        if (cmd.execute === 'balloon') conn.replyError(cmd, 'DeviceNotActive', 'No balloon device has been activated');
        else conn.reply(cmd, { status: 'running', running: true });
      },
    });
    const err = rejection((await timed(client.execute('balloon', { value: 1 }))).result);
    assert.ok(err instanceof QmpCommandError);
    assert.ok(err instanceof OvercommitError);
    assert.equal(err.command, 'balloon');
    assert.equal(err.errorClass, 'DeviceNotActive');
    assert.equal(err.desc, 'No balloon device has been activated');
    assert.match(err.message, /balloon.*No balloon device has been activated/);
    assert.match(err.hint, /driver/);
    assert.deepEqual(await client.queryStatus(), { status: 'running', running: true });
  });

  test('a malformed line is recorded as a QmpProtocolError and survived', async (t) => {
    const { client } = await connected(t, {
      onCommand: (cmd, conn) => {
        conn.sendRaw('{"return": oops\r\n');
        conn.sendRaw('[1, 2]\n');
        conn.sendRaw('\r\n');
        conn.reply(cmd, cmd.execute);
      },
    });
    const seen: QmpProtocolError[] = [];
    client.onProtocolError((e) => seen.push(e));
    assert.equal(await client.execute('first'), 'first');
    assert.equal(client.closed, false);
    assert.equal(seen.length, 2);
    assert.ok(seen.every((e) => e instanceof QmpProtocolError));
    assert.match(seen[0]?.message ?? '', /not JSON.*oops/);
    assert.match(seen[1]?.message ?? '', /array/);
    assert.deepEqual(client.protocolErrors, seen);
    assert.equal(await client.execute('second'), 'second');
    assert.equal(client.protocolErrors.length, 4);
  });

  test('a reply without an id is a protocol error and settles nothing', async (t) => {
    const { client } = await connected(t, {
      onCommand: (cmd, conn) => {
        conn.send({ return: 'anonymous' });
        conn.reply(cmd, 'mine');
      },
    });
    assert.equal(await client.execute('query-status'), 'mine');
    assert.equal(client.protocolErrors.length, 1);
    assert.match(client.protocolErrors[0]?.message ?? '', /without an id/);
  });

  test('a line over maxLineBytes -> QmpProtocolError for every pending command, the connection closed', async (t) => {
    const { client, conn } = await connected(
      t,
      {
        onCommand: (cmd, c) => {
          if (cmd.execute === 'query-balloon') c.sendRaw(`{"return": "${'x'.repeat(2000)}`); // no newline yet
        },
      },
      { ...FAST, maxLineBytes: 1024 },
    );
    const seen: QmpProtocolError[] = [];
    client.onProtocolError((e) => seen.push(e));
    const pending = Promise.allSettled([client.execute('query-status'), client.execute('query-balloon')]);
    const waiting = client.waitForEvent('SHUTDOWN').catch((e: unknown) => e);
    const results = await pending;
    for (const r of results) {
      const err = rejection(r);
      assert.ok(err instanceof QmpProtocolError, String(err));
      assert.match(err.message, /longer than 1024 bytes/);
    }
    assert.ok((await waiting) instanceof QmpProtocolError);
    assert.equal(seen.length, 1);
    assert.equal(client.closed, true);
    await conn.closed; // the client hung up
    const later = rejection((await timed(client.execute('query-status'))).result);
    assert.ok(later instanceof QmpClosedError);
    assert.match(later.message, /protocol error/);
  });

  test('a line just under maxLineBytes is fine', async (t) => {
    const big = 'y'.repeat(900);
    const { client } = await connected(
      t,
      { onCommand: (cmd, c) => c.reply(cmd, big) },
      { ...FAST, maxLineBytes: 1024 },
    );
    assert.equal(await client.execute('x'), big);
  });

  test('no reply -> QmpTimeoutError naming the command, in time; a late reply is ignored', async (t) => {
    let silent: ReceivedCommand | undefined;
    const { client } = await connected(t, {
      onCommand: (cmd, conn) => {
        if (cmd.execute === 'query-status') {
          silent = cmd;
          return;
        }
        if (silent) conn.reply(silent, 'late'); // arrives after the timeout, before the real reply
        conn.reply(cmd, { actual: 7 });
      },
    });
    const { ms, result } = await timed(client.execute('query-status', undefined, { timeoutMs: 150 }));
    const err = rejection(result);
    assert.ok(err instanceof QmpTimeoutError);
    assert.equal(err.kind, 'command');
    assert.equal(err.waitedFor, 'query-status');
    assert.match(err.message, /query-status.*150 ms/);
    assert.ok(ms >= 140 && ms < 1000, `timed out after ${ms} ms`);
    assert.equal(client.pendingCommands, 0, 'the timed-out command is forgotten');
    assert.deepEqual(await client.queryBalloon(), { actual: 7 });
    assert.equal(client.protocolErrors.length, 0);
    assert.equal(client.closed, false);
  });

  test('the default timeout is commandTimeoutMs', async (t) => {
    const { client } = await connected(t, {}, { connectTimeoutMs: 500, commandTimeoutMs: 200 });
    // The fake answers nothing but qmp_capabilities here.
    const { ms, result } = await timed(client.execute('query-status'));
    assert.ok(rejection(result) instanceof QmpTimeoutError);
    assert.ok(ms >= 190 && ms < 1000, `timed out after ${ms} ms`);
  });

  test('timeoutMs 0: no timer, the command waits past commandTimeoutMs for its reply; close() still ends it', async (t) => {
    let first = true;
    const { client } = await connected(
      t,
      {
        onCommand: (cmd, conn) => {
          if (cmd.execute !== 'query-balloon') return;
          if (first) setTimeout(() => conn.reply(cmd, { actual: 9 }), 300); // past the 100 ms default
          first = false;
        },
      },
      { connectTimeoutMs: 500, commandTimeoutMs: 100 },
    );
    const { ms, result } = await timed(client.queryBalloon({ timeoutMs: 0 }));
    assert.equal(result.status, 'fulfilled', String(result.status === 'rejected' ? result.reason : ''));
    assert.deepEqual(result.value, { actual: 9 });
    assert.ok(ms >= 290, `resolved after ${ms} ms`);
    const silent = client.queryBalloon({ timeoutMs: 0 }); // never answered
    await sleep(150);
    assert.equal(client.pendingCommands, 1, 'still waiting, no timer gave up on it');
    client.close();
    assert.ok(rejection((await timed(silent)).result) instanceof QmpClosedError);
  });

  test('abort(error): pending commands reject with that error, later ones with QmpClosedError', async (t) => {
    const { client, conn } = await connected(t, {});
    const pending = client.execute('query-status');
    const waiting = client.waitForEvent('SHUTDOWN').catch((e: unknown) => e);
    const why = new Error('the reply made no sense');
    client.abort(why);
    assert.equal(rejection((await timed(pending)).result), why);
    assert.equal(await waiting, why);
    assert.equal(client.closed, true);
    await conn.closed;
    const later = rejection((await timed(client.execute('query-status'))).result);
    assert.ok(later instanceof QmpClosedError);
    assert.match(later.message, /the reply made no sense/);
  });

  test('the server closing the socket -> QmpClosedError for pending and for later commands', async (t) => {
    const { client, conn } = await connected(t, {});
    const pending = Promise.allSettled([client.execute('query-status'), client.execute('query-balloon')]);
    const waiting = client.waitForEvent('SHUTDOWN').catch((e: unknown) => e);
    await sleep(20);
    conn.destroy();
    for (const r of await pending) {
      const err = rejection(r);
      assert.ok(err instanceof QmpClosedError, String(err));
      assert.equal(err.byPeer, true);
    }
    assert.ok((await waiting) instanceof QmpClosedError);
    assert.equal(client.closed, true);
    assert.equal(client.pendingCommands, 0);
    const { ms, result } = await timed(client.execute('query-status'));
    assert.ok(rejection(result) instanceof QmpClosedError);
    assert.ok(ms < 50, `a closed client must reject at once, took ${ms} ms`);
    assert.ok(rejection((await timed(client.waitForEvent('X'))).result) instanceof QmpClosedError);
  });

  test('close(): pending commands reject with QmpClosedError (not by peer); idempotent', async (t) => {
    const { client, conn } = await connected(t, {});
    const pending = client.execute('query-status');
    client.close();
    client.close();
    const err = rejection((await timed(pending)).result);
    assert.ok(err instanceof QmpClosedError);
    assert.equal(err.byPeer, false);
    await conn.closed;
    assert.ok(rejection((await timed(client.queryStatus())).result) instanceof QmpClosedError);
  });

  test('a reply cut mid-UTF-8 character across two writes', async (t) => {
    const { client } = await connected(t, {
      onCommand: (cmd, conn) => {
        const bytes = Buffer.from(`${JSON.stringify({ return: 'Grüße 🎈', id: cmd.id })}\r\n`);
        const cut = bytes.indexOf(0x9f); // inside the emoji
        conn.sendRaw(bytes.subarray(0, cut));
        setTimeout(() => conn.sendRaw(bytes.subarray(cut)), 20);
      },
    });
    assert.equal(await client.execute('x'), 'Grüße 🎈');
  });

  test('clients share one read buffer: a line left unfinished on one survives reads on the other', async (t) => {
    // Each client's first half arrives, then the other's whole reply (read into the same buffer), then the rest.
    const halves: Array<{ conn: FakeConnection; rest: Buffer }> = [];
    const sendHalf = (cmd: ReceivedCommand, conn: FakeConnection, text: string) => {
      const bytes = Buffer.from(`${JSON.stringify({ return: text, id: cmd.id })}\r\n`);
      conn.sendRaw(bytes.subarray(0, 20));
      halves.push({ conn, rest: bytes.subarray(20) });
    };
    const a = await connected(t, { onCommand: (cmd, conn) => sendHalf(cmd, conn, 'a'.repeat(3000)) });
    const b = await connected(t, { onCommand: (cmd, conn) => sendHalf(cmd, conn, 'b'.repeat(3000)) });
    const ra = a.client.execute('x');
    const rb = b.client.execute('x');
    while (halves.length < 2) await sleep(5);
    await sleep(20); // both first halves read
    halves[1]!.conn.sendRaw(halves[1]!.rest);
    assert.equal(await (halves[1]!.conn === b.conn ? rb : ra), (halves[1]!.conn === b.conn ? 'b' : 'a').repeat(3000));
    halves[0]!.conn.sendRaw(halves[0]!.rest);
    assert.deepEqual(await Promise.all([ra, rb]), ['a'.repeat(3000), 'b'.repeat(3000)]);
  });
});

describe('QmpClient events', T, () => {
  const balloonEvents: FakeQmpOptions = {
    onCommand: (cmd, conn) => {
      conn.reply(cmd, {});
      const target = cmd.arguments?.value as number;
      setTimeout(() => conn.event('BALLOON_CHANGE', { actual: target + 100 }), 10);
      setTimeout(() => conn.event('BALLOON_CHANGE', { actual: target }), 50);
    },
  };

  test('waitForEvent resolves with the first event the predicate accepts', async (t) => {
    const { client } = await connected(t, balloonEvents);
    const reached = client.waitForEvent('BALLOON_CHANGE', (e) => e.data.actual === 512, 400);
    await client.balloon(512);
    const e = await reached;
    assert.deepEqual(e, {
      event: 'BALLOON_CHANGE',
      data: { actual: 512 },
      timestamp: { seconds: 1700000000, microseconds: 42 },
    });
  });

  test('waitForEvent without a predicate takes the next event of that name', async (t) => {
    const { client } = await connected(t, balloonEvents);
    const next = client.waitForEvent('BALLOON_CHANGE');
    await client.balloon(512);
    assert.equal((await next).data.actual, 612);
  });

  test('waitForEvent times out with QmpTimeoutError naming the event', async (t) => {
    const { client } = await connected(t, balloonEvents);
    const waiting = timed(client.waitForEvent('BALLOON_CHANGE', (e) => e.data.actual === 1, 150));
    await client.balloon(512);
    const { ms, result } = await waiting;
    const err = rejection(result);
    assert.ok(err instanceof QmpTimeoutError);
    assert.equal(err.kind, 'event');
    assert.equal(err.waitedFor, 'BALLOON_CHANGE');
    assert.ok(ms >= 140 && ms < 1000, `timed out after ${ms} ms`);
  });

  test('a predicate that throws rejects the wait; a handler that throws disturbs nobody', async (t) => {
    const { client } = await connected(t, balloonEvents);
    const got: QmpEvent[] = [];
    client.on('BALLOON_CHANGE', () => {
      throw new Error('subscriber bug');
    });
    client.on('BALLOON_CHANGE', (e) => got.push(e));
    const waiting = client.waitForEvent('BALLOON_CHANGE', () => {
      throw new Error('predicate bug');
    });
    await client.balloon(512);
    await assert.rejects(waiting, /predicate bug/);
    await client.waitForEvent('BALLOON_CHANGE', (e) => e.data.actual === 512, 400);
    assert.deepEqual(
      got.map((e) => e.data.actual),
      [612, 512],
    );
    assert.equal(client.closed, false);
  });
});

describe('QmpClient typed helpers', T, () => {
  const stats = {
    stats: {
      'stat-swap-in': 1,
      'stat-swap-out': 2,
      'stat-major-faults': 3,
      'stat-minor-faults': 4,
      'stat-free-memory': 5,
      'stat-total-memory': 6,
      'stat-available-memory': 7,
      'stat-disk-caches': 8,
      'stat-htlb-pgalloc': -1,
      'stat-htlb-pgfail': -1,
    },
    'last-update': 1700000001,
  };
  const answers: Record<string, unknown> = {
    'query-status': { status: 'paused', singlestep: false, running: false },
    'query-balloon': { actual: 1073741824 },
    balloon: {},
    'qom-set': {},
    system_powerdown: {},
  };
  const helpers: FakeQmpOptions = {
    onCommand: (cmd, conn) => {
      if (cmd.execute === 'qom-get') {
        conn.reply(cmd, cmd.arguments?.property === 'guest-stats' ? stats : 'value');
      } else if (cmd.execute in answers) {
        conn.reply(cmd, answers[cmd.execute]);
      } else {
        conn.replyError(cmd, 'CommandNotFound', `The command ${cmd.execute} has not been found`);
      }
    },
  };
  const sent = (q: FakeQmp) => q.received.slice(1).map((c) => ({ execute: c.execute, arguments: c.arguments }));

  test('each helper sends the right command and parses its reply', async (t) => {
    const { client, qmp } = await connected(t, helpers);
    assert.deepEqual(await client.queryStatus(), { status: 'paused', running: false });
    await client.balloon(536870912);
    assert.deepEqual(await client.queryBalloon(), { actual: 1073741824 });
    assert.equal(await client.qomGet('/machine', 'type'), 'value');
    await client.qomSet('/machine/peripheral/balloon0', 'guest-stats-polling-interval', 2);
    await client.enableGuestStatsPolling(1);
    await client.enableGuestStatsPolling(5, '/machine/peripheral/b1');
    const g = await client.guestStats();
    assert.equal(g.lastUpdate, 1700000001);
    assert.equal(g.stats.availableMemory, 7);
    assert.equal(g.stats.hugetlbFailures, undefined);
    await client.systemPowerdown();
    const balloon0 = '/machine/peripheral/balloon0';
    assert.deepEqual(sent(qmp), [
      { execute: 'query-status', arguments: undefined },
      { execute: 'balloon', arguments: { value: 536870912 } },
      { execute: 'query-balloon', arguments: undefined },
      { execute: 'qom-get', arguments: { path: '/machine', property: 'type' } },
      { execute: 'qom-set', arguments: { path: balloon0, property: 'guest-stats-polling-interval', value: 2 } },
      { execute: 'qom-set', arguments: { path: balloon0, property: 'guest-stats-polling-interval', value: 1 } },
      {
        execute: 'qom-set',
        arguments: { path: '/machine/peripheral/b1', property: 'guest-stats-polling-interval', value: 5 },
      },
      { execute: 'qom-get', arguments: { path: balloon0, property: 'guest-stats' } },
      { execute: 'system_powerdown', arguments: undefined },
    ]);
  });

  test('bad arguments are refused before anything is sent', async (t) => {
    const { client, qmp } = await connected(t, helpers);
    for (const bytes of [0, -1, 1.5, Number.NaN]) await assert.rejects(client.balloon(bytes), UsageError);
    await assert.rejects(client.enableGuestStatsPolling(-1), UsageError);
    assert.equal(qmp.received.length, 1, 'only qmp_capabilities');
  });

  test('a reply of the wrong shape is a QmpProtocolError', async (t) => {
    const { client } = await connected(t, { onCommand: (cmd, conn) => conn.reply(cmd, { something: 'else' }) });
    await assert.rejects(client.queryStatus(), QmpProtocolError);
    await assert.rejects(client.queryBalloon(), QmpProtocolError);
    await assert.rejects(client.guestStats(), QmpProtocolError);
  });

  test('quit resolves when QEMU acknowledges and hangs up, or hangs up first', async (t) => {
    const polite = await connected(t, {
      onCommand: (cmd, conn) => {
        conn.reply(cmd, {});
        conn.event('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
        conn.destroy();
      },
    });
    await polite.client.quit();
    await polite.conn.closed;
    const abrupt = await connected(t, { onCommand: (_cmd, conn) => conn.destroy() });
    await abrupt.client.quit();
    assert.equal(abrupt.client.closed, true);
  });

  test('quit on a client closed by us still rejects', async (t) => {
    const { client } = await connected(t, {});
    client.close();
    await assert.rejects(client.quit(), QmpClosedError);
  });
});
