import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { addProcess } from '../../host/mechanisms/budget-cgroup.js';
import { exists } from '../../host/fsio.js';
import type { HostJournal } from '../../host/journal/journal.js';
import { isSameProcessAlive } from '../../host/process-identity.js';
import { spawnJournaled, stopProcess } from '../../host/processes.js';
import { undoJournaled } from '../../host/journal/restore.js';
import { GuestBootError } from '../errors.js';
import type { GuestImage } from '../image/builder.js';
import { QmpClient } from '../qmp/client.js';
import { guestDir, loadRecord, saveRecord, type GuestRecord } from '../record.js';
import { guestExec } from '../exec-channel/client.js';
import type { AccelVerdict } from './accel.js';
import { freeLoopbackPorts } from './ports.js';
import { qemuArgs, type QemuSpec, type Service } from './qemu-args.js';
import { memcachedVersion } from './ready.js';

export interface StartOptions {
  stateDir: string;
  name: string;
  memoryBytes: number;
  vcpus?: number;
  services?: Service[];
  diskBytes?: number;
  /** memcached -m in MiB; default memcachedMbFor(memoryBytes). */
  memcachedMb?: number;
  image: GuestImage;
  accel: AccelVerdict;
  qemuVersion: string;
  /** A host-budget memory cgroup of ours to run QEMU in. */
  cgroupPath?: string;
  readyTimeoutMs?: number;
  tcgTbSizeMb?: number;
  deflateOnOom?: boolean;
  freePageReporting?: boolean;
  /**
   * `pvh` (default when the image has it): boot the uncompressed vmlinux directly — 2.3 s instead of 5.1 s to
   * memcached-ready under TCG here, for ~40 MiB more QEMU RSS (the image is held uncompressed). `bzimage`: the
   * compressed kernel, smaller RSS. Measured by bench/guest-boot.ts.
   */
  boot?: 'pvh' | 'bzimage';
}

/** 32 MiB of TCG translation cache instead of QEMU's default: ~30 MiB less RSS per guest, same boot time here. */
export const DEFAULT_TCG_TB_MB = 32;

export const MIN_GUEST_BYTES = 96 * 1024 * 1024;

/**
 * memcached's memory limit (-m, MiB) for a guest of this size: 60 % of its RAM less 16 MiB. The rest is the guest
 * kernel, the initramfs (it stays in RAM) and memcached's own tables; more and the guest OOM-kills memcached
 * (measured: a 192 MiB guest has MemTotal 145 MiB).
 */
export function memcachedMbFor(memoryBytes: number): number {
  return Math.max(16, Math.floor((memoryBytes / (1024 * 1024)) * 0.6) - 16);
}

export function checkGuestName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(name)) {
    throw new UsageError(`invalid guest name '${name}'`, 'use letters, digits, - and _ (at most 32)');
  }
}

export async function serialTail(path: string, lines = 15): Promise<string> {
  const t = await readFile(path, 'utf8').catch(() => '');
  return t.split('\n').filter(Boolean).slice(-lines).join('\n');
}

/**
 * Starts one QEMU guest, journaled before anything exists: its folder (disk image, sockets, logs) and its process.
 * QEMU starts paused (-S) so it can be put into the budget cgroup before it touches guest RAM, then runs.
 * Readiness is a real protocol answer: memcached's `version`, or a command through the control channel.
 */
export async function launchGuest(journal: HostJournal, o: StartOptions): Promise<GuestRecord> {
  const ids: number[] = [];
  try {
    return await launch(journal, o, ids);
  } catch (e) {
    // Undo exactly what this launch created (newest first), nothing else: a guest of the same name that was
    // already running, or guests started in parallel, keep their files.
    await undoJournaled(journal, ids);
    throw e;
  }
}

