/**
 * Guests on QMP unix sockets, listed in the config as paths or globs (`/run/vms/*.qmp`). Each list() expands the
 * globs, keeps the connections it has, opens new ones in parallel (each within the per-guest timeout), and closes
 * those whose socket went away. A socket that cannot be opened is still listed, as a guest whose calls fail with the
 * reason; it is tried again after retryMs, so a hung QEMU costs one connection attempt per retryMs, not per tick.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { GuestGoneError, GuestTimeoutError } from './errors.js';
import { hasGlob, listDir, matchGlob, type ListDir } from './glob.js';
import { findQemuPids } from './qemu-pid.js';
import { guestNameFromSocket } from './qmp-discovery.js';
import { QmpSocketGuest } from './qmp-guest.js';
import type { GuestSource, ManagedGuest } from './source.js';
import { withTimeout } from './with-timeout.js';

export interface QmpSocketSourceOptions {
  /** Socket paths and globs (`*` within path segments). A listed path that is missing shows as a `gone` guest. */
  sockets: readonly string[];
  /** Per-guest timeout for opening a connection and for each command, ms. Default 500. */
  timeoutMs?: number;
  /** Turn the balloon's statistics polling on with this period (seconds) where it is off. Default: leave it. */
  statsPeriodSeconds?: number;
  /** How long a socket that could not be opened is left alone before the next attempt, ms. Default 5000. */
  retryMs?: number;
  /** Where to look for the QEMU processes (pid of each guest). Default /proc; false: do not look. */
  proc?: string | false;
  /** Directory listing for the globs (tests). */
  listDir?: ListDir;
  /** The clock (tests). */
  now?: () => number;
}

/** A socket that could not be opened: listed, with every call failing with the reason. */
export class UnreachableGuest implements ManagedGuest {
  readonly source = 'qmp' as const;
  constructor(
    readonly name: string,
    readonly socketPath: string,
    readonly error: Error,
    readonly failedAt: number,
  ) {}
  memoryBytes(): Promise<number> {
    return Promise.reject(this.error);
  }
  balloonActual(): Promise<number> {
    return Promise.reject(this.error);
  }
  setBalloon(): Promise<void> {
    return Promise.reject(this.error);
  }
  stats(): Promise<undefined> {
    return Promise.reject(this.error);
  }
  close(): void {}
}

type Entry = QmpSocketGuest | UnreachableGuest;

export class QmpSocketSource implements GuestSource {
  readonly kind = 'qmp' as const;
  private readonly options: Required<Omit<QmpSocketSourceOptions, 'statsPeriodSeconds'>> &
    Pick<QmpSocketSourceOptions, 'statsPeriodSeconds'>;
  private readonly entries = new Map<string, Entry>();
  private listing: Promise<ManagedGuest[]> | undefined;
  /** The last socket paths, valid while none of the directories the globs listed has changed (mtime). */
  private pathsCache: { dirs: Array<{ dir: string; mtimeMs: number }>; paths: string[] } | undefined;
  /** The last list() result, handed out again while nothing changed. */
  private last: { paths: string[]; guests: ManagedGuest[] } | undefined;
  private closed = false;

  constructor(options: QmpSocketSourceOptions) {
    this.options = {
      sockets: [...options.sockets],
      timeoutMs: options.timeoutMs ?? 500,
      statsPeriodSeconds: options.statsPeriodSeconds,
      retryMs: options.retryMs ?? 5000,
      proc: options.proc ?? '/proc',
      listDir: options.listDir ?? listDir,
      now: options.now ?? Date.now,
    };
  }

  /** The guests on the sockets there are now, in socket path order. Concurrent calls share one listing. */
  list(): Promise<ManagedGuest[]> {
    if (this.closed) return Promise.resolve([]);
    this.listing ??= this.refresh().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.close();
    this.entries.clear();
  }

