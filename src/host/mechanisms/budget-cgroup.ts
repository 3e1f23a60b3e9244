import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HostReadError, MissingFeatureError, NotOursError, UsageError } from '../../errors.js';
import { exists, rawWrite, readText, tryReadText } from '../fsio.js';
import type { HostJournal } from '../journal/journal.js';
import type { HostPaths } from '../paths.js';
import { parsePressure, parseVmstat, type Psi } from '../procfs.js';
import { check, type Check, type Mechanism } from './mechanism.js';

/** Every group overcommit creates lives under this one directory of the memory hierarchy. */
export const CGROUP_PREFIX = 'overcommit';

export interface CgroupLayout {
  version: 1 | 2;
  /** Root of the hierarchy that has the memory controller. */
  memoryRoot: string;
}

/** Chooses the memory hierarchy from what the mount shows. Pure: inputs are file contents (undefined = absent). */
export function chooseCgroupLayout(
  cgroupFs: string,
  seen: { rootControllers?: string; v1MemoryLimit: boolean; unifiedControllers?: string },
): CgroupLayout | undefined {
  const hasMemory = (t?: string) => t !== undefined && t.split(/\s+/).includes('memory');
  if (hasMemory(seen.rootControllers)) return { version: 2, memoryRoot: cgroupFs };
  if (seen.v1MemoryLimit) return { version: 1, memoryRoot: join(cgroupFs, 'memory') };
  if (hasMemory(seen.unifiedControllers)) return { version: 2, memoryRoot: join(cgroupFs, 'unified') };
  return undefined;
}

export async function detectCgroupLayout(paths: HostPaths): Promise<CgroupLayout | undefined> {
  const fsRoot = paths.cgroupFs;
  const seen: { rootControllers?: string; v1MemoryLimit: boolean; unifiedControllers?: string } = {
    v1MemoryLimit: await exists(join(fsRoot, 'memory', 'memory.limit_in_bytes')),
  };
  const rc = await tryReadText(join(fsRoot, 'cgroup.controllers'));
  if (rc !== undefined) seen.rootControllers = rc;
  const uc = await tryReadText(join(fsRoot, 'unified', 'cgroup.controllers'));
  if (uc !== undefined) seen.unifiedControllers = uc;
  return chooseCgroupLayout(fsRoot, seen);
}

/** A limit file: v2 "max" or v1's "no limit" (PAGE_COUNTER_MAX in bytes, ~2^63) -> null. */
export function parseLimit(text: string): number | null {
  const t = text.trim();
  if (t === 'max') return null;
  if (!/^\d+$/.test(t)) throw new HostReadError('a cgroup limit file', `unexpected content '${t.slice(0, 40)}'`);
  const n = Number(t);
  return n >= 2 ** 62 ? null : n;
}

export const parseMemoryStat = parseVmstat;

export interface BudgetUsage {
  path: string;
  version: 1 | 2;
  usageBytes: number;
  limitBytes: number | null;
  /** v2 memory.swap.current, or v1 memsw usage minus memory usage (when swap accounting is on). */
  swapUsageBytes?: number;
  swapLimitBytes?: number | null;
  stat: Record<string, number>;
  /** v2 only: memory.pressure. */
  pressure?: Psi;
  /** v2 only, kernels with zswap accounting. */
  zswapBytes?: number;
  zswapMaxBytes?: number | null;
  /** v2 memory.zswap.writeback (6.8+): whether the group's zswap pages may be written back to swap. */
  zswapWriteback?: boolean;
  /** v1 memory.failcnt, v2 memory.events max. */
  limitHits?: number;
  /** Processes the kernel's OOM killer killed in the group (v1 memory.oom_control, v2 memory.events oom_kill). */
  oomKills?: number;
  pids: number[];
}

export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

