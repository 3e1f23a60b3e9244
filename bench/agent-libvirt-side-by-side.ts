/**
 * bench/agent-libvirt-side-by-side: built agents of two builds (e.g. a git worktree of an older commit and this one,
 * each with `npx tsc -p tsconfig.build.json` run in it), run at once, each managing the same real libvirt domain (a
 * transient 256 MiB TCG guest of the project's image, created and destroyed here), dry run, 1 s tick. Counted per
 * agent over the window: its own threads' run time (schedstat), its reaped children's (cutime + cstime: one-shot
 * virsh calls) and its live children's (schedstat: a virsh session), in % of one core. libvirtd's own CPU is not
 * counted (bench/virsh-listing.ts measures it per call). Needs a running libvirtd, as root.
 *   node --import tsx bench/agent-libvirt-side-by-side.ts BUILD_A BUILD_B [WARMUP_S] [SECONDS]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImage } from '../src/guest/image/builder.js';
import { run } from '../src/util/exec.js';

const [buildA, buildB] = [process.argv[2], process.argv[3]];
if (!buildA || !buildB) throw new Error('usage: agent-libvirt-side-by-side.ts BUILD_A BUILD_B [WARMUP_S] [SECONDS]');
const warm = Number(process.argv[4] ?? '60');
const secs = Number(process.argv[5] ?? '120');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sched = async (pid: number) => {
  let ns = 0;
  for (const t of await readdir(`/proc/${pid}/task`).catch(() => []))
    ns += Number((await readFile(`/proc/${pid}/task/${t}/schedstat`, 'utf8').catch(() => '0')).split(' ')[0]);
  return ns / 1e9;
};
const childTicks = async (pid: number) => {
  const s = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
};
const liveChildren = async (pid: number) => {
  let sum = 0;
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const s = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === pid) sum += await sched(Number(p));
  }
  return sum;
};
const total = async (pid: number) => (await sched(pid)) + (await childTicks(pid)) + (await liveChildren(pid));

const dir = await mkdtemp('/var/tmp/ovc-lvbench-');
const image = await buildImage({ log: () => undefined });
const name = 'ovc-lvbench';
const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>256</memory><currentMemory unit='MiB'>256</currentMemory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type><kernel>${image.pvhKernel ?? image.kernel}</kernel><initrd>${image.initrd}</initrd>
<cmdline>console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check ovc.services=memcached ovc.mcmem=64</cmdline></os>
<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu><on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator><serial type='file'><source path='${dir}/serial.log'/><target port='0'/></serial><memballoon model='virtio'/></devices>
<seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel></domain>`;
await writeFile(join(dir, 'd.xml'), xml);
await run('virsh', ['-c', 'qemu:///system', 'create', join(dir, 'd.xml')]);
await writeFile(
  join(dir, 'a.yaml'),
  'tickSeconds: 1\nguests:\n  libvirt:\n    enabled: true\nhttp:\n  port: 0\nlog:\n  level: warn\n',
);
const agents = [buildA, buildB].map((b, i) =>
  spawn(
    'node',
    [
      '--single-threaded',
      '--min-semi-space-size=8',
      'dist/cli/main.js',
      '--state-dir',
      join(dir, `s${i}`),
      'agent',
      '--config',
      join(dir, 'a.yaml'),
      '--dry-run',
    ],
    { cwd: b, stdio: 'ignore' },
  ),
);
try {
  await sleep(warm * 1000);
  const c0 = await Promise.all(agents.map((a) => total(a.pid ?? 0)));
  await sleep(secs * 1000);
  const c1 = await Promise.all(agents.map((a) => total(a.pid ?? 0)));
  const st = await run('virsh', ['-c', 'qemu:///system', 'domstats', '--balloon', name]);
  console.log(`1 libvirt domain, ${warm} s warm-up, ${secs} s: agent + its virsh, % of one core`);
  agents.forEach((a, i) => {
    const pct = (((c1[i] ?? 0) - (c0[i] ?? 0)) / secs) * 100;
    console.log(`${pct.toFixed(2).padStart(6)} %  ${[buildA, buildB][i] ?? ''} (pid ${a.pid ?? '?'})`);
  });
  console.log(
    st.stdout
      .split('\n')
      .filter((l) => /rss|current|last-update/.test(l))
      .join(' '),
  );
} finally {
  for (const a of agents) a.kill('SIGTERM');
  await sleep(1000);
  await run('virsh', ['-c', 'qemu:///system', 'destroy', name], { allowFailure: true });
  await rm(dir, { recursive: true, force: true });
  await rm(`/var/log/libvirt/qemu/${name}.log`, { force: true });
}
