import { join } from 'node:path';
import { MissingFeatureError, UsageError } from '../../errors.js';
import { run } from '../../util/exec.js';
import { exists, rawWrite, readDirNames, readText, tryReadText } from '../fsio.js';
import { testKillPoint, type HostJournal } from '../journal/journal.js';
import { parseChoice } from '../journal/knobs.js';
import type { HostPaths } from '../paths.js';
import type { JournalObject } from '../journal/journal-data.js';
import { needPrograms } from '../programs.js';
import { swapOff, swapOn } from '../swaps.js';
import { check, type Mechanism } from './mechanism.js';

/** /sys/block/zramN/mm_stat, in the kernel's field order (Documentation/admin-guide/blockdev/zram.rst). */
export interface ZramMmStat {
  origDataSizeBytes: number;
  comprDataSizeBytes: number;
  memUsedTotalBytes: number;
  memLimitBytes: number;
  memUsedMaxBytes: number;
  samePages: number;
  pagesCompacted: number;
  hugePages?: number;
  hugePagesSince?: number;
}

export function parseMmStat(text: string): ZramMmStat {
  const f = text.trim().split(/\s+/).map(Number);
  const out: ZramMmStat = {
    origDataSizeBytes: f[0] ?? 0,
    comprDataSizeBytes: f[1] ?? 0,
    memUsedTotalBytes: f[2] ?? 0,
    memLimitBytes: f[3] ?? 0,
    memUsedMaxBytes: f[4] ?? 0,
    samePages: f[5] ?? 0,
    pagesCompacted: f[6] ?? 0,
  };
  if (f[7] !== undefined) out.hugePages = f[7];
  if (f[8] !== undefined) out.hugePagesSince = f[8];
  return out;
}

export interface ZramIoStat {
  failedReads: number;
  failedWrites: number;
  invalidIo: number;
  notifyFree: number;
}

export function parseIoStat(text: string): ZramIoStat {
  const f = text.trim().split(/\s+/).map(Number);
  return { failedReads: f[0] ?? 0, failedWrites: f[1] ?? 0, invalidIo: f[2] ?? 0, notifyFree: f[3] ?? 0 };
}

/** bd_stat (CONFIG_ZRAM_WRITEBACK): counts of 4K pages on the backing device, read from it, written to it. */
export interface ZramBdStat {
  bdCountPages: number;
  bdReadsPages: number;
  bdWritesPages: number;
}

export function parseBdStat(text: string): ZramBdStat {
  const f = text.trim().split(/\s+/).map(Number);
  return { bdCountPages: f[0] ?? 0, bdReadsPages: f[1] ?? 0, bdWritesPages: f[2] ?? 0 };
}

export interface ZramDevice {
  index: number;
  name: string;
  disksizeBytes: number;
  algorithm?: string;
  algorithms: string[];
  memLimitBytes?: number;
  backingDev?: string;
  mm?: ZramMmStat;
  io?: ZramIoStat;
  bd?: ZramBdStat;
  /** orig / compr of what is stored (0 when empty). */
  compressionRatio: number;
}

/** Builds a device from its sysfs files (name -> text). Pure. */
export function parseZramDevice(index: number, files: Record<string, string>): ZramDevice {
  const alg = files.comp_algorithm !== undefined ? parseChoice(files.comp_algorithm) : undefined;
  const dev: ZramDevice = {
    index,
    name: `zram${index}`,
    disksizeBytes: Number((files.disksize ?? '0').trim()),
    algorithms: alg?.values ?? [],
    compressionRatio: 0,
  };
  if (alg?.selected) dev.algorithm = alg.selected;
  if (files.mm_stat !== undefined) {
    dev.mm = parseMmStat(files.mm_stat);
    dev.memLimitBytes = dev.mm.memLimitBytes;
    if (dev.mm.comprDataSizeBytes > 0) dev.compressionRatio = dev.mm.origDataSizeBytes / dev.mm.comprDataSizeBytes;
  }
  if (files.io_stat !== undefined) dev.io = parseIoStat(files.io_stat);
  if (files.bd_stat !== undefined) dev.bd = parseBdStat(files.bd_stat);
  if (files.backing_dev !== undefined && files.backing_dev.trim() !== 'none') dev.backingDev = files.backing_dev.trim();
  return dev;
}

const DEVICE_FILES = ['disksize', 'comp_algorithm', 'mm_stat', 'io_stat', 'bd_stat', 'backing_dev'];

