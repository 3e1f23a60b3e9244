import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpClosedError, QmpProtocolError } from '../../../../src/guest/qmp/errors.js';
import { GuestGoneError, classifyFailure } from '../../../../src/guest/managed/errors.js';
import {
  QmpSocketSource,
  UnreachableGuest,
  type QmpSocketSourceOptions,
} from '../../../../src/guest/managed/qmp-sockets.js';
import type { ManagedGuest } from '../../../../src/guest/managed/source.js';
import { startFakeGuest, type FakeGuest, type FakeGuestOptions } from '../../../fakes/qmp-guest.js';

const T = { timeout: 10_000 };
const MiB = 1024 * 1024;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qmp-sockets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fake(t: TestContext, options: FakeGuestOptions): Promise<FakeGuest> {
  const g = await startFakeGuest(options);
  t.after(() => g.close());
  return g;
}

function source(t: TestContext, options: QmpSocketSourceOptions): QmpSocketSource {
  const s = new QmpSocketSource({ timeoutMs: 300, proc: false, ...options });
  t.after(() => s.close());
  return s;
}

function only(guests: ManagedGuest[]): ManagedGuest {
  assert.equal(guests.length, 1, `expected one guest, got ${guests.map((g) => g.name).join(', ')}`);
  return guests[0] as ManagedGuest;
}

