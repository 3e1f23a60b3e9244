/**
 * bench/agent-overhead: the agent's own CPU use and tick duration with 1, 10 and 100 guests. The guests are fake QMP
 * endpoints that answer like QEMU 7.2 (test/fakes/qmp-guest.ts, in a child process started as `qemu-system-x86_64`
 * with a `-qmp unix:PATH` per socket, so the agent finds a QEMU-like pid behind every guest and reads its /proc files
 * as for a real one); the agent is the real one, built (`npm run build`) and run as the systemd unit runs it —
 * `node FLAGS dist/cli/main.js agent --dry-run` (the FLAGS of src/agent/node-flags.ts; `--node-defaults`
 * runs it without them) — so its CPU is the run time of its threads (/proc/PID/task/TID/schedstat), nothing else
 * in that process.
 *
 * Steady state is what a daemon costs: each row first runs --warmup seconds (default 150; V8 is still compiling the
 * tick's code for the first minutes at one tick a second), then measures --seconds. The peer, measured over the same
 * window as each row (it runs for the whole bench), is the floor of this machine: a Node process that only wakes once
 * a second (`setInterval(() => {}, 1000)`). On a VM a wake-up is far from free, and its cost moves with the load of
 * the host: on this machine kind the peer alone measured from 0.03 % to 0.71 % of one core on the same day. So each
 * row also prints its ratio to the peer and its CPU above the peer's (what the agent adds to a process that must wake
 * once a second anyway).
 * The guests are idle (full size; the host, this machine, has room, so no policy can inflate them): their statistics
 * are read every 6 s (agent/idle-stats.ts). `--ballooned` starts them ballooned to 192 of their 256 MiB instead:
 * every guest's statistics are then read every period (2 s), as on a host that is overcommitted.
 * Goal: <= 0.5 % of one core at a 1 s tick with 100 guests.
 * Calm windows: the measured time is cut into --window second windows (default 10). A window is calm when the peer
 * used at most --calm-peer % of one core in it (default 0.06: twice what it reads when this machine kind is quiet,
 * 0.027-0.03 %). This VM reports almost no steal time, so when its host is busy every process here is charged for
 * it: the idle peer read up to 0.71 %, some 24 times its quiet figure. So each row also prints the agent over its calm
 * windows, and the goal's verdict says which figure met it.
 *   npm run build && node --import tsx bench/agent-overhead.ts [--seconds 60] [--warmup 150] [--counts 1,10,100]
 *     [--window 10] [--calm-peer 0.06] [--ballooned] [--node-defaults] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NODE_FLAGS } from '../src/agent/node-flags.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const seconds = Number(arg('seconds', '60'));
const warmup = Number(arg('warmup', '150'));
const nodeFlags = process.argv.includes('--node-defaults') ? [] : [...AGENT_NODE_FLAGS];
const counts = arg('counts', '1,10,100').split(',').map(Number);
const ballooned = process.argv.includes('--ballooned');
const windowSeconds = Number(arg('window', '10'));
const calmPeer = Number(arg('calm-peer', '0.06'));
const AGENT = join(process.cwd(), 'dist/cli/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

/**
 * CPU time of a process, seconds: the sum of its threads' run time from /proc/PID/task/TID/schedstat (nanoseconds).
 * /proc/PID/stat counts in 10 ms ticks, too coarse for a process that runs a few ms a second.
 */
async function cpuSeconds(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0');
    ns += Number(text.split(' ')[0]);
  }
  return ns / 1e9;
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child[stream]?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) resolve(m);
    });
    child.on('exit', (c) => reject(new Error(`exited (${c}): ${text.slice(-500)}`)));
  });
}

interface Row {
  guests: number;
  guestsOk: number;
  /** Guests with a QEMU pid found (their /proc files are read each tick). */
  guestsWithPid: number;
  ticks: number;
  cpuPercentOfCore: number;
  tickP50Ms: number;
  tickP99Ms: number;
  /** The peer's CPU over the same window. */
  peerPercentOfCore: number;
  /** Each window's CPU, % of one core: the agent's and the peer's. */
  windows: Array<{ agent: number; peer: number }>;
  /** The agent's mean over the calm windows (undefined: none was calm). */
  calmPercentOfCore: number | undefined;
  calmWindows: number;
}

