import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Script } from 'node:vm';
import { DASHBOARD_SCRIPT } from '../../../src/agent/dashboard-script.js';
import { makeApp } from '../../fakes/agent-http.js';

describe('agent dashboard (GET /)', () => {
  test('a self-contained page with the stable ids', async () => {
    const { app } = makeApp();
    const res = await app.request('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/html/);
    const html = await res.text();
    for (const id of ['host-memory', 'host-state', 'guests', 'decisions', 'tick']) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    assert.doesNotMatch(html, /src="http/);
    assert.doesNotMatch(html, /href="http/);
    assert.doesNotMatch(html, /<link[^>]+stylesheet/);
    assert.match(html, /new EventSource\('\/api\/events'\)/);
    assert.match(html, /data-guest/);
  });

  test('the CSP allows exactly the inline script, by hash', async () => {
    const { app } = makeApp();
    const res = await app.request('/');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const hash = createHash('sha256').update(DASHBOARD_SCRIPT).digest('base64');
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
    assert.match(csp, /connect-src 'self'/);
    const html = await res.text();
    assert.ok(html.includes(`<script>${DASHBOARD_SCRIPT}</script>`));
  });

  test('the browser script parses and puts data in the page as text only', () => {
    assert.doesNotThrow(() => new Script(DASHBOARD_SCRIPT, { filename: 'dashboard.js' }));
    assert.doesNotMatch(DASHBOARD_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });
});
