/**
 * The agent's HTTP API (hono): Prometheus metrics, JSON status, the SSE event stream, the dashboard, and the write
 * endpoints. Reads are open (the listener is loopback unless the config says otherwise); every write needs
 * `Authorization: Bearer <token>`: no token configured -> 403 for every write, missing or wrong token -> 401, and
 * nothing changes. Bodies are size-limited (413), must be JSON (400) and pass the same zod schemas as the config.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Registry } from 'prom-client';
import { OvercommitError, UsageError } from '../errors.js';
import { BalloonRequestSchema, parseBody, PolicyPatchSchema } from './api-schemas.js';
import { isLoopback } from './config.js';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './dashboard.js';
import { bearerChecker } from './http-auth.js';
import { updateMetrics } from './metrics.js';
import { eventStream } from './sse.js';
import type { AgentControl, AgentEventSource, AgentSnapshot } from './state.js';

export interface AppOptions {
  snapshot: () => AgentSnapshot;
  control: AgentControl;
  bus: AgentEventSource;
  registry: Registry;
  /** The bearer token for writes; undefined: every write is refused (403). */
  token?: string | undefined;
  maxBodyBytes: number;
  /** Refuse requests whose Host is not a loopback name (DNS-rebinding guard for a loopback listener). */
  loopbackOnly?: boolean;
  /** SSE heartbeat interval, ms (default 15 s). */
  heartbeatMs?: number;
  /** Most SSE clients at once (default 32); more: 503. */
  maxEventClients?: number;
  /** Told about every write request and its outcome (for the agent's log). */
  audit?: (e: { method: string; path: string; status: number; detail?: string }) => void;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 421 | 500 | 503;

/** An error answer: `{error, hint?}` as JSON. */
function fail(status: ErrorStatus, error: string, hint?: string, headers: Record<string, string> = {}): Response {
  return Response.json(hint ? { error, hint } : { error }, { status, headers });
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`request body is not JSON (${(e as Error).message})`, 'send a JSON object');
  }
}

export function createApp(o: AppOptions): Hono {
  const app = new Hono();
  const check = bearerChecker(o.token);
  const maxClients = o.maxEventClients ?? 32;
  let eventClients = 0;

  app.onError((e) => {
    if (e instanceof UsageError) return fail(400, e.message, e.hint);
    if (e instanceof OvercommitError) return fail(500, e.message, e.hint);
    return fail(500, e instanceof Error ? e.message : String(e));
  });

  app.use('*', async (c, next) => {
    if (o.loopbackOnly) {
      const host = new URL(c.req.url).hostname;
      if (!isLoopback(host)) return fail(421, `Host '${host}' is not this agent's loopback address`);
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });

  // Writes: authenticate first (nothing is read from an unauthenticated body), then limit the body size.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const auth = check(c.req.header('Authorization'));
    const audit = (status: number, detail?: string): void =>
      o.audit?.({ method: c.req.method, path: c.req.path, status, ...(detail ? { detail } : {}) });
    if (auth === 'no-token-configured') {
      audit(403, 'no token configured');
      return fail(403, 'writes are disabled: no API token is configured', 'set http.token or http.tokenFile');
    }
    if (auth !== 'ok') {
      audit(401, `${auth} token`);
      return fail(401, `${auth} bearer token`, 'send Authorization: Bearer <token> (http.token or tokenFile)', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
    audit(c.res.status);
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: o.maxBodyBytes,
      onError: () => fail(413, `request body larger than ${o.maxBodyBytes} bytes`),
    }),
  );

  app.get('/', (c) => {
    c.header('Content-Security-Policy', DASHBOARD_CSP);
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(DASHBOARD_HTML);
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/metrics', async (c) => {
    try {
      updateMetrics(o.registry, o.snapshot());
    } catch {
      // Serve the last values: a failing snapshot never breaks the scrape (collector_success tells what failed).
    }
    return c.body(await o.registry.metrics(), 200, { 'Content-Type': o.registry.contentType });
  });

  app.get('/api/status', (c) => c.json(o.snapshot()));

  app.get('/api/events', (c) => {
    if (eventClients >= maxClients) return fail(503, `too many event streams (${maxClients})`);
    eventClients++;
    const opts = { snapshot: o.snapshot, bus: o.bus, heartbeatMs: o.heartbeatMs ?? 15_000 };
    return eventStream(c, opts, () => eventClients--);
  });

  app.post('/api/pause', (c) => {
    o.control.pause();
    return c.json({ paused: true });
  });

  app.post('/api/resume', (c) => {
    o.control.resume();
    return c.json({ paused: false });
  });

  app.post('/api/guests/:name/balloon', async (c) => {
    const name = c.req.param('name');
    const { targetBytes } = parseBody(BalloonRequestSchema, await readJson(c), 'balloon request');
    if (!o.snapshot().guests.some((g) => g.name === name)) {
      return fail(404, `no guest named '${name}'`, 'see GET /api/status for the guests the agent manages');
    }
    await o.control.setBalloon(name, targetBytes);
    return c.json({ guest: name, targetBytes });
  });

  app.post('/api/policy', async (c) => {
    const patch = parseBody(PolicyPatchSchema, await readJson(c), 'policy patch');
    o.control.setPolicy(patch);
    return c.json({ applied: patch });
  });

  app.notFound((c) => fail(404, `no route ${c.req.method} ${c.req.path}`));
  return app;
}
