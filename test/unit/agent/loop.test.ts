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
import { QmpSocketSource } from '../../../src/guest/managed/qmp-sockets.js';
import type { GuestSource } from '../../../src/guest/managed/source.js';
import { REAL_PATHS } from '../../../src/host/paths.js';
import { startFakeGuest } from '../../fakes/qmp-guest.js';

/** A dry-run loop at 0.2 s ticks over the QMP sockets in dir; every observation's guest names go to `observed`. */
function dryLoop(dir: string, timeoutMs: number, extra: Record<string, unknown> = {}) {
  const config = parseConfig({
    tickSeconds: 0.2,
    dryRun: true,
    guests: { qmpSockets: [join(dir, '*.qmp')], timeoutMs },
    ...extra,
  });
  const source = new QmpSocketSource({ sockets: config.guests.qmpSockets, timeoutMs, proc: false });
  const bus = new EventBus();
  const observed: string[][] = [];
  bus.subscribe((e) => {
    if (e.type === 'observation') observed.push(e.data.guests.map((g) => g.name));
  });
  const loop = new AgentLoop({ config, paths: REAL_PATHS, sources: [source], bus, log: pino({ level: 'silent' }) });
  return { loop, source, observed };
}

test('the loop keeps ticking on time when one guest hangs its QMP socket and another answers garbage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-loop-'));
  const good = await startFakeGuest({ name: 'good', path: join(dir, 'good.qmp') });
  const hung = await startFakeGuest({ name: 'hung', path: join(dir, 'hung.qmp'), mode: 'hang' });
  const junk = await startFakeGuest({ name: 'junk', path: join(dir, 'junk.qmp'), mode: 'garbage' });
  const { loop, source, observed } = dryLoop(dir, 150);
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
      observed.slice(1).every((names) => names.length === 1),
      `observed guests per tick: ${observed.map((names) => names.length).join(',')}`,
    );
    assert.equal(snap.observation?.guests[0]?.name, 'good');
  } finally {
    await loop.stop();
    source.close();
    await Promise.all([good.close(), hung.close(), junk.close()]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('start(): ticks at a fixed rate while a connected guest stops answering; stop() ends the wait at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-loop-'));
  const good = await startFakeGuest({ name: 'good', path: join(dir, 'good.qmp'), statsPollingInterval: 1 });
  const stuck = await startFakeGuest({ name: 'stuck', path: join(dir, 'stuck.qmp'), statsPollingInterval: 1 });
  // The tick is the guests' deadline: timeoutMs above it leaves the next tick to end a round.
  const { loop, source, observed } = dryLoop(dir, 5000);
  try {
    await loop.tick(); // connects both
    // Ballooned, so its statistics are read every period (a guest at full size may be read only every 6 s).
    await (await source.list()).find((g) => g.name === 'stuck')?.setBalloon(200 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 100)); // the guest reaches it (fake: 50 ms) and QEMU's event comes
    stuck.mode = 'hang';
    const t0 = Date.now();
    loop.start();
    await new Promise((r) => setTimeout(r, 1100));
    const snap = loop.snapshot();
    const ticks = snap.loop.ticks - 1;
    assert.ok(ticks >= 4 && ticks <= 7, `${ticks} ticks in ${Date.now() - t0} ms at 0.2 s`);
    assert.equal(snap.guests.find((g) => g.name === 'stuck')?.status, 'timeout');
    // Its figures at hand (balloon events, statistics of this 1 s period) keep it observed until a call is due.
    assert.ok(
      observed.slice(-2).every((names) => names.join() === 'good'),
      `observed per tick: ${JSON.stringify(observed)}`,
    );
    const s0 = Date.now();
    await loop.stop();
    assert.ok(Date.now() - s0 < 300, `stop took ${Date.now() - s0} ms`);
  } finally {
    await loop.stop();
    source.close();
    await Promise.all([good.close(), stuck.close()]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a guest at full size is read every 6 s while no policy can inflate; a ballooned one every period', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-loop-'));
  const idle = await startFakeGuest({ name: 'idle', path: join(dir, 'idle.qmp'), statsPollingInterval: 1 });
  const small = await startFakeGuest({ name: 'small', path: join(dir, 'small.qmp'), statsPollingInterval: 1 });
  // Ballooning off: no policy can inflate, whatever this machine's memory.
  const { loop, source } = dryLoop(dir, 1000, { policy: { balloon: { enabled: false } } });
  try {
    const guests = await source.list();
    await guests.find((g) => g.name === 'small')?.setBalloon(200 * 1024 * 1024);
    await loop.tick(); // reads both (nothing at hand yet)
    const reads = (f: { commands: string[] }) => f.commands.filter((c) => c === 'qom-get').length;
    const [idle0, small0] = [reads(idle), reads(small)];
    const t0 = Date.now();
    while (Date.now() - t0 < 2600) {
      await loop.tick();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(reads(idle) - idle0, 0, 'the idle guest: its statistics stay at hand for 6 s');
    assert.ok(reads(small) - small0 >= 2, `the ballooned guest: ${reads(small) - small0} reads in 2.6 s`);
    assert.equal(loop.snapshot().observation?.guests.length, 2, 'both observed every tick');
  } finally {
    await loop.stop();
    source.close();
    await Promise.all([idle.close(), small.close()]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a source that fails tick after tick is logged when it starts failing, when its error changes and when it is back', async () => {
  const config = parseConfig({ tickSeconds: 0.2, dryRun: true, guests: { timeoutMs: 100 } });
  const answers = ['down', 'down', 'down', 'other', 'other', 'ok', 'ok', 'down'];
  let i = 0;
  const source: GuestSource = {
    kind: 'libvirt',
    list: () => {
      const a = answers[i++];
      return a === 'ok' ? Promise.resolve([]) : Promise.reject(new Error(`libvirt ${a}`));
    },
    close: () => undefined,
  };
  const lines: Array<{ msg: string; err?: string }> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as { msg: string }) });
  const loop = new AgentLoop({ config, paths: REAL_PATHS, sources: [source], bus: new EventBus(), log });
  try {
    for (let t = 0; t < answers.length; t++) await loop.tick();
    const said = lines.map((l) => (l.err === undefined ? l.msg : `${l.msg}: ${l.err}`));
    assert.deepEqual(said, [
      'guest source failed: libvirt down',
      'guest source failed: libvirt other',
      'guest source back',
      'guest source failed: libvirt down',
    ]);
    assert.equal(loop.snapshot().loop.errors['source-libvirt'], 6, 'every failed tick counts');
  } finally {
    await loop.stop();
  }
});
