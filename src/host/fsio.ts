import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostReadError, HostWriteError } from '../errors.js';

/*
 * Kernel pseudo-files (/proc, /sys) are read synchronously: they never wait on a disk, and a sync read of one costs
 * ~10 µs against ~60 µs through the thread pool, and a thread-pool call also wakes a pool thread and then the main
 * thread again: on a VM each wake-up costs milliseconds (bench/agent-overhead). The agent reads ~40 of them per tick.
 * The functions stay async so callers (and the fixture-reading tests) do not care.
 */

/**
 * Kernel files read every tick stay open and are read again from offset 0: /proc and sysfs files are seq_files,
 * which generate fresh text for every read at offset 0. Two preads (the text, then EOF) then replace open, fstat,
 * reads and close, and the path walk. A file not read for a minute is closed (a guest's /proc/PID went away).
 * Only /proc, /sys/kernel/mm and /sys/block are kept open: not cgroup files (an open file must never stand in the way
 * of removing our group), and not anything else (test fixtures may be replaced, not rewritten). At most maxOpen files
 * are kept (beyond, a file is read and closed): the agent's limit of open files (a soft 1024 by default) is shared
 * with its guests' sockets, and it keeps two files per guest and about twenty of the host's. A scan over every
 * process reads with tryReadTextOnce instead, so it keeps nothing.
 */
export class KernelFiles {
  private readonly fds = new Map<string, { fd: number; used: boolean }>();
  private buf: Buffer;
  private sweptAt = Date.now();

  constructor(
    private readonly idleMs = 60_000,
    bufferBytes = 16 * 1024,
    private readonly maxOpen = 512,
  ) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  static keeps(path: string): boolean {
    return path.startsWith('/proc/') || path.startsWith('/sys/kernel/mm/') || path.startsWith('/sys/block/');
  }

  /** The file's text now; throws like readFileSync (ENOENT, ESRCH for a process that exited, ...). */
  read(path: string): string {
    this.sweep();
    let f = this.fds.get(path);
    if (!f) {
      if (this.fds.size >= this.maxOpen) return readFileSync(path, 'utf8');
      f = { fd: openSync(path, 'r'), used: true };
      this.fds.set(path, f);
    }
    f.used = true;
    try {
      // A seq_file read returns at most its own buffer (a page to start with), not the whole text: read on to EOF.
      let n = 0;
      for (;;) {
        if (n === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, n);
          this.buf = bigger;
        }
        const got = readSync(f.fd, this.buf, n, this.buf.length - n, n);
        if (got === 0) break;
        n += got;
      }
      return this.buf.toString('utf8', 0, n);
    } catch (e) {
      this.drop(path);
      throw e;
    }
  }

  /** Open files now (tests, diagnostics). */
  get size(): number {
    return this.fds.size;
  }

  closeAll(): void {
    for (const p of [...this.fds.keys()]) this.drop(p);
  }

  private sweep(): void {
    if (Date.now() - this.sweptAt < this.idleMs) return;
    this.sweptAt = Date.now();
    for (const [p, f] of [...this.fds]) {
      if (f.used) f.used = false;
      else this.drop(p);
    }
  }

  private drop(path: string): void {
    const f = this.fds.get(path);
    if (!f) return;
    this.fds.delete(path);
    try {
      closeSync(f.fd);
    } catch {
      // already gone
    }
  }
}

const kept = new KernelFiles();

function readNow(path: string): string {
  return KernelFiles.keeps(path) ? kept.read(path) : readFileSync(path, 'utf8');
}

/** readText, synchronous: for a caller that reads many kernel files in a row (the agent's tick). */
export function readTextSync(path: string): string {
  try {
    return readNow(path);
  } catch (e) {
    throw new HostReadError(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
}

/** tryReadText, synchronous. */
export function tryReadTextSync(path: string): string | undefined {
  try {
    return readNow(path);
  } catch {
    return undefined;
  }
}

/** Reads a kernel text file; a missing file is an error naming it. */
export function readText(path: string): Promise<string> {
  try {
    return Promise.resolve(readTextSync(path));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/** Reads a kernel text file, or undefined when it does not exist or cannot be read (feature detection). */
export function tryReadText(path: string): Promise<string | undefined> {
  return Promise.resolve(tryReadTextSync(path));
}

/**
 * tryReadText for a file read once, such as each process's in a scan of /proc: read and closed, never kept open
 * (hundreds of /proc/PID files held for a minute would eat the process's limit of open files).
 */
export function tryReadTextOnce(path: string): Promise<string | undefined> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Whether a kernel file or directory exists (any error, such as EACCES on a parent, counts as no). */
export function exists(path: string): Promise<boolean> {
  try {
    return Promise.resolve(statSync(path, { throwIfNoEntry: false }) !== undefined);
  } catch {
    return Promise.resolve(false);
  }
}

/** The names in a kernel directory; [] when it is missing or unreadable. */
export function readDirNames(dir: string): Promise<string[]> {
  try {
    return Promise.resolve(readdirSync(dir));
  } catch {
    return Promise.resolve([]);
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
