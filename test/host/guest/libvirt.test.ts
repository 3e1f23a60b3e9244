/**
 * The libvirt source on a real libvirtd and a real TCG domain: one `virsh domstats --balloon --list-running` finds the
 * domain with its balloon and statistics, the source sets the stats period, a poll is answered from the listing
 * without another virsh call, it balloons the domain with setmem and sees `actual` follow. Needs libvirt (Debian libvirt-daemon-system,
 * libvirt-clients). When libvirtd is installed but not running (no systemd on this machine kind), the test starts
 * virtlogd and libvirtd itself and stops them afterwards; a libvirtd that was already running is left alone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exists } from '../../../src/host/fsio.js';
import { buildImage } from '../../../src/guest/image/builder.js';
import { GuestGoneError } from '../../../src/guest/managed/errors.js';
import { LibvirtSource, type VirshRunner } from '../../../src/guest/managed/libvirt.js';
import { VirshSession } from '../../../src/guest/managed/virsh-session.js';
import type { ManagedGuest } from '../../../src/guest/managed/source.js';
import { pollGuests } from '../../../src/guest/managed/poller.js';
import { run } from '../../../src/util/exec.js';
import { requireHost, waitFor } from '../helpers.js';

const URI = 'qemu:///system';
const MiB = 1024 * 1024;
const LIBVIRTD = '/usr/sbin/libvirtd';
const VIRTLOGD = '/usr/sbin/virtlogd';
const INSTALL = 'apt-get install libvirt-daemon-system libvirt-clients';

function virsh(args: string[], allowFailure = false) {
  return run('virsh', ['-c', URI, ...args], { timeoutMs: 30_000, allowFailure });
}

async function libvirtdAnswers(): Promise<boolean> {
  try {
    return (await virsh(['version'], true)).exitCode === 0;
  } catch {
    return false; // no virsh at all
  }
}

/** Daemons this test started (and must stop). */
const started: ChildProcess[] = [];

function startDaemon(program: string): ChildProcess {
  const child = spawn(program, [], { stdio: 'ignore' });
  child.on('error', () => {}); // reported by the wait below
  started.push(child);
  return child;
}

async function stopDaemons(): Promise<void> {
  for (const child of started.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
  started.length = 0;
}

/** Why libvirt cannot be used here, or undefined once libvirtd answers (started by this test if need be). */
async function ensureLibvirt(): Promise<string | undefined> {
  if (!(await exists(LIBVIRTD)) || !(await exists(VIRTLOGD))) return `libvirtd is not installed (${INSTALL})`;
  if (await libvirtdAnswers()) return undefined;
  if (!(await exists('/run/libvirt/virtlogd-sock'))) startDaemon(VIRTLOGD);
  const daemon = startDaemon(LIBVIRTD);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) break;
    if (await libvirtdAnswers()) return undefined;
    await sleep(200);
  }
  const why = (await virsh(['version'], true).catch((e: Error) => ({ stderr: e.message }))).stderr.trim();
  await stopDaemons();
  return `libvirtd did not come up (exit ${daemon.exitCode ?? 'none'}): ${why}`;
}

