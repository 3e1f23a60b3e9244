import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHttp } from '../../../src/agent/server.js';
import { makeApp, post } from '../../fakes/agent-http.js';

describe('startHttp', () => {
  test('serves the app on loopback and closes with an open event stream', async () => {
    const { app, control } = makeApp();
    const http = await startHttp(app, { listen: '127.0.0.1', port: 0 });
    try {
      assert.match(http.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const status = await fetch(`${http.url}/api/status`);
      assert.equal(status.status, 200);
      const pause = await fetch(`${http.url}/api/pause`, post({}));
      assert.equal(pause.status, 200);
      assert.deepEqual(control.calls, ['pause']);
      const events = await fetch(`${http.url}/api/events`);
      assert.equal(events.status, 200);
      const reader = (events.body as ReadableStream<Uint8Array> | null)?.getReader();
      assert.ok(reader);
      assert.match(new TextDecoder().decode((await reader.read()).value), /^event: observation/);
    } finally {
      await http.close();
    }
  });

  test('an address in use is a named error with a hint', async () => {
    const { app } = makeApp();
    const first = await startHttp(app, { listen: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(startHttp(app, { listen: '127.0.0.1', port: first.port }), /EADDRINUSE.*|set http\.port/);
    } finally {
      await first.close();
    }
  });
});
