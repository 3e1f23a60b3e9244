/**
 * The agent loop against fake QMP guests (answering like QEMU 7.2): one that never answers and one that answers
 * garbage must not stall the loop; the good guest is observed every tick. Dry run: nothing on the host is written.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../../src/agent/config.js';
import { EventBus } from '../../../src/agent/events.js';
import { AgentLoop } from '../../../src/agent/loop.js';
import { QmpSocketSource } from '../../../src/guest/sources/qmp-sockets.js';
import { REAL_PATHS } from '../../../src/host/paths.js';
import { startFakeGuest } from '../../helpers/fake-qmp.js';

test('the loop keeps ticking on time when one guest hangs its QMP socket and another answers garbage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-loop-'));
  const good = await startFakeGuest({ name: 'good', path: join(dir, 'good.qmp') });
  const hung = await startFakeGuest({ name: 'hung', path: join(dir, 'hung.qmp'), mode: 'hang' });
  const junk = await startFakeGuest({ name: 'junk', path: join(dir, 'junk.qmp'), mode: 'garbage' });
  const config = parseConfig({
    tickSeconds: 0.2,
    dryRun: true,
    guests: { qmpSockets: [join(dir, '*.qmp')], timeoutMs: 150 },
  });
  const source = new QmpSocketSource({ sockets: config.guests.qmpSockets, timeoutMs: 150, proc: false });
  const bus = new EventBus();
  const observed: number[] = [];
  bus.subscribe((e) => {
    if (e.type === 'observation') observed.push(e.data.guests.length);
  });
  const loop = new AgentLoop({ config, paths: REAL_PATHS, sources: [source], bus, log: pino({ level: 'silent' }) });
  try {
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await loop.tick();
    const perTick = (Date.now() - t0) / 5;
    const snap = loop.snapshot();
    assert.equal(snap.loop.ticks, 5);
    assert.ok(perTick < 150 + 250, `a tick took ${perTick} ms with a 150 ms guest timeout`);
    const byName = Object.fromEntries(snap.guests.map((g) => [g.name, g.status]));
    assert.equal(byName.good, 'ok');
    const bad = snap.guests.filter((g) => g.name !== 'good');
    assert.ok(bad.length >= 1, JSON.stringify(snap.guests));
    for (const g of bad) assert.notEqual(g.status, 'ok', `${g.name} is marked`);
    // The first tick also opens the connections (greeting, capabilities, discovery): the good guest may miss it.
    assert.equal(observed.length, 5);
    assert.ok(
      observed.slice(1).every((n) => n === 1),
      `observed guests per tick: ${observed.join(',')}`,
    );
    assert.equal(snap.observation?.guests[0]?.name, 'good');
  } finally {
    await loop.stop();
    source.close();
    await Promise.all([good.close(), hung.close(), junk.close()]);
    await rm(dir, { recursive: true, force: true });
  }
});