/** Like requireHost, for libvirt: skip with the reason, or fail under OVERCOMMIT_REQUIRE_HOST=1. */
async function requireLibvirt(t: TestContext): Promise<boolean> {
  const why = await ensureLibvirt();
  if (why === undefined) return true;
  if (process.env.OVERCOMMIT_REQUIRE_HOST === '1')
    assert.fail(`libvirt test cannot run (${why}) and OVERCOMMIT_REQUIRE_HOST=1`);
  t.skip(why);
  return false;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/**
 * A transient TCG domain: 256 MiB, the project's guest image, a virtio memballoon without a stats period (the source
 * sets it), no disk, no network. `relabel='no'`: libvirt must not chown the shared image cache; QEMU runs as root.
 */
function domainXml(name: string, kernel: string, initrd: string, serialLog: string): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <currentMemory unit='MiB'>256</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>${xmlEscape(kernel)}</kernel>
    <initrd>${xmlEscape(initrd)}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check ovc.services=memcached ovc.mcmem=64</cmdline>
  </os>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='${xmlEscape(serialLog)}'/><target port='0'/></serial>
    <memballoon model='virtio'/>
  </devices>
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
</domain>
`;
}

async function timeUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  await waitFor(what, async () => (await fn()) || undefined, timeoutMs);
  return Math.round(performance.now() - start);
}

describe('libvirt source (virsh) on a real TCG domain', () => {
  test(
    'finds the domain and its statistics in one domstats call, sets the stats period, balloons with setmem',
    { timeout: 180_000 },
    async (t) => {
      if (!(await requireHost(t, ['root', 'qemu']))) return;
      if (!(await requireLibvirt(t))) return;
      const name = `ovc-test-${randomBytes(4).toString('hex')}`;
      const dir = await mkdtemp('/var/tmp/ovc-libvirt-');
      const calls: string[] = [];
      const runner: VirshRunner = (args, timeoutMs) => {
        calls.push(args.join(' '));
        return run('virsh', ['-c', URI, ...args], { timeoutMs, allowFailure: true });
      };
      // The listing goes through one long-lived virsh, as in the agent; the other commands through their own.
      const session = new VirshSession('virsh', URI);
      const listingRunner: VirshRunner = (args, timeoutMs) => {
        calls.push(`session: ${args.join(' ')}`);
        return session.run(args, timeoutMs);
      };
      const source = new LibvirtSource({ uri: URI, statsPeriodSeconds: 1, runner, listingRunner });
      try {
        const image = await buildImage({ log: (l) => t.diagnostic(l) });
        const xml = join(dir, 'domain.xml');
        await writeFile(xml, domainXml(name, image.pvhKernel ?? image.kernel, image.initrd, join(dir, 'serial.log')));
        await virsh(['create', xml]);

        const g: ManagedGuest = await waitFor(
          `domain ${name} in the libvirt source`,
          async () => (await source.list()).find((x) => x.name === name),
          30_000,
        );
        assert.equal(g.source, 'libvirt');
        assert.ok(g.pid !== undefined, 'pid from /run/libvirt/qemu/NAME.pid');
        const cmdline = (await readFile(`/proc/${g.pid}/cmdline`, 'utf8')).split('\0');
        assert.ok(cmdline.includes(`guest=${name},debug-threads=on`), 'the pid is this domain’s QEMU');
        assert.equal(await g.memoryBytes(), 256 * MiB);
        assert.equal(await g.balloonActual(), 256 * MiB);

        // No <stats period> in the XML: the listing sets one (dommemstat --period 1 --live); reports follow.
        assert.ok(calls.includes(`dommemstat ${name} --period 1 --live`), calls.join(', '));
        const statsMs = await timeUntil('guest statistics', async () => (await g.stats()) !== undefined, 60_000);
        const stats = await g.stats();
        t.diagnostic(`statistics ${statsMs} ms after the domain was listed; total ${stats?.stats.totalMemory} bytes`);
        assert.ok((stats?.stats.totalMemory ?? 0) > 150 * MiB);
        assert.ok((stats?.stats.availableMemory ?? 0) > 0);

        // As the agent does each tick: list, then poll. The listing answers the poll: no virsh call per guest.
        assert.equal(
          (await source.list()).find((x) => x.name === name),
          g,
        );
        const before = calls.length;
        const [poll] = await pollGuests([g], 2000);
        assert.equal(poll?.status, 'ok', poll?.error);
        assert.equal(poll?.snapshot?.balloonActualBytes, 256 * MiB);
        assert.equal(poll?.snapshot?.memoryBytes, 256 * MiB);
        assert.ok((poll?.snapshot?.stats?.stats.availableMemory ?? 0) > 0);
        assert.deepEqual(calls.slice(before), []);

        // The driver is up (it reports statistics): inflate to 128 MiB.
        await g.setBalloon(128 * MiB);
        const inflateMs = await timeUntil(
          'actual to reach 128 MiB',
          async () => (await g.balloonActual()) <= 128 * MiB,
          10_000,
        );
        t.diagnostic(`setmem 131072 KiB -> domstats balloon.current 131072 in ${inflateMs} ms`);
        assert.equal(await g.balloonActual(), 128 * MiB);

        await g.setBalloon(256 * MiB);
        const deflateMs = await timeUntil(
          'actual back at 256 MiB',
          async () => (await g.balloonActual()) === 256 * MiB,
          10_000,
        );
        t.diagnostic(`setmem 262144 KiB -> actual 262144 in ${deflateMs} ms`);

        assert.ok((await source.list()).some((x) => x.name === name));
        await virsh(['destroy', name]);
        assert.ok(!(await source.list()).some((x) => x.name === name), 'a domain that stopped drops out');
        await assert.rejects(g.balloonActual(), GuestGoneError);
        const listings = calls.filter((c) => c === 'session: domstats --balloon --list-running --nowait').length;
        assert.ok(listings >= 3, `${listings} listings`);
        assert.equal(session.started, 1, 'every listing went through the same virsh');
      } finally {
        source.close();
        session.close();
        await virsh(['destroy', name], true).catch(() => undefined);
        await virsh(['undefine', name], true).catch(() => undefined); // transient: normally already gone
        await rm(`/var/log/libvirt/qemu/${name}.log`, { force: true });
        await rm(dir, { recursive: true, force: true });
        const left = await virsh(['list', '--all', '--name'], true).catch(() => ({ stdout: '' }));
        await stopDaemons();
        assert.ok(!left.stdout.split('\n').includes(name), `domain ${name} is gone`);
      }
    },
  );
});