  /**
   * Every socket path the config names now: listed paths as they are, glob matches that are sockets. The same array
   * comes back while the directories the globs listed are unchanged (one stat each instead of a listing per tick).
   */
  async socketPaths(): Promise<string[]> {
    const cached = this.pathsCache;
    if (cached && cached.dirs.every((d) => mtimeOf(d.dir) === d.mtimeMs)) return cached.paths;
    const dirs: Array<{ dir: string; mtimeMs: number }> = [];
    let cacheable = true;
    const list: ListDir = (dir) => {
      const mtimeMs = mtimeOf(dir);
      if (mtimeMs === undefined) cacheable = false;
      else dirs.push({ dir, mtimeMs });
      return this.options.listDir(dir);
    };
    const paths = new Set<string>();
    for (const pattern of this.options.sockets) {
      if (!hasGlob(pattern)) {
        paths.add(pattern);
        continue;
      }
      for (const m of await matchGlob(pattern, list)) {
        if (m.type === 'socket') paths.add(m.path);
        else if (m.type === undefined || m.type === 'symlink') {
          // readdir tells sockets apart; links and literal last segments need a stat, which a directory's mtime
          // does not cover
          cacheable = false;
          if (await isSocket(m.path)) paths.add(m.path);
        }
      }
    }
    const sorted = [...paths].sort();
    this.pathsCache = cacheable ? { dirs, paths: sorted } : undefined;
    return sorted;
  }

  private async refresh(): Promise<ManagedGuest[]> {
    const paths = await this.socketPaths();
    if (this.last?.paths === paths && this.unchanged(paths)) return this.last.guests;
    const guests = await this.reconcile(paths);
    this.last = { paths, guests };
    return guests;
  }

  /** Every path has an entry that needs nothing: a usable connection, or an unreachable one not due for a retry. */
  private unchanged(paths: readonly string[]): boolean {
    const now = this.options.now();
    return paths.every((p) => {
      const e = this.entries.get(p);
      if (e === undefined) return false;
      return e instanceof QmpSocketGuest ? e.usable : now - e.failedAt < this.options.retryMs;
    });
  }

  private async reconcile(paths: string[]): Promise<ManagedGuest[]> {
    const wanted = new Set(paths);
    for (const [path, e] of this.entries) {
      if (!wanted.has(path) || (e instanceof QmpSocketGuest && !e.usable)) {
        e.close();
        this.entries.delete(path);
      }
    }
    const now = this.options.now();
    const toOpen = paths.filter((p) => {
      const e = this.entries.get(p);
      return e === undefined || (e instanceof UnreachableGuest && now - e.failedAt >= this.options.retryMs);
    });
    const pids =
      this.options.proc === false ? new Map<string, number>() : await findQemuPids(toOpen, this.options.proc);
    await Promise.all(
      toOpen.map(async (p) => {
        const entry = await this.open(p, pids.get(p));
        if (this.closed) entry.close();
        else this.entries.set(p, entry);
      }),
    );
    return uniqueNames(paths.flatMap((p) => this.entries.get(p) ?? []));
  }

  private async open(path: string, pid: number | undefined): Promise<Entry> {
    const { timeoutMs, statsPeriodSeconds } = this.options;
    const fallback = guestNameFromSocket(path);
    const unreachable = (e: unknown) =>
      new UnreachableGuest(fallback, path, e instanceof Error ? e : new Error(String(e)), this.options.now());
    try {
      const s = await stat(path);
      if (!s.isSocket()) {
        return unreachable(new UsageError(`${path} is not a unix socket`, 'give the path of a QEMU QMP socket'));
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      return unreachable(new GuestGoneError(fallback, `its QMP socket ${path} is missing (${code})`, { path }));
    }
    const opening = QmpSocketGuest.open(path, { timeoutMs, statsPeriodSeconds, pid });
    try {
      return await withTimeout(opening, timeoutMs, () => new GuestTimeoutError(fallback, 'QMP connect', timeoutMs));
    } catch (e) {
      opening.then(
        (g) => g.close(), // it answered after all, too late: the next retry opens it again
        () => undefined,
      );
      return unreachable(e);
    }
  }
}

function mtimeOf(dir: string): number | undefined {
  try {
    return statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined;
  }
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}

/** Names must be unique within the source: a repeated one gets its socket path appended (`vm@/run/b.qmp`). */
function uniqueNames(entries: Entry[]): ManagedGuest[] {
  const seen = new Set<string>();
  return entries.map((e) => {
    if (!seen.has(e.name)) {
      seen.add(e.name);
      return e;
    }
    const name = `${e.name}@${e.socketPath}`;
    seen.add(name);
    return renamed(e, name);
  });
}

function renamed(g: ManagedGuest, name: string): ManagedGuest {
  return {
    name,
    source: g.source,
    ...(g.pid !== undefined ? { pid: g.pid } : {}),
    memoryBytes: () => g.memoryBytes(),
    balloonActual: () => g.balloonActual(),
    setBalloon: (bytes) => g.setBalloon(bytes),
    stats: () => g.stats(),
    close: () => g.close(),
  };
}
