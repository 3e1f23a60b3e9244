import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { detectCgroupLayout } from '../mechanisms/budget-cgroup.js';
import { readAllKnobs } from './knob-io.js';
import type { HostPaths } from '../paths.js';
import { readSwaps } from '../swaps.js';
import { readZramDevices } from '../mechanisms/zram.js';

/**
 * Everything overcommit may change on a host, in a stable form: two snapshots are equal (as JSON) exactly when the
 * host is back where it was. What tests and `overcommit restore --verify` compare.
 */
export interface HostSnapshot {
  knobs: Record<string, string>;
  swaps: Array<{ filename: string; type: string; sizeBytes: number; priority: number }>;
  zram: Array<{ index: number; disksizeBytes: number; algorithm: string | null }>;
  /** Memory cgroups at depth 1 and 2 of the memory hierarchy. */
  cgroups: string[];
}

async function subdirs(dir: string): Promise<string[]> {
  const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return ents.filter((e) => e.isDirectory()).map((e) => e.name);
}

export async function hostSnapshot(paths: HostPaths): Promise<HostSnapshot> {
  const layout = await detectCgroupLayout(paths);
  const cgroups: string[] = [];
  if (layout) {
    for (const a of (await subdirs(layout.memoryRoot)).sort()) {
      cgroups.push(a);
      for (const b of (await subdirs(join(layout.memoryRoot, a))).sort()) cgroups.push(`${a}/${b}`);
    }
  }
  return {
    knobs: await readAllKnobs(paths),
    swaps: (await readSwaps(paths)).map((s) => ({
      filename: s.filename,
      type: s.type,
      sizeBytes: s.sizeBytes,
      priority: s.priority,
    })),
    zram: (await readZramDevices(paths)).map((d) => ({
      index: d.index,
      disksizeBytes: d.disksizeBytes,
      algorithm: d.algorithm ?? null,
    })),
    cgroups,
  };
}

/** Lines naming what differs between two snapshots (empty when equal). */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before.knobs), ...Object.keys(after.knobs)])) {
    if (before.knobs[k] !== after.knobs[k]) out.push(`knob ${k}: ${before.knobs[k]} -> ${after.knobs[k]}`);
  }
  const j = (x: unknown) => JSON.stringify(x);
  if (j(before.swaps) !== j(after.swaps)) out.push(`swaps: ${j(before.swaps)} -> ${j(after.swaps)}`);
  if (j(before.zram) !== j(after.zram)) out.push(`zram: ${j(before.zram)} -> ${j(after.zram)}`);
  if (j(before.cgroups) !== j(after.cgroups)) out.push(`cgroups: ${j(before.cgroups)} -> ${j(after.cgroups)}`);
  return out;
}
