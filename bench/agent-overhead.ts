/**
 * bench/agent-overhead: the agent loop's own CPU use and tick duration with 1, 10 and 100 guests. The guests are
 * fake QMP endpoints that answer like QEMU 7.2 (test/helpers/fake-qmp.ts), run in a child process so their CPU is
 * not counted; the loop runs here exactly as `overcommit agent` runs it (host observation from /proc and /sys, every
 * guest polled within its timeout, policies stepped), in dry-run mode so it changes nothing on the host.
 * Goal: <= 0.5 % of one core at a 1 s tick with 100 guests.
 *   node --import tsx bench/agent-overhead.ts [--seconds 20] [--counts 1,10,100] [--json]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../src/agent/config.js';
import { EventBus } from '../src/agent/events.js';
import { AgentLoop } from '../src/agent/loop.js';
import { QmpSocketSource } from '../src/guest/sources/qmp-sockets.js';
import { REAL_PATHS } from '../src/host/paths.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const seconds = Number(arg('seconds', '20'));
const counts = arg('counts', '1,10,100').split(',').map(Number);

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

interface Row {
  guests: number;
  ticks: number;
  cpuPercentOfCore: number;
  tickP50Ms: number;
  tickP99Ms: number;
  guestsOk: number;
}

async function one(n: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-fakes-'));
  const fakes = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/fake-qmp.ts', String(n), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      fakes.stdout.on('data', (d: Buffer) => (/ready/.test(d.toString()) ? resolve() : undefined));
      fakes.on('exit', (c) => reject(new Error(`fake guests exited (${c})`)));
    });
    const config = parseConfig({ tickSeconds: 1, dryRun: true, guests: { qmpSockets: [join(dir, '*.qmp')] } });
    const source = new QmpSocketSource({ sockets: config.guests.qmpSockets, timeoutMs: config.guests.timeoutMs });
    const loop = new AgentLoop({
      config,
      paths: REAL_PATHS,
      sources: [source],
      bus: new EventBus(),
      log: pino({ level: 'silent' }),
    });
    // Warm up (connections, JIT) for 3 ticks, then measure.
    loop.start();
    await new Promise((r) => setTimeout(r, 3000));
    const ticks0 = loop.snapshot().loop.ticks;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wall = Date.now() - t0;
    const snap = loop.snapshot();
    await loop.stop();
    source.close();
    const ticks = snap.loop.ticks - ticks0;
    const durations = snap.loop.tickDurationsMs.slice(-ticks);
    return {
      guests: n,
      ticks,
      cpuPercentOfCore: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      tickP50Ms: pct(durations, 0.5),
      tickP99Ms: pct(durations, 0.99),
      guestsOk: snap.guests.filter((g) => g.status === 'ok').length,
    };
  } finally {
    fakes.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const n of counts) rows.push(await one(n));
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`agent loop, 1 s tick, dry run, ${seconds} s measured per row`);
  console.log('guests  ok   ticks  CPU % of one core  tick p50  tick p99');
  for (const r of rows)
    console.log(
      `${String(r.guests).padStart(6)}  ${String(r.guestsOk).padStart(3)}  ${String(r.ticks).padStart(6)}  ${r.cpuPercentOfCore.toFixed(2).padStart(17)}  ${r.tickP50Ms.toFixed(0).padStart(6)} ms  ${r.tickP99Ms.toFixed(0).padStart(6)} ms`,
    );
  const hundred = rows.find((r) => r.guests === 100);
  if (hundred) console.log(`goal (<= 0.5 % at 100 guests): ${hundred.cpuPercentOfCore <= 0.5 ? 'met' : 'not met'}`);
}
