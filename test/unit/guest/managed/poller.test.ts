/**
 * GuestPoller with scripted guests: a round ends at the shared deadline however a guest hangs; a guest with a poll
 * still unanswered is not asked again; a guest that timed out is asked but not waited for; cached figures need no
 * call; a failed statistics call leaves the guest ok.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QmpCommandError } from '../../../../src/guest/qmp/errors.js';
import { GuestPoller } from '../../../../src/guest/managed/poller.js';
import type { CachedPoll } from '../../../../src/guest/managed/source.js';
import { STATS, scripted } from './stats-fixture.js';

const MiB = 1024 * 1024;
const T = { timeout: 10_000 };

/** A guest answering through fetchPoll as `answer` says; counts the calls. */
function guest(name: string, answer: () => Promise<CachedPoll>, cached?: () => CachedPoll | undefined) {
  const g = {
    ...scripted(name),
    calls: 0,
    fetchPoll: () => {
      g.calls++;
      return answer();
    },
    ...(cached ? { cachedPoll: cached } : {}),
  };
  return g;
}

const figures: CachedPoll = { memoryBytes: 256 * MiB, balloonActualBytes: 200 * MiB, stats: STATS };
const fast = () => Promise.resolve(figures);
const never = () => new Promise<CachedPoll>(() => {});
const deadlineIn = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('GuestPoller', T, () => {
  test('statsMaxAgeMs reaches each guest: the cached figures and the call both get its age', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const idle = {
      ...guest('idle', fast, () => undefined),
      cachedPoll: (age?: number) => (seen.push(['cached', age]), undefined),
      fetchPoll: (age?: number) => (seen.push(['fetch', age]), fast()),
    };
    const busy = { ...guest('busy', fast), fetchPoll: (age?: number) => (seen.push(['busy', age]), fast()) };
    const polls = await new GuestPoller().poll([idle, busy], 1000, deadlineIn(2000), (g) =>
      g.name === 'idle' ? 6000 : undefined,
    );
    assert.deepEqual(
      polls.map((p) => p.status),
      ['ok', 'ok'],
    );
    assert.deepEqual(seen, [
      ['cached', 6000],
      ['fetch', 6000],
      ['busy', undefined],
    ]);
  });

  test('a hung guest ends the round at the deadline, then is not asked again nor waited for', async () => {
    const good = guest('good', fast);
    const hung = guest('hung', never);
    const poller = new GuestPoller();
    let t0 = performance.now();
    const first = await poller.poll([good, hung], 1000, deadlineIn(80));
    const firstMs = performance.now() - t0;
    assert.ok(firstMs >= 70 && firstMs < 500, `first round: ${firstMs} ms`);
    assert.deepEqual(
      first.map((p) => p.status),
      ['ok', 'timeout'],
    );
    assert.match(first[1]?.error ?? '', /guest hung: no answer to a poll/);
    t0 = performance.now();
    const second = await poller.poll([good, hung], 1000, deadlineIn(2000));
    const secondMs = performance.now() - t0;
    assert.ok(secondMs < 100, `second round waited ${secondMs} ms for a guest still unanswered`);
    assert.equal(second[1]?.status, 'timeout');
    assert.match(second[1]?.error ?? '', /its last poll \(sent \d+ ms ago\)/);
    assert.equal(hung.calls, 1, 'one call in flight at a time');
    assert.equal(good.calls, 2);
  });

  test('a guest that timed out is asked again but not waited for; once it answers in time it is waited for again', async () => {
    let slow = true;
    const flaky = guest('flaky', () =>
      slow ? new Promise((r) => setTimeout(() => r(figures), 150)) : Promise.resolve(figures),
    );
    const good = guest('good', fast);
    const poller = new GuestPoller();
    const r1 = await poller.poll([good, flaky], 1000, deadlineIn(50));
    assert.equal(r1[1]?.status, 'timeout');
    await new Promise((r) => setTimeout(r, 150)); // its late answer arrives: nothing in flight any more
    const t0 = performance.now();
    const r2 = await poller.poll([good, flaky], 1000, deadlineIn(2000));
    assert.ok(performance.now() - t0 < 100, 'the round did not wait for the suspect');
    assert.equal(r2[1]?.status, 'timeout');
    assert.equal(flaky.calls, 2);
    await new Promise((r) => setTimeout(r, 200));
    slow = false;
    const r3 = await poller.poll([good, flaky], 1000, deadlineIn(2000));
    assert.equal(r3[1]?.status, 'ok', 'a quick answer comes within the same turn of the loop');
    const r4 = await poller.poll([good, flaky], 1000, deadlineIn(2000));
    assert.equal(r4[1]?.status, 'ok');
  });

  test('cached figures: no call, the round resolves at once, in the guests order', async () => {
    const a = guest('a', never, () => figures);
    const b = guest('b', fast, () => undefined);
    const polls = await new GuestPoller().poll([a, b], 1000, deadlineIn(5000));
    assert.deepEqual(
      polls.map((p) => [p.name, p.status]),
      [
        ['a', 'ok'],
        ['b', 'ok'],
      ],
    );
    assert.equal(a.calls, 0);
    assert.equal(b.calls, 1);
    assert.equal(polls[0]?.snapshot?.stats, STATS);
  });

  test('without a deadline, timeoutMs bounds the round; gone and failing guests are told apart', async () => {
    const notActive = new QmpCommandError('qom-get', 'GenericError', 'guest statistics are not enabled');
    const noStats = scripted('nostats', { stats: () => Promise.reject(notActive) });
    const broken = guest('broken', () => Promise.reject(new Error('garbage on the socket')));
    const hung = guest('hung', never);
    const t0 = performance.now();
    const polls = await new GuestPoller().poll([noStats, broken, hung], 60);
    const ms = performance.now() - t0;
    assert.ok(ms >= 55 && ms < 400, `${ms} ms`);
    assert.deepEqual(
      polls.map((p) => p.status),
      ['ok', 'error', 'timeout'],
    );
    assert.match(polls[0]?.statsError ?? '', /not enabled/);
    assert.equal(polls[0]?.snapshot?.stats, undefined);
  });
});