export async function listZramIndices(paths: HostPaths): Promise<number[]> {
  const names = await readDirNames(join(paths.sys, 'block'));
  return names
    .map((n) => /^zram(\d+)$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function readZramDevice(paths: HostPaths, index: number): Promise<ZramDevice | undefined> {
  const dir = join(paths.sys, 'block', `zram${index}`);
  if (!(await exists(dir))) return undefined;
  const files: Record<string, string> = {};
  for (const f of DEVICE_FILES) {
    const t = await tryReadText(join(dir, f));
    if (t !== undefined) files[f] = t;
  }
  return parseZramDevice(index, files);
}

export async function readZramDevices(paths: HostPaths): Promise<ZramDevice[]> {
  const out: ZramDevice[] = [];
  for (const i of await listZramIndices(paths)) {
    const d = await readZramDevice(paths, i);
    if (d) out.push(d);
  }
  return out;
}

/** The algorithms the kernel offers, read from any zram device (or undefined without the zram module). */
export async function zramAlgorithms(paths: HostPaths): Promise<string[] | undefined> {
  for (const i of await listZramIndices(paths)) {
    const t = await tryReadText(join(paths.sys, 'block', `zram${i}`, 'comp_algorithm'));
    if (t !== undefined) return parseChoice(t).values;
  }
  return undefined;
}

export interface ZramSwapOptions {
  sizeBytes: number;
  algorithm?: string;
  memLimitBytes?: number;
  backingDev?: string;
  priority: number;
}

const controlDir = (paths: HostPaths) => join(paths.sys, 'class/zram-control');

/**
 * Creates our own zram swap device: hot_add (or, if the kernel has no zram-control, a free unconfigured device),
 * algorithm before disksize (the kernel ignores it after), optional backing device and memory limit, mkswap, swapon.
 * The device is journaled before it exists, so a crash at any step is undone by restore.
 */
export async function createZramSwap(journal: HostJournal, opts: ZramSwapOptions): Promise<ZramDevice> {
  const { paths } = journal;
  const before = await listZramIndices(paths);
  const hotAdd = join(controlDir(paths), 'hot_add');
  const canHotAdd = await exists(hotAdd);
  let index: number;
  let objId: number;
  if (canHotAdd) {
    objId = await journal.record({ kind: 'zram', index: null, existingBefore: before, hotAdded: true });
    index = Number((await readText(hotAdd)).trim());
    testKillPoint('zram:hot-added');
  } else {
    const free: number[] = [];
    for (const i of before) if ((await readZramDevice(paths, i))?.disksizeBytes === 0) free.push(i);
    if (free[0] === undefined) {
      throw new MissingFeatureError(
        'a free zram device',
        'modprobe zram num_devices=1 (or a kernel with zram-control)',
      );
    }
    index = free[0];
    objId = await journal.record({ kind: 'zram', index, existingBefore: before, hotAdded: false });
  }
  await journal.update(objId, { index });
  const dir = join(paths.sys, 'block', `zram${index}`);
  const dev = await readZramDevice(paths, index);
  if (opts.algorithm !== undefined) {
    if (dev && dev.algorithms.length > 0 && !dev.algorithms.includes(opts.algorithm)) {
      throw new UsageError(
        `zram algorithm '${opts.algorithm}' is not offered by this kernel`,
        `use one of: ${dev.algorithms.join(', ')}`,
      );
    }
    await journal.writeOwned('zram', index, join(dir, 'comp_algorithm'), opts.algorithm);
  }
  if (opts.backingDev !== undefined) {
    if (!(await exists(join(dir, 'backing_dev')))) {
      throw new MissingFeatureError('zram writeback (backing_dev)', 'use a kernel built with CONFIG_ZRAM_WRITEBACK');
    }
    await journal.writeOwned('zram', index, join(dir, 'backing_dev'), opts.backingDev);
  }
  await journal.writeOwned('zram', index, join(dir, 'disksize'), String(opts.sizeBytes));
  if (opts.memLimitBytes !== undefined) {
    await journal.writeOwned('zram', index, join(dir, 'mem_limit'), String(opts.memLimitBytes));
  }
  const node = join(paths.dev, `zram${index}`);
  await waitForNode(node);
  await run('mkswap', [node], { hint: 'mkswap is in util-linux (apt-get install util-linux)' });
  await swapOn(paths, node, opts.priority);
  return (await readZramDevice(paths, index)) as ZramDevice;
}

async function waitForNode(node: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await exists(node)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new MissingFeatureError(`the device node ${node}`, 'udev or devtmpfs did not create it; check /dev');
}

/**
 * Tears down one of our zram devices: swapoff if it is a swap, reset, hot_remove (when we hot-added it).
 * Idempotent: a device already gone is fine. Never called for devices we did not create (restore checks the journal).
 */
export async function destroyZram(paths: HostPaths, index: number, hotAdded: boolean): Promise<string[]> {
  const done: string[] = [];
  const dir = join(paths.sys, 'block', `zram${index}`);
  if (!(await exists(dir))) return done;
  const node = join(paths.dev, `zram${index}`);
  if (await swapOff(paths, node)) done.push(`swapoff ${node}`);
  await rawWrite(join(dir, 'reset'), '1');
  done.push(`reset zram${index}`);
  if (hotAdded && (await exists(join(controlDir(paths), 'hot_remove')))) {
    await rawWrite(join(controlDir(paths), 'hot_remove'), String(index));
    done.push(`hot_remove zram${index}`);
  }
  return done;
}

type ZramObject = Extract<JournalObject, { kind: 'zram' }>;

/**
 * Undoes one journaled zram device. A device whose index was never journaled (overcommit died between hot_add and
 * the next write) is the one new, unconfigured device that was not there before; with several such, none is touched.
 */
async function undoZram(paths: HostPaths, o: ZramObject): Promise<string[]> {
  let index = o.index;
  if (index === null) {
    const fresh: number[] = [];
    for (const i of await listZramIndices(paths)) {
      if (o.existingBefore.includes(i)) continue;
      if ((await readZramDevice(paths, i))?.disksizeBytes === 0) fresh.push(i);
    }
    if (fresh.length !== 1)
      return fresh.length === 0 ? [] : [`left zram${fresh.join(', zram')}: cannot tell which is ours`];
    index = fresh[0] as number;
  }
  return destroyZram(paths, index, o.hotAdded);
}

export type ZramStep = { op: 'zram' } & ZramSwapOptions;
export interface ZramFacts {
  control: boolean;
  moduleLoaded: boolean;
  algorithms: string[];
}

/** Compressed swap in RAM: a zram device of ours (hot-added), made swap at a high priority. */
export const zramMechanism = {
  name: 'zram' as const,
  step: {
    describe: (s) =>
      `zram swap device (${s.sizeBytes} B${s.algorithm ? `, ${s.algorithm}` : ''}${s.memLimitBytes ? `, mem_limit ${s.memLimitBytes} B` : ''}, priority ${s.priority})`,
    preflight: async ({ paths }, s) => {
      await needPrograms(['mkswap', 'swapon', 'swapoff']);
      const hasControl = await exists(join(controlDir(paths), 'hot_add'));
      if (!hasControl && (await listZramIndices(paths)).length === 0) {
        throw new MissingFeatureError('zram', 'load the module: modprobe zram');
      }
      const algs = await zramAlgorithms(paths);
      if (s.algorithm !== undefined && algs && !algs.includes(s.algorithm)) {
        throw new UsageError(
          `zram algorithm '${s.algorithm}' is not offered by this kernel`,
          `use one of: ${algs.join(', ')}`,
        );
      }
    },
    apply: async (journal, s) => {
      const dev = await createZramSwap(journal, s);
      return [`zram: /dev/${dev.name} (${dev.algorithm ?? '?'}) is swap`];
    },
    makesSwap: true,
  },
  objects: {
    kind: 'zram',
    undo: undoZram,
    swapNames: (paths, o) => (o.index !== null ? [join(paths.dev, `zram${o.index}`)] : []),
  },
  status: async (paths, journal) => {
    const ours = new Set(
      journal?.objects.flatMap((o) => (o.kind === 'zram' && o.index !== null ? [o.index] : [])) ?? [],
    );
    return (await readZramDevices(paths)).map((d) => ({ ...d, ours: ours.has(d.index) }));
  },
  doctor: {
    facts: async (paths) => ({
      control: await exists(join(controlDir(paths), 'hot_add')),
      moduleLoaded: await exists(join(paths.sys, 'module/zram')),
      algorithms: (await zramAlgorithms(paths)) ?? [],
    }),
    diagnose: (f) => [
      check(
        'zram',
        f.control || f.algorithms.length > 0,
        f.control
          ? `zram-control present; algorithms: ${f.algorithms.join(', ') || '?'}`
          : f.moduleLoaded
            ? 'zram loaded without zram-control'
            : 'zram module not loaded',
        'modprobe zram',
      ),
    ],
  },
} satisfies Mechanism<ZramStep, Array<ZramDevice & { ours: boolean }>, ZramFacts, 'zram'>;
