import { Guest } from '../../guest/guest.js';
import type { Layer } from '../../guest/image/builder.js';
import type { Service } from '../../guest/launcher/qemu-args.js';
import { startGuest } from '../../guest/start.js';
import { UsageError } from '../../errors.js';
import { HostJournal } from '../../host/journal/journal.js';
import { formatBytes, parseSize } from '../../util/size.js';
import { cliContext, printJson, requireRoot } from '../context.js';
import { table } from '../render/table.js';

const SERVICES: Service[] = ['memcached', 'iperf3'];

export function parseServices(text: string): Service[] {
  const out: Service[] = [];
  for (const s of text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (s === 'none') continue;
    if (!(SERVICES as string[]).includes(s))
      throw new UsageError(`unknown service '${s}'`, `use ${SERVICES.join(', ')} or none`);
    out.push(s as Service);
  }
  return out;
}

export interface VmStartFlags {
  memory: string;
  vcpus?: number;
  services?: string;
  disk?: string;
  fio?: boolean;
  kernel?: string;
  cacheDir?: string;
  json?: boolean;
  stateDir?: string;
}

export async function vmStart(name: string, f: VmStartFlags): Promise<void> {
  const ctx = cliContext(f.stateDir);
  const memoryBytes = parseSize(f.memory, '--memory');
  const services = parseServices(f.services ?? 'memcached');
  const diskBytes = f.disk !== undefined ? parseSize(f.disk, '--disk') : undefined;
  if (f.vcpus !== undefined && (f.vcpus < 1 || f.vcpus > 64))
    throw new UsageError(`invalid --vcpus '${f.vcpus}'`, 'use 1 to 64');
  requireRoot('vm start');
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const journal = await HostJournal.attach(ctx.paths, ctx.stateDir, `vm start ${name}`);
  const layers: Layer[] = f.fio ? ['fio'] : [];
  const build = { layers, ...(f.kernel ? { kernel: f.kernel } : {}), ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}) };
  const s = await startGuest(journal, {
    stateDir: ctx.stateDir,
    name,
    memoryBytes,
    services,
    build,
    log,
    ...(f.vcpus ? { vcpus: f.vcpus } : {}),
    ...(diskBytes ? { diskBytes } : {}),
  });
  const r = s.guest.record;
  if (f.json) printJson({ ...r, token: undefined, bootMs: s.bootMs, imageFetched: s.image.fetched });
  else {
    process.stdout.write(
      `${name}: ready in ${(s.bootMs / 1000).toFixed(1)} s (pid ${r.pid}, ${r.accel}, ${formatBytes(memoryBytes)}), memcached 127.0.0.1:${r.ports.memcached}, iperf3 127.0.0.1:${r.ports.iperf3}\n`,
    );
  }
}

export async function vmList(f: { json?: boolean; stateDir?: string }): Promise<void> {
  const ctx = cliContext(f.stateDir);
  const guests = await Guest.list(ctx.paths, ctx.stateDir);
  const rows = await Promise.all(
    guests.map(async (g) => ({ record: g.record, snap: await g.snapshot().finally(() => g.close()) })),
  );
  if (f.json) {
    printJson(rows.map(({ record, snap }) => ({ ...record, token: undefined, ...snap })));
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('no guests\n');
    return;
  }
  const t = [['NAME', 'STATE', 'PID', 'MEMORY', 'BALLOON', 'RSS', 'KSM PAGES', 'ACCEL', 'MEMCACHED']];
  for (const { record: r, snap: s } of rows) {
    t.push([
      r.name,
      s.alive ? 'running' : 'dead',
      String(r.pid),
      formatBytes(r.memoryBytes),
      s.balloonActualBytes !== undefined ? formatBytes(s.balloonActualBytes) : '-',
      s.process ? formatBytes(s.process.rssBytes) : '-',
      s.ksm ? String(s.ksm.mergingPages) : '-',
      r.accel,
      `127.0.0.1:${r.ports.memcached}`,
    ]);
  }
  process.stdout.write(table(t) + '\n');
}

export async function vmBalloon(name: string, size: string, f: { stateDir?: string; json?: boolean }): Promise<void> {
  const ctx = cliContext(f.stateDir);
  const bytes = parseSize(size, 'balloon target');
  const g = await Guest.open(ctx.paths, ctx.stateDir, name);
  if (bytes > g.record.memoryBytes)
    throw new UsageError(
      `balloon target ${size} is above ${name}'s memory (${formatBytes(g.record.memoryBytes)})`,
      'the balloon can only give back memory the guest was started with',
    );
  try {
    await g.setBalloon(bytes);
    const actual = await g.balloonActual();
    if (f.json) printJson({ name, targetBytes: bytes, actualBytes: actual });
    else
      process.stdout.write(
        `${name}: balloon target ${formatBytes(bytes)} (actual now ${formatBytes(actual)}; the guest gives pages back over the next seconds)\n`,
      );
  } finally {
    g.close();
  }
}

export async function vmStats(name: string, f: { stateDir?: string; json?: boolean }): Promise<void> {
  const ctx = cliContext(f.stateDir);
  const g = await Guest.open(ctx.paths, ctx.stateDir, name);
  try {
    await g.assertAlive();
    const snap = await g.snapshot();
    const inside = await g.inGuest();
    if (f.json) {
      printJson({ ...snap, inGuest: inside });
      return;
    }
    const st = snap.stats?.stats;
    const b = (n?: number) => (n === undefined ? '-' : formatBytes(n));
    const rows = [
      ['balloon actual', b(snap.balloonActualBytes)],
      ['guest total / available / free', `${b(st?.totalMemory)} / ${b(st?.availableMemory)} / ${b(st?.freeMemory)}`],
      [
        'guest major faults / swap in / out',
        `${st?.majorFaults ?? '-'} / ${st?.swapIn ?? '-'} / ${st?.swapOut ?? '-'}`,
      ],
      ['in-guest MemTotal / MemAvailable', `${b(inside.meminfo.MemTotal)} / ${b(inside.meminfo.MemAvailable)}`],
      ['in-guest PSI memory some avg10', inside.pressure ? `${inside.pressure.some.avg10}` : '-'],
      [
        'QEMU RSS / PSS / swap',
        `${b(snap.process?.rssBytes)} / ${b(snap.process?.pssBytes)} / ${b(snap.process?.swapBytes)}`,
      ],
      ['KSM merging pages', `${snap.ksm?.mergingPages ?? '-'}`],
    ];
    process.stdout.write(`${name} (${g.record.accel}, pid ${g.record.pid})\n${table(rows)}\n`);
  } finally {
    g.close();
  }
}

export async function vmExec(
  name: string,
  argv: string[],
  f: { stateDir?: string; timeout?: number },
): Promise<number> {
  if (argv.length === 0)
    throw new UsageError('no command given', `write it after --: overcommit vm exec ${name} -- cat /proc/meminfo`);
  const ctx = cliContext(f.stateDir);
  const g = await Guest.open(ctx.paths, ctx.stateDir, name);
  const r = await g.exec(argv, (f.timeout ?? 600) * 1000);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.exitCode;
}

export async function vmStop(name: string, f: { stateDir?: string }): Promise<void> {
  const ctx = cliContext(f.stateDir);
  requireRoot('vm stop');
  const g = await Guest.open(ctx.paths, ctx.stateDir, name);
  const journal = await HostJournal.attach(ctx.paths, ctx.stateDir, `vm stop ${name}`);
  await g.stop(journal);
  process.stdout.write(`${name}: stopped, files removed\n`);
}
