import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { CommandError } from '../../../../src/errors.js';
import { QmpCommandError, QmpProtocolError } from '../../../../src/guest/qmp/errors.js';
import { GuestGoneError, GuestTimeoutError } from '../../../../src/guest/managed/errors.js';
import { QmpSocketSource } from '../../../../src/guest/managed/qmp-sockets.js';
import type { GuestSource } from '../../../../src/guest/managed/source.js';
import { listSources, timeboxed, withTimeout } from '../../../../src/guest/managed/with-timeout.js';
import { pollGuest, pollGuests } from '../../../../src/guest/managed/poller.js';
import { startFakeGuest, type FakeGuest, type FakeGuestOptions } from '../../../fakes/qmp-guest.js';
import { STATS, scripted } from './stats-fixture.js';

const T = { timeout: 10_000 };
const MiB = 1024 * 1024;
const never = <V>() => new Promise<V>(() => {});

async function timed<V>(p: Promise<V>): Promise<{ value: V; ms: number }> {
  const start = performance.now();
  const value = await p;
  return { value, ms: performance.now() - start };
}

describe('withTimeout', () => {
  test('resolves with the promise, or rejects with the timeout error', async () => {
    assert.equal(await withTimeout(Promise.resolve(1), 50, () => new Error('late')), 1);
    await assert.rejects(
      withTimeout(never(), 20, () => new Error('late')),
      /late/,
    );
    await assert.rejects(
      withTimeout(Promise.reject(new Error('own')), 50, () => new Error('late')),
      /own/,
    );
  });
});

describe('pollGuest / pollGuests (scripted guests)', T, () => {
  test('ok: the snapshot, with pid and stats', async () => {
    const p = await pollGuest({ ...scripted('a'), pid: 42 }, 100);
    assert.equal(p.status, 'ok');
    assert.equal(p.pid, 42);
    assert.deepEqual(p.snapshot, { memoryBytes: 256 * MiB, balloonActualBytes: 200 * MiB, stats: STATS });
    assert.equal(p.error, undefined);
  });

  test('no stats yet: ok without stats', async () => {
    const p = await pollGuest(scripted('a', { stats: () => Promise.resolve(undefined) }), 100);
    assert.deepEqual(p.snapshot, { memoryBytes: 256 * MiB, balloonActualBytes: 200 * MiB });
  });

  test('a stats call that fails with an error is the guest ok with statsError; one that hangs is a timeout', async () => {
    const notActive = new QmpCommandError('qom-get', 'DeviceNotActive', 'No balloon device has been activated');
    const a = await pollGuest(scripted('a', { stats: () => Promise.reject(notActive) }), 100);
    assert.equal(a.status, 'ok');
    assert.match(a.statsError ?? '', /No balloon device has been activated/);
    const b = await pollGuest(scripted('b', { stats: never }), 50);
    assert.equal(b.status, 'timeout');
  });

  test('timeout, gone and error, each with its reason; a synchronous throw is an error too', async () => {
    const polls = await pollGuests(
      [
        scripted('hangs', { balloonActual: never }),
        scripted('gone', { balloonActual: () => Promise.reject(new GuestGoneError('gone', 'socket missing')) }),
        scripted('junk', { memoryBytes: () => Promise.reject(new QmpProtocolError('not JSON')) }),
        scripted('throws', {
          balloonActual: () => {
            throw new CommandError('virsh', ['dommemstat'], 1, 'boom', 'hint');
          },
        }),
      ],
      80,
    );
    assert.deepEqual(
      polls.map((p) => [p.name, p.status]),
      [
        ['hangs', 'timeout'],
        ['gone', 'gone'],
        ['junk', 'error'],
        ['throws', 'error'],
      ],
    );
    assert.match(polls[0]?.error ?? '', /guest hangs: no answer to a poll .* within 80 ms/);
    assert.match(polls[1]?.error ?? '', /socket missing/);
    assert.match(polls[2]?.error ?? '', /QMP protocol error: not JSON/);
    assert.match(polls[3]?.error ?? '', /boom/);
    assert.ok(polls.every((p) => p.snapshot === undefined));
  });

  test('a fast failure does not wait for the timeout', async () => {
    const { value, ms } = await timed(
      pollGuest(
        scripted('g', { balloonActual: () => Promise.reject(new GuestGoneError('g', 'x')), stats: never }),
        2000,
      ),
    );
    assert.equal(value.status, 'gone');
    assert.ok(ms < 500, `${ms} ms`);
  });

  test('100 hanging guests in parallel: one timeout, not a hundred', async () => {
    const guests = Array.from({ length: 100 }, (_, i) => scripted(`g${i}`, { balloonActual: never }));
    const { value, ms } = await timed(pollGuests(guests, 100));
    assert.ok(value.every((p) => p.status === 'timeout'));
    assert.ok(ms < 100 + 100, `${ms} ms`);
  });
});

