import { readFile, readdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HostReadError, HostWriteError } from '../errors.js';

/** Reads a kernel text file; a missing file is an error naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new HostReadError(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
}

/** Reads a kernel text file, or undefined when it does not exist or cannot be read (feature detection). */
export async function tryReadText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
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
export async function readDirFiles(dir: string): Promise<Record<string, string> | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  await Promise.all(
    names.map(async (n) => {
      const t = await tryReadText(join(dir, n));
      if (t !== undefined) out[n] = t;
    }),
  );
  return out;
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
