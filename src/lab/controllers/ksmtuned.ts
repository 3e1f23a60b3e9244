/**
 * The `ksmtuned` strategy: the real Debian ksmtuned daemon, patched only where it must be to see our lab (see
 * src/lab/peers/ksmtuned/patch.ts): it counts our TCG QEMU processes, and it reads a synthetic meminfo that describes the
 * budget cgroup as the host (MemTotal = the budget, MemFree = budget - usage), rewritten every observation. Its
 * algorithm and its defaults (60 s interval, +300/-50 pages, 20 % threshold) are untouched.
 */
import { join } from 'node:path';
import type { TimelineEntry } from '../../control/policy-loop.js';
import { errorMessage } from '../../errors.js';
import { startKsmtuned, writeSyntheticMeminfo, type KsmtunedTick } from '../peers/ksmtuned/daemon.js';
import type { Observation } from '../../observe/observation.js';
import type { LabController, LabControllerContext } from './lab-controller.js';

function view(limit: number, usage: number) {
  return { totalBytes: limit, freeBytes: Math.max(0, limit - usage), cachedBytes: 0 };
}

function entry(t: KsmtunedTick, t0: number): TimelineEntry {
  const figures = `committed ${t.committedKb} kB, free ${t.freeKb} kB`;
  return {
    t: t.atMs ?? t0,
    policy: 'ksmtuned',
    ok: true,
    action:
      t.action === 'stop'
        ? { kind: 'ksm', set: { run: 0 }, reason: `[ksmtuned] stop: ${figures}` }
        : {
            kind: 'ksm',
            set: {
              run: 1,
              ...(t.pagesToScan !== undefined ? { pages_to_scan: t.pagesToScan } : {}),
              ...(t.sleepMs !== undefined ? { sleep_millisecs: t.sleepMs } : {}),
            },
            reason: `[ksmtuned] ${t.action}: ${figures}`,
          },
  };
}

export async function startKsmtunedPeer(ctx: LabControllerContext): Promise<LabController> {
  const limit = ctx.budget?.limitBytes;
  const meminfoPath = join(ctx.stateDir, 'ksmtuned-meminfo');
  const first = ctx.budget ? view(limit ?? 0, 0) : undefined;
  if (first) await writeSyntheticMeminfo(meminfoPath, first);
  const handle = await startKsmtuned(ctx.journal, {
    meminfoPath: first ? meminfoPath : '/proc/meminfo',
    ...(ctx.cacheDir ? { cacheDir: ctx.cacheDir } : {}),
  });
  const t0 = Date.now();
  let writing: Promise<void> = Promise.resolve();
  const notes: string[] = [];
  return {
    timeline: () => [],
    observe(o: Observation) {
      const b = o.host.budget;
      if (!first || !b) return;
      writing = writing
        .then(() => writeSyntheticMeminfo(meminfoPath, view(b.limitBytes ?? limit ?? 0, b.usageBytes)))
        .catch((e: unknown) => {
          if (notes.length === 0) notes.push(`ksmtuned: could not update its meminfo view: ${errorMessage(e)}`);
        });
    },
    async stop() {
      await writing;
      const log = await handle.readLog().catch(() => undefined);
      await handle.stop();
      return {
        timeline: (log?.ticks ?? []).map((t) => entry(t, t0)),
        settings: [
          'controller: the real ksmtuned (Debian ksmtuned 4.20150326), defaults untouched',
          ...handle.changes.map((c) => `ksmtuned patch: ${c}`),
        ],
        notes,
      };
    },
  };
}