async function launch(journal: HostJournal, o: StartOptions, ids: number[]): Promise<GuestRecord> {
  checkGuestName(o.name);
  if (o.memoryBytes < MIN_GUEST_BYTES)
    throw new UsageError(`guest memory ${o.memoryBytes} B is too small`, 'use at least 96M');
  const old = await loadRecord(o.stateDir, o.name);
  if (old && (await isSameProcessAlive(journal.paths.proc, old.pid, old.startTime))) {
    throw new UsageError(
      `a guest named '${o.name}' is already running (pid ${old.pid})`,
      `pick another name or overcommit vm stop ${o.name}`,
    );
  }
  // The kernel holds the initramfs archive and its unpacked files in RAM at once, and rootfs may use only half of
  // what is left after the kernel: about 3x the archive plus 48 MiB.
  const initrdBytes = (await stat(o.image.initrd)).size;
  const needBytes = initrdBytes * 3 + 48 * 1024 * 1024;
  if (needBytes > o.memoryBytes) {
    const need = Math.ceil(needBytes / (1024 * 1024));
    throw new UsageError(
      `the guest image's initramfs (${Math.round(initrdBytes / (1024 * 1024))} MiB) does not fit a ${Math.round(o.memoryBytes / (1024 * 1024))} MiB guest`,
      `give the guest at least ${need}M`,
    );
  }
  const dir = guestDir(o.stateDir, o.name);
  if (await exists(dir))
    throw new UsageError(`${dir} exists from an earlier guest`, `overcommit vm stop ${o.name} removes it`);
  ids.push(await journal.record({ kind: 'dir', path: dir }));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [control, memcached, iperf3] = (await freeLoopbackPorts(3)) as [number, number, number];
  const services = o.services ?? ['memcached'];
  const spec: QemuSpec = {
    name: o.name,
    marker: `ovc-${randomBytes(6).toString('hex')}`,
    memoryBytes: o.memoryBytes,
    vcpus: o.vcpus ?? 1,
    accel: o.accel.accel,
    kernel: o.boot !== 'bzimage' && o.image.pvhKernel ? o.image.pvhKernel : o.image.kernel,
    initrd: o.image.initrd,
    services,
    memcachedMb: o.memcachedMb ?? memcachedMbFor(o.memoryBytes),
    token: randomBytes(12).toString('hex'),
    ports: { control, memcached, iperf3 },
    qmpSocket: join(dir, 'qmp.sock'),
    serialLog: join(dir, 'serial.log'),
    pidFile: join(dir, 'qemu.pid'),
  };
  spec.tcgTbSizeMb = o.tcgTbSizeMb ?? DEFAULT_TCG_TB_MB;
  if (o.deflateOnOom !== undefined) spec.deflateOnOom = o.deflateOnOom;
  if (o.freePageReporting !== undefined) spec.freePageReporting = o.freePageReporting;
  if (o.image.tools) spec.tools = o.image.tools;
  if (o.diskBytes) {
    spec.disk = join(dir, 'disk.img');
    await (await open(spec.disk, 'wx', 0o600)).close();
    await truncate(spec.disk, o.diskBytes);
  }
  const procId = await journal.record({
    kind: 'process',
    pid: null,
    startTime: null,
    marker: spec.marker,
    command: `qemu guest ${o.name}`,
  });
  ids.push(procId);
  const { pid, startTime } = await spawnJournaled(journal, procId, 'qemu-system-x86_64', ['-S', ...qemuArgs(spec)], {
    outputFile: join(dir, 'qemu.stderr'),
    stdout: false,
  });
  const record: GuestRecord = {
    name: o.name,
    pid,
    startTime,
    dir,
    qmpSocket: spec.qmpSocket,
    serialLog: spec.serialLog,
    ports: spec.ports,
    token: spec.token,
    memoryBytes: o.memoryBytes,
    vcpus: spec.vcpus,
    services,
    accel: o.accel.accel,
    qemuVersion: o.qemuVersion,
    guestKernel: o.image.kernelVersion,
    boot: spec.kernel === o.image.pvhKernel ? 'pvh' : 'bzimage',
    hostKernel: (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim(),
    thp:
      (await readFile('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').catch(() => '')).match(/\[(\w+)\]/)?.[1] ??
      'n/a',
    imageKey: o.image.key,
    startedAt: new Date().toISOString(),
    journalIds: ids,
  };
  if (o.accel.reason) record.accelReason = o.accel.reason;
  if (spec.disk) record.disk = spec.disk;
  await saveRecord(record);
  const fail = async (why: string): Promise<never> => {
    await stopProcess(journal.paths, pid, startTime, 1000);
    const stderr = await readFile(join(dir, 'qemu.stderr'), 'utf8').catch(() => '');
    throw new GuestBootError(
      o.name,
      `${why}${stderr.trim() ? ` (qemu: ${stderr.trim().split('\n').slice(-2).join(' | ')})` : ''}`,
      await serialTail(spec.serialLog),
    );
  };
  let qmp: QmpClient | undefined;
  try {
    qmp = await QmpClient.connect(spec.qmpSocket, { connectTimeoutMs: 10_000, commandTimeoutMs: 5000 });
    if (o.cgroupPath) await addProcess(journal, o.cgroupPath, pid);
    await qmp.execute('cont');
    await qmp.enableGuestStatsPolling(1);
  } catch (e) {
    qmp?.close();
    return fail(`QMP: ${(e as Error).message}`);
  }
  qmp.close();
  const deadline = Date.now() + (o.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (!(await isSameProcessAlive(journal.paths.proc, pid, startTime))) return fail('QEMU exited during boot');
    const ready = services.includes('memcached')
      ? (await memcachedVersion(memcached, 1000)) !== undefined
      : await guestExec(control, spec.token, 'true', 2000).then(
          (r) => r.exitCode === 0,
          () => false,
        );
    if (ready) return record;
    if (Date.now() > deadline) return fail(`no readiness within ${(o.readyTimeoutMs ?? 120_000) / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