export async function readBudget(layout: CgroupLayout, path: string): Promise<BudgetUsage> {
  const f = (name: string) => tryReadText(join(path, name));
  const num = async (name: string) => {
    const t = await f(name);
    return t === undefined ? undefined : parseLimit(t);
  };
  const pids = parsePids((await f('cgroup.procs')) ?? '');
  const stat = parseMemoryStat((await f('memory.stat')) ?? '');
  if (layout.version === 1) {
    const usage = (await num('memory.usage_in_bytes')) ?? 0;
    const memsw = await num('memory.memsw.usage_in_bytes');
    const memswLimit = await num('memory.memsw.limit_in_bytes');
    const limit = (await num('memory.limit_in_bytes')) ?? null;
    const out: BudgetUsage = { path, version: 1, usageBytes: usage, limitBytes: limit, stat, pids };
    if (memsw !== undefined && memsw !== null) out.swapUsageBytes = Math.max(0, memsw - usage);
    if (memswLimit !== undefined)
      out.swapLimitBytes = memswLimit === null || limit === null ? null : memswLimit - limit;
    const fc = await num('memory.failcnt');
    if (fc !== undefined && fc !== null) out.limitHits = fc;
    const oc = await f('memory.oom_control');
    const kills = oc === undefined ? undefined : parseVmstat(oc).oom_kill;
    if (kills !== undefined) out.oomKills = kills;
    return out;
  }
  const out: BudgetUsage = {
    path,
    version: 2,
    usageBytes: (await num('memory.current')) ?? 0,
    limitBytes: (await num('memory.max')) ?? null,
    stat,
    pids,
  };
  const swap = await num('memory.swap.current');
  if (swap !== undefined && swap !== null) out.swapUsageBytes = swap;
  const swapMax = await num('memory.swap.max');
  if (swapMax !== undefined) out.swapLimitBytes = swapMax;
  const pr = await f('memory.pressure');
  const psi = pr === undefined ? undefined : parsePressure(pr);
  if (psi) out.pressure = psi;
  const z = await num('memory.zswap.current');
  if (z !== undefined && z !== null) out.zswapBytes = z;
  const zm = await num('memory.zswap.max');
  if (zm !== undefined) out.zswapMaxBytes = zm;
  const wb = await f('memory.zswap.writeback');
  if (wb !== undefined) out.zswapWriteback = wb.trim() === '1';
  const ev = await f('memory.events');
  if (ev !== undefined) {
    const e = parseVmstat(ev);
    out.limitHits = e.max ?? 0;
    if (e.oom_kill !== undefined) out.oomKills = e.oom_kill;
  }
  return out;
}

export interface BudgetOptions {
  limitBytes: number;
  /** Swap the group may use beyond its memory limit (null = unlimited). */
  swapLimitBytes?: number | null;
  /** v1 only: memory.swappiness of the group. */
  swappiness?: number;
}

/**
 * How eagerly one of our groups swaps, for the compressed-swap tier of `auto`: v1 memory.swappiness 100 (eager:
 * anonymous pages go to compressed swap as readily as cache is dropped) or 60 (the kernel's default). Swap is never
 * forbidden: memory.swappiness 0 (or v2 memory.swap.max 0) makes a group that hits its limit OOM-kill within a
 * second, faster than any 1 s control tick can react (measured: a guest growing by 100 MiB was killed). v2 has no
 * per-group swappiness: nothing to do there (the swap devices' priorities still put compressed swap first).
 */
export async function setGroupSwapEager(
  journal: HostJournal,
  layout: CgroupLayout,
  path: string,
  eager: boolean,
): Promise<boolean> {
  if (layout.version !== 1) return false;
  await journal.writeOwned('cgroup', path, join(path, 'memory.swappiness'), eager ? '100' : '60');
  return true;
}

export function checkGroupName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name)) {
    throw new UsageError(`invalid group name '${name}'`, 'use letters, digits, - and _ (at most 64)');
  }
}

async function makeOwnedDir(journal: HostJournal, layout: CgroupLayout, path: string): Promise<void> {
  await journal.record({ kind: 'cgroup', path, version: layout.version });
  await mkdir(path);
}

/**
 * Creates a host-budget group `<memory root>/overcommit/<name>` and sets its limits. The prefix directory is created
 * (and journaled) only if it is not there; a group of that name that we did not create is refused.
 */
export async function createBudgetGroup(
  journal: HostJournal,
  layout: CgroupLayout,
  name: string,
  opts: BudgetOptions,
): Promise<string> {
  checkGroupName(name);
  const parent = join(layout.memoryRoot, CGROUP_PREFIX);
  const path = join(parent, name);
  if (await exists(path)) throw new NotOursError(`cgroup ${path}`);
  if (!(await exists(parent))) await makeOwnedDir(journal, layout, parent);
  if (layout.version === 2) {
    const sub = join(parent, 'cgroup.subtree_control');
    if (!(await readText(sub)).split(/\s+/).includes('memory')) {
      if (!journal.ownsCgroup(parent)) {
        throw new MissingFeatureError(`the memory controller in ${parent}`, `echo +memory > ${sub}`);
      }
      await journal.writeOwned('cgroup', parent, sub, '+memory');
    }
  }
  await makeOwnedDir(journal, layout, path);
  const w = (file: string, v: string) => journal.writeOwned('cgroup', path, join(path, file), v);
  if (layout.version === 1) {
    // memsw must stay >= the memory limit: set the memory limit first when lowering, memsw after.
    await w('memory.limit_in_bytes', String(opts.limitBytes));
    if (opts.swapLimitBytes !== undefined && (await exists(join(path, 'memory.memsw.limit_in_bytes')))) {
      await w(
        'memory.memsw.limit_in_bytes',
        opts.swapLimitBytes === null ? '-1' : String(opts.limitBytes + opts.swapLimitBytes),
      );
    }
    if (opts.swappiness !== undefined) await w('memory.swappiness', String(opts.swappiness));
  } else {
    await w('memory.max', String(opts.limitBytes));
    if (opts.swapLimitBytes !== undefined && (await exists(join(path, 'memory.swap.max')))) {
      await w('memory.swap.max', opts.swapLimitBytes === null ? 'max' : String(opts.swapLimitBytes));
    }
  }
  return path;
}