async function until(what: string, fn: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('QmpSocketSource', T, () => {
  test('a listed socket: name from query-name, memory, balloon that follows its target, stats', async (t) => {
    const dir = await tempDir(t);
    const f = await fake(t, { name: 'web1', path: join(dir, 'x.qmp'), memoryBytes: 512 * MiB });
    const s = source(t, { sockets: [f.path] });
    const g = only(await s.list());
    assert.equal(g.name, 'web1');
    assert.equal(g.source, 'qmp');
    assert.equal(g.pid, undefined, 'the fake is no QEMU process');
    assert.equal(await g.memoryBytes(), 512 * MiB);
    assert.equal(await g.balloonActual(), 512 * MiB);
    assert.equal(await g.stats(), undefined, 'polling is off and nobody asked to turn it on');
    assert.equal(f.statsPollingInterval, 0);
    await g.setBalloon(300 * MiB);
    await until('actual to follow the target', async () => (await g.balloonActual()) === 300 * MiB);
  });

  test('statsPeriodSeconds turns polling on where it is off, and then stats arrive', async (t) => {
    const f = await fake(t, { name: 'web1' });
    const s = source(t, { sockets: [f.path], statsPeriodSeconds: 2 });
    const g = only(await s.list());
    assert.equal(f.statsPollingInterval, 2);
    const st = await g.stats();
    assert.ok(st && st.lastUpdate > 0);
    assert.equal(st.stats.totalMemory, 256 * MiB - 40 * MiB);
  });

  test('fetchPoll asks once a period; cachedPoll then answers without a call and follows BALLOON_CHANGE', async (t) => {
    const f = await fake(t, { name: 'web1', balloonDelayMs: 10 });
    const s = source(t, { sockets: [f.path], statsPeriodSeconds: 2 });
    const g = only(await s.list());
    assert.ok(typeof g.cachedPoll === 'function' && typeof g.fetchPoll === 'function');
    assert.equal(g.cachedPoll(), undefined, 'nothing at hand before the first poll');
    const first = await g.fetchPoll();
    assert.equal(first.memoryBytes, 256 * MiB);
    assert.equal(first.balloonActualBytes, 256 * MiB);
    assert.ok(first.stats && first.stats.lastUpdate > 0);
    const asked = f.commands.length;
    assert.deepEqual(g.cachedPoll(), first);
    assert.deepEqual(await g.fetchPoll(), first, 'within the period: no call');
    assert.equal(f.commands.length, asked);
    await g.setBalloon(200 * MiB);
    await until('the BALLOON_CHANGE event', () => Promise.resolve(g.cachedPoll?.()?.balloonActualBytes === 200 * MiB));
    assert.equal(f.commands.length, asked + 1, 'only the balloon command: the size came as an event');
  });

  test('an idle guest (statsMaxAgeMs) keeps its statistics past its period: no call until they are that old', async (t) => {
    const f = await fake(t, { name: 'idle' });
    const s = source(t, { sockets: [f.path], statsPeriodSeconds: 1 });
    const g = only(await s.list());
    assert.ok(typeof g.cachedPoll === 'function' && typeof g.fetchPoll === 'function');
    const first = await g.fetchPoll();
    const asked = f.commands.length;
    await sleep(800); // past the 1 s period, less its 250 ms of slack
    assert.equal(g.cachedPoll(), undefined, 'a guest read every period is due');
    assert.deepEqual(g.cachedPoll(6000), first, 'an idle one is not');
    assert.deepEqual(await g.fetchPoll(6000), first);
    assert.equal(f.commands.length, asked, 'no call');
    await g.fetchPoll();
    assert.equal(f.commands.at(-1), 'qom-get', 'read again once asked at its period');
  });

  test('fetchPoll arms no timer: a hung monitor keeps its one command until the connection closes', async (t) => {
    const f = await fake(t, { name: 'stuck' });
    const s = source(t, { sockets: [f.path], statsPeriodSeconds: 2, timeoutMs: 100 });
    const g = only(await s.list());
    f.mode = 'hang';
    const asked = f.commands.length;
    const poll = g.fetchPoll?.().then(
      () => 'answered',
      (e: unknown) => e,
    );
    await sleep(400); // four times the per-call timeout
    assert.equal(await Promise.race([poll, sleep(0).then(() => 'pending')]), 'pending');
    assert.equal(f.commands.length, asked + 2, 'query-balloon and qom-get sent once, not again');
    s.close();
    assert.ok((await poll) instanceof QmpClosedError);
  });

  test('a polling interval already set is left alone', async (t) => {
    const f = await fake(t, { name: 'web1', statsPollingInterval: 10 });
    const s = source(t, { sockets: [f.path], statsPeriodSeconds: 2 });
    await s.list();
    assert.equal(f.statsPollingInterval, 10);
    assert.ok(!f.commands.includes('qom-set'));
  });

  test('a balloon without an id is found through qom-list', async (t) => {
    const f = await fake(t, { name: 'anon', balloonId: null, statsPollingInterval: 1 });
    const g = only(await source(t, { sockets: [f.path] }).list());
    assert.ok(await g.stats());
    assert.ok(f.commands.includes('qom-list'));
  });

  test('globs: only sockets; new sockets join, removed ones leave; connections are kept between lists', async (t) => {
    const dir = await tempDir(t);
    const a = await fake(t, { name: 'a', path: join(dir, 'a.qmp') });
    const b = await fake(t, { name: 'b', path: join(dir, 'b.qmp') });
    await writeFile(join(dir, 'c.qmp'), 'not a socket');
    const s = source(t, { sockets: [join(dir, '*.qmp')] });
    const first = await s.list();
    assert.deepEqual(
      first.map((g) => g.name),
      ['a', 'b'],
    );
    const c = await fake(t, { name: 'c2', path: join(dir, 'c2.qmp') });
    const second = await s.list();
    assert.deepEqual(
      second.map((g) => g.name),
      ['a', 'b', 'c2'],
    );
    assert.equal(second[0], first[0], 'the same guest object');
    assert.equal(await s.list(), second, 'nothing changed in the directory: the same listing, not a new one');
    assert.equal(a.connectionCount, 1, 'one connection, kept');
    await b.close();
    assert.deepEqual(
      (await s.list()).map((g) => g.name),
      ['a', 'c2'],
    );
    assert.equal(c.connectionCount, 1);
  });

  test('no -name: the socket file names the guest; a repeated name gets its socket path', async (t) => {
    const dir = await tempDir(t);
    await fake(t, { name: null, path: join(dir, 'db.qmp') });
    await fake(t, { name: 'db', path: join(dir, 'other.qmp') });
    const names = (await source(t, { sockets: [join(dir, '*.qmp')] }).list()).map((g) => g.name);
    assert.deepEqual(names, ['db', `db@${join(dir, 'other.qmp')}`]);
  });

  test('a listed socket that is missing: listed as gone, with the reason', async (t) => {
    const dir = await tempDir(t);
    const g = only(await source(t, { sockets: [join(dir, 'vm9.qmp')] }).list());
    assert.ok(g instanceof UnreachableGuest);
    assert.equal(g.name, 'vm9');
    const e = await g.balloonActual().catch((x: unknown) => x);
    assert.ok(e instanceof GuestGoneError);
    assert.match(e.message, /vm9\.qmp is missing \(ENOENT\)/);
    assert.equal(classifyFailure(e), 'gone');
  });

  test('a listed path that is not a socket: an error guest that says so', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'plain.qmp'), 'x');
    const g = only(await source(t, { sockets: [join(dir, 'plain.qmp')] }).list());
    assert.ok(g instanceof UnreachableGuest);
    assert.match(g.error.message, /is not a unix socket/);
    assert.equal(classifyFailure(g.error), 'error');
  });

  test('a socket that never greets: listed within the timeout, and not tried again before retryMs', async (t) => {
    const f = await fake(t, { name: 'stuck', mode: 'hang' });
    let now = 1_000_000;
    const s = source(t, { sockets: [f.path], timeoutMs: 200, retryMs: 5000, now: () => now });
    const start = performance.now();
    const g = only(await s.list());
    const ms = performance.now() - start;
    assert.ok(ms < 200 + 150, `list took ${ms.toFixed(0)} ms`);
    assert.ok(g instanceof UnreachableGuest);
    assert.equal(g.name, 'stuck', 'named after its socket');
    assert.equal(classifyFailure(g.error), 'timeout');
    assert.equal(only(await s.list()), g, 'kept as it is before retryMs');
    now += 5000;
    f.mode = 'ok';
    const h = only(await s.list());
    assert.notEqual(h, g);
    assert.ok(!(h instanceof UnreachableGuest), 'reopened once retryMs passed');
    assert.equal(h.name, 'stuck');
  });

  test('an HMP monitor (garbage instead of a greeting) is unreachable with a timeout', async (t) => {
    const f = await fake(t, { name: 'hmp', mode: 'garbage-greeting' });
    const g = only(await source(t, { sockets: [f.path], timeoutMs: 200 }).list());
    assert.ok(g instanceof UnreachableGuest);
    assert.equal(classifyFailure(g.error), 'timeout');
  });

  test('garbage in answer to commands: every call in flight fails at once; the next list reconnects', async (t) => {
    const f = await fake(t, { name: 'junk' });
    const s = source(t, { sockets: [f.path], timeoutMs: 2000 });
    const g = only(await s.list());
    f.mode = 'garbage';
    const start = performance.now();
    const [a, b] = await Promise.allSettled([g.balloonActual(), g.stats()]);
    assert.ok(performance.now() - start < 500, 'not left to the 2 s timeout');
    assert.ok(a.status === 'rejected' && a.reason instanceof QmpProtocolError);
    assert.ok(b.status === 'rejected' && b.reason instanceof QmpProtocolError);
    assert.equal(classifyFailure(a.reason), 'error');
    await assert.rejects(g.balloonActual(), QmpProtocolError, 'the connection stays failed');
    f.mode = 'ok';
    const h = only(await s.list());
    assert.notEqual(h, g);
    assert.equal(await h.balloonActual(), 256 * MiB);
    assert.equal(f.connectionCount, 2);
  });

  test('QEMU exits: calls fail as gone; the socket is gone from the next list', async (t) => {
    const dir = await tempDir(t);
    const f = await fake(t, { name: 'bye', path: join(dir, 'bye.qmp') });
    const s = source(t, { sockets: [join(dir, '*.qmp')] });
    const g = only(await s.list());
    await f.close();
    const e = await g.balloonActual().catch((x: unknown) => x);
    assert.ok(e instanceof QmpClosedError);
    assert.equal(classifyFailure(e), 'gone');
    assert.deepEqual(await s.list(), []);
  });

  test('concurrent lists share one listing; close() closes the connections', async (t) => {
    const f = await fake(t, { name: 'one' });
    const s = source(t, { sockets: [f.path] });
    const [x, y] = await Promise.all([s.list(), s.list()]);
    assert.equal(x, y);
    assert.equal(f.connectionCount, 1);
    s.close();
    await assert.rejects(only(x).balloonActual(), QmpClosedError);
    assert.deepEqual(await s.list(), []);
  });
});
