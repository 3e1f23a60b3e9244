import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { canBind, freeLoopbackPorts, HOSTFWD_PORT_RANGE } from '../../../../src/guest/launcher/ports.js';

test('hostfwd ports: below the ephemeral range, distinct, bindable, never handed out twice', async () => {
  const a = await freeLoopbackPorts(30);
  const b = await freeLoopbackPorts(30);
  const all = [...a, ...b];
  assert.equal(new Set(all).size, 60);
  for (const p of all) assert.ok(p >= HOSTFWD_PORT_RANGE[0] && p <= HOSTFWD_PORT_RANGE[1], String(p));
  for (const p of a.slice(0, 5)) assert.equal(await canBind(p), true);
});

test('canBind is false for a port in use', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  assert.ok(addr && typeof addr === 'object');
  assert.equal(await canBind(addr.port), false);
  await new Promise((r) => srv.close(r));
});