/** Moves a process into one of our groups. */
export async function addProcess(journal: HostJournal, path: string, pid: number): Promise<void> {
  await journal.writeOwned('cgroup', path, join(path, 'cgroup.procs'), String(pid));
}

/** Changes the memory limit of one of our groups (what a controller does when it resizes the host budget). */
export async function setBudgetLimit(
  journal: HostJournal,
  layout: CgroupLayout,
  path: string,
  bytes: number,
): Promise<void> {
  await journal.writeOwned(
    'cgroup',
    path,
    join(path, layout.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'),
    String(bytes),
  );
}

/** Lists the groups under our prefix (what status shows). */
export async function listBudgetGroups(layout: CgroupLayout): Promise<string[]> {
  const parent = join(layout.memoryRoot, CGROUP_PREFIX);
  const names = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return names.filter((d) => d.isDirectory()).map((d) => join(parent, d.name));
}

/**
 * Removes one of our groups: its processes go to the hierarchy root first (a group with tasks cannot be removed),
 * then rmdir, retried while the kernel still reports it busy. Child groups are not removed here: restore removes our
 * own children first (reverse creation order), and a child someone else made keeps this group (an error, not a
 * deletion). Idempotent.
 */
export async function removeGroup(memoryRoot: string, path: string): Promise<string[]> {
  const done: string[] = [];
  if (!(await exists(path))) return done;
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = parsePids((await tryReadText(join(path, 'cgroup.procs'))) ?? '');
    for (const pid of pids) {
      await rawWrite(join(memoryRoot, 'cgroup.procs'), String(pid)).catch(() => undefined);
      done.push(`moved pid ${pid} out of ${path}`);
    }
    try {
      await rmdir(path);
      done.push(`rmdir ${path}`);
      return done;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return done;
      if (code !== 'EBUSY' || attempt === 49) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return done;
}

/** v1: memory.memsw.* exist at the root. v2: the root has no memory files, so look for memory.swap.max in a child. */
async function hasSwapAccounting(layout: CgroupLayout): Promise<boolean> {
  if (layout.version === 1) return exists(join(layout.memoryRoot, 'memory.memsw.limit_in_bytes'));
  const children = await readdir(layout.memoryRoot, { withFileTypes: true }).catch(() => []);
  for (const d of children) {
    if (d.isDirectory() && (await exists(join(layout.memoryRoot, d.name, 'memory.current')))) {
      return exists(join(layout.memoryRoot, d.name, 'memory.swap.max'));
    }
  }
  return false;
}

/** The memory hierarchy, or undefined when no memory controller is mounted. */
export type CgroupFacts = (CgroupLayout & { swapAccounting: boolean }) | undefined;

function diagnoseCgroup(f: CgroupFacts): Check[] {
  if (!f) {
    return [
      check(
        'cgroup',
        false,
        'no memory cgroup controller mounted',
        'mount the cgroup v2 hierarchy with the memory controller (systemd does this)',
      ),
    ];
  }
  return [
    { id: 'cgroup', status: 'ok', detail: `memory cgroup v${f.version} at ${f.memoryRoot}` },
    check(
      'cgroup-swap',
      f.swapAccounting,
      f.swapAccounting ? 'swap accounting on' : 'swap accounting off: budget groups cannot limit swap',
      'boot with swapaccount=1 (v1)',
      'warn',
    ),
  ];
}

export interface CgroupStatus {
  layout?: CgroupLayout;
  groups: BudgetUsage[];
}

/**
 * Budget groups: memory cgroups of ours under `overcommit/` that hold guests to a host budget (the lab's and the
 * agent's tiers). Made by the lab, not by a preset: no plan step.
 */
export const budgetCgroupMechanism = {
  name: 'cgroup' as const,
  objects: {
    kind: 'cgroup',
    undo: (_paths, o) => removeGroup(o.path.slice(0, o.path.lastIndexOf(`/${CGROUP_PREFIX}`)), o.path),
  },
  status: async (paths) => {
    const layout = await detectCgroupLayout(paths);
    if (!layout) return { groups: [] };
    const groups = await Promise.all((await listBudgetGroups(layout)).map((g) => readBudget(layout, g)));
    return { layout, groups };
  },
  doctor: {
    facts: async (paths) => {
      const layout = await detectCgroupLayout(paths);
      return layout ? { ...layout, swapAccounting: await hasSwapAccounting(layout) } : undefined;
    },
    diagnose: diagnoseCgroup,
  },
} satisfies Mechanism<never, CgroupStatus, CgroupFacts, 'cgroup'>;
