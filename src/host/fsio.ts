import { readdirSync, readFileSync } from 'node:fs';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HostReadError, HostWriteError } from '../errors.js';

/*
 * Kernel pseudo-files (/proc, /sys) are read synchronously: they never wait on a disk, and a sync read of one costs
 * ~10 µs against ~60 µs through the thread pool. The agent reads ~40 of them per tick (bench/agent-overhead). The
 * functions stay async so callers (and the fixture-reading tests) do not care.
 */

/** Reads a kernel text file; a missing file is an error naming it. */
export function readText(path: string): Promise<string> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch (e) {
    return Promise.reject(new HostReadError(path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
}

/** Reads a kernel text file, or undefined when it does not exist or cannot be read (feature detection). */
export function tryReadText(path: string): Promise<string | undefined> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(undefined);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads every regular readable file of a sysfs directory into name -> text. Missing dir -> undefined. */
export function readDirFiles(dir: string): Promise<Record<string, string> | undefined> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return Promise.resolve(undefined);
  }
  const out: Record<string, string> = {};
  for (const n of names) {
    try {
      out[n] = readFileSync(join(dir, n), 'utf8');
    } catch {
      // write-only or unreadable attribute: skip
    }
  }
  return Promise.resolve(out);
}

/**
 * The one raw write to a kernel file. Callers go through `HostWriter` (host/writer.ts), which checks the allowlist
 * and journals the old value; this only turns the kernel's errno into a sentence.
 */
export async function rawWrite(path: string, value: string): Promise<void> {
  try {
    await writeFile(path, value);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const hints: Record<string, string> = {
      EACCES: 'run as root',
      EPERM: 'run as root; on a container host the file may be read-only',
      EBUSY: 'the kernel refuses while the object is in use (swapoff or unmerge first)',
      EINVAL: 'the kernel rejected the value (check overcommit doctor for what this kernel accepts)',
      ENOENT: 'this kernel does not have that interface (overcommit doctor)',
      ENOMEM: 'the kernel has not enough memory for this change now',
    };
    throw new HostWriteError(path, value.trim(), code, hints[code] ?? 'see dmesg for the kernel message');
  }
}
