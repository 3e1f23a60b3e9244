/**
 * bench/virsh-listing: the CPU of the libvirt source's listing (`virsh domstats --balloon --list-running --nowait`,
 * once a tick), a fresh virsh per call against one long-lived virsh session (src/guest/managed/virsh-session.ts),
 * run in turn, each --calls times at --interval ms. Counted: virsh's CPU (the one-shot calls' from this process's
 * children time in /proc/self/stat, the session's from its schedstat) and libvirtd's (its schedstat), per call.
 * Needs a running libvirtd (systemctl start libvirtd, or /usr/sbin/libvirtd by hand); the domains running then are
 * listed each time.
 *   node --import tsx bench/virsh-listing.ts [--uri qemu:///system] [--calls 60] [--interval 1000]
 */
import { readdir, readFile } from 'node:fs/promises';
import { VirshSession } from '../src/guest/managed/virsh-session.js';
import { run } from '../src/util/exec.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const uri = arg('uri', 'qemu:///system');
const calls = Number(arg('calls', '60'));
const interval = Number(arg('interval', '1000'));
const LISTING = ['domstats', '--balloon', '--list-running', '--nowait'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICK_S = 0.01; // USER_HZ 100

/** Run time of all of a process's threads, seconds (schedstat, ns). */
async function schedSeconds(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    ns += Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0')).split(' ')[0]);
  }
  return ns / 1e9;
}

/** CPU of this process's reaped children, seconds (cutime + cstime of /proc/self/stat). */
async function childrenSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_S;
}

async function libvirtdPid(): Promise<number> {
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    if ((await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim() === 'libvirtd') return Number(p);
  }
  throw new Error('no libvirtd is running: start it (systemctl start libvirtd) and run again');
}

const daemon = await libvirtdPid();
const domains = (await run('virsh', ['-c', uri, 'list', '--name'])).stdout.split('\n').filter(Boolean).length;

// One-shot: a fresh virsh per call, as LibvirtSource ran the listing before the session.
let d0 = await schedSeconds(daemon);
let c0 = await childrenSeconds();
for (let i = 0; i < calls; i++) {
  const r = await run('virsh', ['-c', uri, ...LISTING], { allowFailure: true });
  if (r.exitCode !== 0) throw new Error(`virsh failed: ${r.stderr}`);
  await sleep(interval);
}
const oneShot = { virsh: (await childrenSeconds()) - c0, libvirtd: (await schedSeconds(daemon)) - d0 };

// Session: one virsh for every call.
const session = new VirshSession('virsh', uri);
await session.run(LISTING, 10_000); // started and connected, as after the agent's first tick
const pid = session.pid ?? 0;
d0 = await schedSeconds(daemon);
c0 = await schedSeconds(pid);
for (let i = 0; i < calls; i++) {
  const r = await session.run(LISTING, 10_000);
  if (r.exitCode !== 0) throw new Error(`virsh failed: ${r.stderr}`);
  await sleep(interval);
}
const inSession = { virsh: (await schedSeconds(pid)) - c0, libvirtd: (await schedSeconds(daemon)) - d0 };
session.close();

const ms = (s: number) => ((s / calls) * 1000).toFixed(2).padStart(8);
console.log(`virsh listing (${LISTING.join(' ')}), ${domains} domain(s) running, ${calls} calls ${interval} ms apart`);
console.log('                 virsh ms/call  libvirtd ms/call');
console.log(`one-shot virsh  ${ms(oneShot.virsh)}       ${ms(oneShot.libvirtd)}`);
console.log(`virsh session   ${ms(inSession.virsh)}       ${ms(inSession.libvirtd)}`);
console.log(
  `session / one-shot (virsh + libvirtd): ${((inSession.virsh + inSession.libvirtd) / (oneShot.virsh + oneShot.libvirtd)).toFixed(2)}`,
);
