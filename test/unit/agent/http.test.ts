import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeApp, post, TOKEN } from '../../fakes/agent-http.js';

interface ErrorBody {
  error: string;
  hint?: string;
}

describe('agent HTTP: write auth', () => {
  test('missing token: 401 and nothing changes', async () => {
    const { app, control } = makeApp();
    const res = await app.request('/api/pause', post({}, null));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer');
    assert.match(((await res.json()) as ErrorBody).error, /missing bearer token/);
    assert.deepEqual(control.calls, []);
  });

  test('wrong token (any length, or another scheme): 401 and nothing changes', async () => {
    const { app, control } = makeApp();
    for (const auth of [`Bearer ${TOKEN}x`, 'Bearer x', `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await app.request('/api/guests/vm1/balloon', {
        method: 'POST',
        headers: { Authorization: auth },
        body: JSON.stringify({ target: '256M' }),
      });
      assert.equal(res.status, 401, auth);
    }
    assert.deepEqual(control.calls, []);
  });

  test('right token: 200 and the control function is called', async () => {
    const { app, control } = makeApp();
    assert.equal((await app.request('/api/pause', post({}))).status, 200);
    assert.equal((await app.request('/api/resume', post(''))).status, 200);
    const b = await app.request('/api/guests/vm1/balloon', post({ target: '256M' }));
    assert.equal(b.status, 200);
    assert.deepEqual(await b.json(), { guest: 'vm1', targetBytes: 256 * 1024 * 1024 });
    assert.equal((await app.request('/api/guests/vm2/balloon', post({ targetBytes: 1 << 28 }))).status, 200);
    const p = await app.request('/api/policy', post({ ksm: { mode: 'off' }, balloon: { floorBytes: '64M' } }));
    assert.equal(p.status, 200);
    assert.deepEqual(control.calls, [
      'pause',
      'resume',
      ['setBalloon', 'vm1', 256 * 1024 * 1024],
      ['setBalloon', 'vm2', 1 << 28],
      ['setPolicy', { ksm: { mode: 'off' }, balloon: { floorBytes: 64 * 1024 * 1024 } }],
    ]);
  });

  test('no token configured: every write is refused with 403 and a hint', async () => {
    const { app, control } = makeApp({ token: undefined });
    const res = await app.request('/api/pause', post({}, 'anything-at-all-here'));
    assert.equal(res.status, 403);
    const body = (await res.json()) as ErrorBody;
    assert.match(body.error, /no API token is configured/);
    assert.match(body.hint ?? '', /http\.token or http\.tokenFile/);
    assert.deepEqual(control.calls, []);
  });

  test('writes are audited', async () => {
    const seen: { path: string; status: number }[] = [];
    const { app } = makeApp({ audit: (e) => seen.push({ path: e.path, status: e.status }) });
    await app.request('/api/pause', post({}, 'nope'));
    await app.request('/api/pause', post({}));
    assert.deepEqual(seen, [
      { path: '/api/pause', status: 401 },
      { path: '/api/pause', status: 200 },
    ]);
  });
});

describe('agent HTTP: bodies', () => {
  test('a body over the limit: 413, nothing changes', async () => {
    const { app, control } = makeApp({ maxBodyBytes: 64 });
    const res = await app.request('/api/policy', post({ ksm: { mode: 'off' }, pad: 'x'.repeat(100) }));
    assert.equal(res.status, 413);
    assert.deepEqual(control.calls, []);
  });

  test('a streamed body over the limit (no Content-Length): 413', async () => {
    const { app, control } = makeApp({ maxBodyBytes: 64 });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('{"x":"0123456789"}'));
        c.close();
      },
    });
    const init = { ...post(''), body: chunks, duplex: 'half' } as RequestInit;
    const res = await app.request('/api/pause', init);
    assert.equal(res.status, 413);
    assert.deepEqual(control.calls, []);
  });

  test('invalid JSON and invalid bodies: 400 with what was wrong', async () => {
    const { app, control } = makeApp();
    const cases: [string, unknown, RegExp][] = [
      ['/api/policy', '{"ksm": ', /not JSON/],
      ['/api/policy', { ksm: { mode: 'fast' } }, /ksm\.mode/],
      ['/api/policy', { bogus: 1 }, /bogus: unknown key/],
      ['/api/policy', { balloon: { lowWatermark: 0.5 } }, /lowWatermark above highWatermark/],
      ['/api/guests/vm1/balloon', { target: 'lots' }, /target: is not a size .*\(got "lots"\)/],
      ['/api/guests/vm1/balloon', { targetBytes: -5 }, /targetBytes/],
      ['/api/guests/vm1/balloon', {}, /exactly one of targetBytes .* or target/],
      ['/api/guests/vm1/balloon', { targetBytes: 1, target: '1M' }, /exactly one/],
    ];
    for (const [path, body, re] of cases) {
      const res = await app.request(path, post(body));
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.match(((await res.json()) as ErrorBody).error, re);
    }
    assert.deepEqual(control.calls, []);
  });

  test('an unknown guest: 404', async () => {
    const { app, control } = makeApp();
    const res = await app.request('/api/guests/nope/balloon', post({ target: '1G' }));
    assert.equal(res.status, 404);
    assert.deepEqual(control.calls, []);
  });
});

describe('agent HTTP: reads', () => {
  test('GET /metrics: prom-client text, no token needed', async () => {
    const { app } = makeApp();
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    assert.match(text, /^overcommit_guest_balloon_actual_bytes\{guest="vm1"\} 402653184$/m);
    assert.match(text, /^overcommit_host_state\{state="soft"\} 1$/m);
  });

  test('GET /metrics survives a snapshot function that throws', async () => {
    const { app } = makeApp({
      snapshot: () => {
        throw new Error('loop not ready');
      },
    });
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /# TYPE overcommit_collector_success gauge/);
  });

  test('GET /api/status: observation, host state, guests, decisions', async () => {
    const { app } = makeApp();
    const res = await app.request('/api/status');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const s = (await res.json()) as Record<string, unknown>;
    assert.equal(s.hostState, 'soft');
    assert.equal((s.observation as { t: number }).t, 1_700_000_000_000);
    assert.equal((s.guests as unknown[]).length, 2);
    assert.equal((s.lastDecisions as unknown[]).length, 1);
  });

  test('a non-loopback Host is refused when loopbackOnly (DNS rebinding)', async () => {
    const { app } = makeApp({ loopbackOnly: true });
    assert.equal((await app.request('http://evil.example/api/status')).status, 421);
    assert.equal((await app.request('http://127.0.0.1:9474/api/status')).status, 200);
    assert.equal((await app.request('http://[::1]:9474/api/status')).status, 200);
  });

  test('unknown routes: 404 JSON', async () => {
    const { app } = makeApp();
    const res = await app.request('/nope');
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as ErrorBody).error, /no route GET \/nope/);
  });
});
