import { open, stat, statfs, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, normalize } from 'node:path';
import { UsageError } from '../../errors.js';
import { run } from '../../util/exec.js';
import { exists } from '../fsio.js';
import type { HostJournal } from '../journal/journal.js';
import type { HostPaths } from '../paths.js';
import { needPrograms } from '../programs.js';
import { swapOff, swapOn } from '../swaps.js';
import type { Mechanism } from './mechanism.js';

/** System directories a swap file (or any file of ours) may never be put in. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev', '/etc', '/usr', '/boot', '/bin', '/sbin', '/lib', '/lib64', '/run'];

const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

/**
 * Checks a swap file path before anything is created: absolute, outside system directories, not existing yet (we
 * never take over a file we did not create), in an existing directory. Pure except for nothing: callers check the
 * filesystem separately.
 */
export function checkSwapPath(path: string): string {
  if (!isAbsolute(path))
    throw new UsageError(
      `swap path '${path}' is not absolute`,
      'give a full path such as /var/lib/overcommit/swap.img',
    );
  const p = normalize(path);
  if (p.endsWith('/')) throw new UsageError(`swap path '${path}' is a directory`, 'give a file name');
  for (const r of FORBIDDEN_ROOTS) {
    if (p === r || p.startsWith(r + '/')) {
      throw new UsageError(
        `swap path '${path}' is inside ${r}`,
        'put swap files on a data filesystem, e.g. under /var/lib/overcommit or an SSD mount',
        { path },
      );
    }
  }
  return p;
}

export interface SwapFileOptions {
  path: string;
  sizeBytes: number;
  priority: number;
}

/**
 * Read-only checks of where a swap file will go: a new file (we never reuse one we did not create), in an existing
 * directory, on a disk filesystem (not tmpfs/ramfs), with room for it.
 */
export async function checkSwapLocation(path: string, sizeBytes: number): Promise<void> {
  if (sizeBytes < 1024 * 1024) throw new UsageError(`swap size ${sizeBytes} B is too small`, 'use at least 1M');
  if (await exists(path)) {
    throw new UsageError(
      `swap path ${path} already exists`,
      'overcommit never reuses a file it did not create: pick a new path',
    );
  }
  const dir = dirname(path);
  const ds = await stat(dir).catch(() => undefined);
  if (!ds?.isDirectory()) throw new UsageError(`directory ${dir} does not exist`, `create it first (mkdir -p ${dir})`);
  const fs = await statfs(dir);
  if (fs.type === TMPFS_MAGIC || fs.type === RAMFS_MAGIC) {
    throw new UsageError(`${dir} is in RAM (tmpfs)`, 'a swap file must live on a disk filesystem');
  }
  const free = fs.bavail * fs.bsize;
  if (free < sizeBytes * 1.05) {
    throw new UsageError(
      `not enough space in ${dir} for a ${sizeBytes} B swap file (free ${free} B)`,
      'choose a smaller size or another disk',
    );
  }
}

/** Creates, formats and enables a swap file, journaled before it exists. */
export async function createSwapFile(journal: HostJournal, opts: SwapFileOptions): Promise<void> {
  const path = checkSwapPath(opts.path);
  await checkSwapLocation(path, opts.sizeBytes);
  await journal.record({ kind: 'swapfile', path, sizeBytes: opts.sizeBytes });
  const fh = await open(path, 'wx', 0o600); // O_EXCL: fail rather than touch a file that appeared meanwhile
  await fh.close();
  await run('fallocate', ['-l', String(opts.sizeBytes), path], { hint: 'the filesystem may not support fallocate' });
  await run('mkswap', [path], { hint: 'mkswap is in util-linux' });
  await swapOn(
    journal.paths,
    path,
    opts.priority,
    'this filesystem may not support swap files (btrfs needs nocow; tmpfs and some network filesystems cannot)',
  );
}

/** swapoff (if on) and delete one of our swap files. Idempotent. */
export async function destroySwapFile(paths: HostPaths, path: string): Promise<string[]> {
  const done: string[] = [];
  if (await swapOff(paths, path)) done.push(`swapoff ${path}`);
  if (await exists(path)) {
    await unlink(path);
    done.push(`rm ${path}`);
  }
  return done;
}

export type SwapFileStep = { op: 'swapfile' } & SwapFileOptions;

/** A swap file of ours: created new (never an existing file), formatted, on; restore swaps it off and deletes it. */
export const swapFileMechanism = {
  name: 'swapfile' as const,
  step: {
    describe: (s) => `swap file ${s.path} (${s.sizeBytes} B, priority ${s.priority})`,
    preflight: async (_ctx, s) => {
      await needPrograms(['fallocate', 'mkswap', 'swapon', 'swapoff']);
      await checkSwapLocation(s.path, s.sizeBytes);
    },
    apply: async (journal, s) => {
      await createSwapFile(journal, s);
      return [];
    },
    makesSwap: true,
  },
  objects: {
    kind: 'swapfile',
    undo: (paths, o) => destroySwapFile(paths, o.path),
    swapNames: (_paths, o) => [o.path],
  },
} satisfies Mechanism<SwapFileStep, never, never, 'swapfile'>;
