/**
 * Just enough of a shell glob for socket paths such as `/run/overcommit/NAME.qmp` or
 * `/var/lib/overcommit/guests/NAME/qmp.sock` with `*` for NAME (Node 20 has no fs.glob): `*` matches any run of
 * characters within one path segment, in any segment. No `?`, `[]`, `**` or braces. As in a shell, `*` does not match
 * a leading dot. The matching is pure; expandGlob walks directories.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface GlobPlan {
  /** The directory the walk starts in: the pattern's literal leading segments. */
  base: string;
  /** The segments after base; each may hold `*`. */
  segments: string[];
}

export function hasGlob(pattern: string): boolean {
  return pattern.includes('*');
}

/** Splits a pattern into its literal base directory and the rest. Relative patterns are taken from cwd. */
export function planGlob(pattern: string, cwd = '/'): GlobPlan {
  const absolute = resolve(cwd, pattern);
  const parts = absolute.split('/').filter((p) => p !== '');
  const firstGlob = parts.findIndex(hasGlob);
  if (firstGlob === -1) return { base: absolute, segments: [] };
  return { base: `/${parts.slice(0, firstGlob).join('/')}`, segments: parts.slice(firstGlob) };
}

const SPECIAL = /[.+?^${}()|[\]\\]/g;

/** Whether one file name matches one pattern segment. */
export function matchSegment(pattern: string, name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(SPECIAL, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return re.test(name);
}

export interface DirEntry {
  name: string;
  /** A directory, or a symbolic link that may lead to one. */
  maybeDir: boolean;
  /** What readdir says it is, when it says so (no stat needed). */
  type?: 'dir' | 'socket' | 'symlink' | 'other';
}

export type ListDir = (dir: string) => Promise<DirEntry[]>;

/**
 * Entries of a directory; [] when it is missing, not a directory or unreadable. Synchronous underneath: socket
 * directories are local (/run, /var/lib/libvirt), and the agent lists them every tick, where a thread-pool call would
 * cost two extra wake-ups (bench/agent-overhead).
 */
export const listDir: ListDir = (dir) => {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    return Promise.resolve(
      entries.map((e) => ({
        name: e.name,
        maybeDir: e.isDirectory() || e.isSymbolicLink(),
        type: e.isDirectory() ? 'dir' : e.isSocket() ? 'socket' : e.isSymbolicLink() ? 'symlink' : 'other',
      })),
    );
  } catch {
    return Promise.resolve([]);
  }
};

export interface GlobMatch {
  path: string;
  /** From the directory listing for a `*` last segment; absent for a literal last segment. */
  type?: DirEntry['type'];
}

/**
 * The paths matching pattern, sorted. A pattern without `*` is returned as it is (whether it exists or not). The
 * caller checks what the paths are (sockets, for the QMP source).
 */
export async function expandGlob(pattern: string, list: ListDir = listDir): Promise<string[]> {
  return (await matchGlob(pattern, list)).map((m) => m.path);
}

/** expandGlob, with what the directory listing said each match is (spares the caller a stat per match). */
export async function matchGlob(pattern: string, list: ListDir = listDir): Promise<GlobMatch[]> {
  const plan = planGlob(pattern);
  let matches: GlobMatch[] = [{ path: plan.base }];
  for (const [i, segment] of plan.segments.entries()) {
    const last = i === plan.segments.length - 1;
    if (!hasGlob(segment)) {
      matches = matches.map((m) => ({ path: join(m.path, segment) }));
      continue;
    }
    const next: GlobMatch[] = [];
    for (const { path: dir } of matches) {
      for (const e of await list(dir)) {
        if (!(last || e.maybeDir) || !matchSegment(segment, e.name)) continue;
        next.push(e.type === undefined ? { path: join(dir, e.name) } : { path: join(dir, e.name), type: e.type });
      }
    }
    matches = next;
  }
  return matches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
