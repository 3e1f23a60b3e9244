import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptySnapshot } from '../../../src/agent/state.js';
import { makeApp } from '../../fakes/agent-http.js';
import { sampleDecision, sampleObservation } from './snapshot-fixture.js';

interface SseEvent {
  event?: string;
  data: string;
  comment?: string;
}

/** Reads SSE messages from a response body as they arrive. */
function sseReader(res: Response) {
  assert.ok(res.body);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<SseEvent> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: SseEvent = { data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) e.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data += line.slice(6);
          }
          return e;
        }
        const { done, value } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe('agent HTTP: GET /api/events (SSE)', () => {
  test('the first events are the current observation, a status and the recent decisions', async () => {
    const { app, bus } = makeApp();
    const res = await app.request('/api/events');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), 'text/event-stream');
    const r = sseReader(res);
    const first = await r.next();
    assert.equal(first.event, 'observation');
    assert.equal((JSON.parse(first.data) as { t: number }).t, sampleObservation().t);
    const status = await r.next();
    assert.equal(status.event, 'status');
    assert.deepEqual(JSON.parse(status.data), {
      paused: false,
      hostState: 'soft',
      ticks: 3,
      guests: [
        { name: 'vm1', source: 'qmp', status: 'ok', balloonTargetBytes: 384 * 1024 * 1024 },
        { name: 'vm2', source: 'libvirt', status: 'timeout', error: 'no answer in 500 ms' },
      ],
    });
    const decision = await r.next();
    assert.equal(decision.event, 'decision');
    assert.deepEqual(JSON.parse(decision.data), sampleDecision());
    assert.equal(bus.size, 1);
    await r.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(bus.size, 0, 'a closed stream unsubscribes');
  });

  test('live observations (each followed by a status) and decisions; heartbeats', async () => {
    const { app, bus, setSnapshot } = makeApp({ heartbeatMs: 20 });
    setSnapshot(emptySnapshot());
    const r = sseReader(await app.request('/api/events'));
    assert.equal((await r.next()).event, 'status');
    bus.publish({ type: 'observation', data: sampleObservation(42) });
    const obs = await r.next();
    assert.equal(obs.event, 'observation');
    assert.equal((JSON.parse(obs.data) as { t: number }).t, 42);
    assert.equal((await r.next()).event, 'status');
    bus.publish({ type: 'decision', data: sampleDecision(43) });
    const d = await r.next();
    assert.equal(d.event, 'decision');
    assert.equal((JSON.parse(d.data) as { t: number }).t, 43);
    const hb = await r.next();
    assert.equal(hb.comment, 'heartbeat');
    await r.cancel();
  });

  test('too many streams: 503', async () => {
    const { app } = makeApp({ maxEventClients: 1 });
    const first = sseReader(await app.request('/api/events'));
    await first.next();
    assert.equal((await app.request('/api/events')).status, 503);
    await first.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const again = await app.request('/api/events');
    assert.equal(again.status, 200);
    await again.body?.cancel();
  });
});