async function one(n: number, peerPid: number): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-overhead-'));
  const qmpArgs = Array.from({ length: n }, (_, i) => [
    '-qmp',
    `unix:${join(dir, `fake-${String(i).padStart(3, '0')}.qmp`)},server=on,wait=off`,
  ]).flat();
  const fakeArgs = [String(n), dir, ...(ballooned ? ['--balloon-mib=192'] : []), ...qmpArgs];
  const fakes = spawn(process.execPath, ['--import', 'tsx', 'test/fakes/qmp-guest.ts', ...fakeArgs], {
    argv0: 'qemu-system-x86_64',
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let agent: ChildProcess | undefined;
  try {
    await waitFor(fakes, 'stdout', /ready/);
    const config = join(dir, 'agent.yaml');
    await writeFile(
      config,
      `tickSeconds: 1\nguests:\n  qmpSockets: ["${join(dir, '*.qmp')}"]\nhttp:\n  port: 0\nlog:\n  level: warn\n`,
    );
    agent = spawn(
      process.execPath,
      [...nodeFlags, AGENT, '--state-dir', join(dir, 'state'), 'agent', '--config', config, '--dry-run'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const url = (await waitFor(agent, 'stderr', /overcommit agent: (http:\/\/\S+\/) /))[1] ?? '';
    const pid = agent.pid ?? 0;
    await sleep(warmup * 1000); // connections, then V8's optimizing compiler
    const status = async () =>
      (await (await fetch(`${url}api/status`)).json()) as {
        guests: { status: string }[];
        observation?: { guests: { rssBytes?: number }[] };
        loop: { ticks: number; tickDurationsMs: number[] };
      };
    const s0 = await status();
    const [c0, p0] = [await cpuSeconds(pid), await cpuSeconds(peerPid)];
    const t0 = Date.now();
    const windows: Row['windows'] = [];
    let [c, p, t] = [c0, p0, t0];
    while (t < t0 + seconds * 1000) {
      await sleep(Math.min(windowSeconds * 1000, t0 + seconds * 1000 - t));
      const [cw, pw, tw] = [await cpuSeconds(pid), await cpuSeconds(peerPid), Date.now()];
      const s = (tw - t) / 1000;
      windows.push({ agent: ((cw - c) / s) * 100, peer: ((pw - p) / s) * 100 });
      [c, p, t] = [cw, pw, tw];
    }
    const [c1, p1] = [c, p];
    const wall = (t - t0) / 1000;
    const s1 = await status();
    const calm = windows.filter((w) => w.peer <= calmPeer);
    const ticks = s1.loop.ticks - s0.loop.ticks;
    const durations = s1.loop.tickDurationsMs.slice(-ticks);
    return {
      guests: n,
      guestsOk: s1.guests.filter((g) => g.status === 'ok').length,
      guestsWithPid: (s1.observation?.guests ?? []).filter((g) => g.rssBytes !== undefined).length,
      ticks,
      cpuPercentOfCore: ((c1 - c0) / wall) * 100,
      tickP50Ms: pct(durations, 0.5),
      tickP99Ms: pct(durations, 0.99),
      peerPercentOfCore: ((p1 - p0) / wall) * 100,
      windows,
      calmPercentOfCore: calm.length > 0 ? calm.reduce((a, w) => a + w.agent, 0) / calm.length : undefined,
      calmWindows: calm.length,
    };
  } finally {
    agent?.kill('SIGTERM');
    fakes.kill('SIGTERM');
    await sleep(500);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The goal's verdict on a row: over the whole measured time, else over its calm windows (and then says so). */
function verdict(r: Row): string {
  if (r.cpuPercentOfCore <= 0.5) return 'met';
  const peerMin = Math.min(...r.windows.map((w) => w.peer)).toFixed(2);
  if (r.calmPercentOfCore === undefined)
    return `not met, and no calm window to judge by (the peer read at least ${peerMin} % in every window: rerun when the machine is quiet)`;
  const where = `in the ${r.calmWindows} calm windows of ${r.windows.length} (${r.calmPercentOfCore.toFixed(2)} %)`;
  return r.calmPercentOfCore <= 0.5
    ? `met ${where}; not over the whole time (${r.cpuPercentOfCore.toFixed(2)} %, peer ${r.peerPercentOfCore.toFixed(2)} %)`
    : `not met, not even ${where}`;
}

if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run npm run build first`);
/** The peer: a Node process that wakes once a second and does nothing, measured the same way as the agent. */
const peer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
peer.on('error', (e) => {
  throw new Error(`the peer process did not start: ${e.message}`);
});
const rows: Row[] = [];
try {
  if (peer.pid === undefined) throw new Error('the peer process did not start');
  for (const n of counts) rows.push(await one(n, peer.pid));
} finally {
  peer.kill('SIGTERM');
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ rows }, null, 2));
else {
  console.log(
    `overcommit agent (dist, dry run, node ${nodeFlags.join(' ') || 'defaults'}), 1 s tick, ${ballooned ? 'ballooned' : 'idle'} guests, ${warmup} s warm-up then ${seconds} s measured per row, CPU from schedstat`,
  );
  console.log(
    'guests  ok  pid   ticks  CPU % of one core  peer %  x peer  above peer %  tick p50  tick p99  calm windows  CPU % in them',
  );
  for (const r of rows)
    console.log(
      `${String(r.guests).padStart(6)}  ${String(r.guestsOk).padStart(3)}  ${String(r.guestsWithPid).padStart(3)}  ${String(r.ticks).padStart(6)}  ${r.cpuPercentOfCore.toFixed(2).padStart(17)}  ${r.peerPercentOfCore.toFixed(2).padStart(6)}  ${(r.peerPercentOfCore > 0 ? (r.cpuPercentOfCore / r.peerPercentOfCore).toFixed(1) : '-').padStart(6)}  ${(r.cpuPercentOfCore - r.peerPercentOfCore).toFixed(2).padStart(12)}  ${r.tickP50Ms.toFixed(0).padStart(6)} ms  ${r.tickP99Ms.toFixed(0).padStart(6)} ms  ${`${r.calmWindows}/${r.windows.length}`.padStart(12)}  ${(r.calmPercentOfCore?.toFixed(2) ?? '-').padStart(13)}`,
    );
  console.log(
    'peer: node with a no-op 1 s timer, the floor of this machine, measured over the same window as each row',
  );
  console.log(
    `calm windows: the ${windowSeconds} s windows in which the peer used <= ${calmPeer} % of one core (this VM's host quiet)`,
  );
  const hundred = rows.find((r) => r.guests === 100);
  if (hundred) console.log(`goal (<= 0.5 % at 100 guests): ${verdict(hundred)}`);
}
