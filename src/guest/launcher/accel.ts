import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exists } from '../../host/fsio.js';
import { run } from '../../util/exec.js';
import { READY_MARKER } from '../image/init-script.js';
import type { Accel } from './qemu-args.js';

export interface AccelVerdict {
  accel: Accel;
  /** Why not KVM, when TCG was chosen. */
  reason?: string;
  probedAt?: string;
}

export async function qemuVersion(): Promise<string> {
  const r = await run('qemu-system-x86_64', ['--version'], { hint: 'apt-get install qemu-system-x86' });
  return /version (\S+)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0] ?? 'unknown';
}

/** Boots the image under KVM and waits for the ready marker on the serial console. */
async function probeKvm(kernel: string, initrd: string, timeoutMs: number): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-kvm-probe-'));
  const serial = join(dir, 'serial.log');
  const child = spawn(
    'qemu-system-x86_64',
    [
      '-accel',
      'kvm',
      '-cpu',
      'host',
      '-m',
      '128M',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-serial',
      `file:${serial}`,
      '-kernel',
      kernel,
      '-initrd',
      initrd,
      '-append',
      'console=ttyS0 quiet panic=-1 ovc.services=none',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) return `QEMU exited under KVM: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
      const log = await readFile(serial, 'utf8').catch(() => '');
      if (log.includes(READY_MARKER)) return undefined;
      await new Promise((r) => setTimeout(r, 200));
    }
    return `a guest did not boot under KVM within ${timeoutMs / 1000} s (nested virtualization?)`;
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * KVM when a probe guest really boots under it, else TCG with the reason. /dev/kvm alone proves nothing (nested
 * KVM on some hosts cannot boot a stock kernel). The verdict is cached per host kernel, QEMU and guest kernel.
 * OVERCOMMIT_ACCEL=kvm|tcg overrides.
 */
export async function chooseAccel(
  cacheDir: string,
  kernel: string,
  initrd: string,
  guestKernelVersion: string,
): Promise<AccelVerdict> {
  const forced = process.env.OVERCOMMIT_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return { accel: forced, reason: 'OVERCOMMIT_ACCEL' };
  if (!(await exists('/dev/kvm'))) return { accel: 'tcg', reason: 'no /dev/kvm' };
  const hostKernel = (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim();
  const file = join(
    cacheDir,
    'accel',
    `${hostKernel}_${await qemuVersion()}_${guestKernelVersion}.json`.replace(/[^a-z0-9._-]+/gi, '_'),
  );
  const cached = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as AccelVerdict,
    () => undefined,
  );
  if (cached) return cached;
  const why = await probeKvm(kernel, initrd, 20_000);
  const verdict: AccelVerdict = why
    ? { accel: 'tcg', reason: why, probedAt: new Date().toISOString() }
    : { accel: 'kvm', probedAt: new Date().toISOString() };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(verdict) + '\n');
  return verdict;
}