describe('timeboxed', T, () => {
  test('every call rejects with GuestTimeoutError after the timeout; the rest passes through', async () => {
    let target = 0;
    const g = timeboxed(
      scripted('slow', {
        pid: 7,
        setBalloon: never,
        balloonActual: () => Promise.resolve(target),
        stats: () => {
          target = 1;
          return Promise.resolve(undefined);
        },
      }),
      50,
    );
    assert.equal(g.name, 'slow');
    assert.equal(g.pid, 7);
    const e = await g.setBalloon(1).catch((x: unknown) => x);
    assert.ok(e instanceof GuestTimeoutError);
    assert.match(e.message, /guest slow: no answer to setBalloon within 50 ms/);
    assert.equal(await g.stats(), undefined);
    assert.equal(await g.balloonActual(), 1);
  });
});

describe('listSources', T, () => {
  test('a source that hangs or fails gives no guests and a failure; the others list', async () => {
    const good: GuestSource = { kind: 'qmp', list: () => Promise.resolve([scripted('a')]), close: () => {} };
    const stuck: GuestSource = { kind: 'libvirt', list: never, close: () => {} };
    const broken: GuestSource = {
      kind: 'libvirt',
      list: () => Promise.reject(new CommandError('virsh', ['list'], 1, 'failed to connect', 'start libvirtd')),
      close: () => {},
    };
    const { value, ms } = await timed(listSources([good, stuck, broken], 80));
    assert.deepEqual(
      value.guests.map((g) => g.name),
      ['a'],
    );
    assert.deepEqual(
      value.failures.map((f) => [f.kind, f.status]),
      [
        ['libvirt', 'timeout'],
        ['libvirt', 'error'],
      ],
    );
    assert.ok(ms < 80 + 100);
  });
});

describe('pollGuests on fake QEMU monitors', T, () => {
  async function fake(t: TestContext, options: FakeGuestOptions): Promise<FakeGuest> {
    const g = await startFakeGuest(options);
    t.after(() => g.close());
    return g;
  }

  test('one hanging and one garbage guest: the loop still gets the good guest within timeout + 100 ms', async (t) => {
    const timeoutMs = 300;
    const good = await fake(t, { name: 'good', statsPollingInterval: 1 });
    const hangs = await fake(t, { name: 'hangs' });
    const junk = await fake(t, { name: 'junk' });
    const neverGreets = await fake(t, { name: 'silent', mode: 'hang' });
    const source = new QmpSocketSource({
      sockets: [good.path, hangs.path, junk.path, neverGreets.path],
      timeoutMs,
      proc: false,
    });
    t.after(() => source.close());
    const guests = await source.list();
    assert.deepEqual(guests.map((g) => g.name).sort(), ['good', 'hangs', 'junk', 'silent']);
    hangs.mode = 'hang'; // connected, then stuck
    junk.mode = 'garbage';
    const { value: polls, ms } = await timed(pollGuests(guests, timeoutMs));
    assert.ok(ms < timeoutMs + 100, `pollGuests took ${ms.toFixed(0)} ms`);
    const by = new Map(polls.map((p) => [p.name, p]));
    assert.equal(by.get('good')?.status, 'ok');
    assert.equal(by.get('good')?.snapshot?.memoryBytes, 256 * MiB);
    assert.equal(by.get('good')?.snapshot?.balloonActualBytes, 256 * MiB);
    assert.ok((by.get('good')?.snapshot?.stats?.lastUpdate ?? 0) > 0);
    assert.equal(by.get('hangs')?.status, 'timeout');
    assert.equal(by.get('junk')?.status, 'error');
    assert.match(by.get('junk')?.error ?? '', /QMP protocol error: not JSON/);
    assert.equal(by.get('silent')?.status, 'timeout');
    assert.match(by.get('silent')?.error ?? '', /QMP connect|greeting/);
    assert.ok((by.get('junk')?.elapsedMs ?? Infinity) < timeoutMs, 'garbage fails fast');

    // The next tick: still bounded, the good guest still there.
    const again = await timed(pollGuests(await source.list(), timeoutMs));
    assert.ok(again.ms < timeoutMs + 100);
    assert.equal(again.value.find((p) => p.name === 'good')?.status, 'ok');
  });
});
