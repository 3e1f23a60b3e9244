import { readProcessKsmSync } from '../host/mechanisms/ksm.js';
import type { HostPaths } from '../host/paths.js';
import { readProcessRssSync } from '../host/procfs.js';
import type { ProcessFigures } from './guest-observation.js';

/**
 * Reads each QEMU process's figures (RSS, swap, KSM merging pages from /proc/PID/status and ksm_stat) every `every`
 * ticks, staggered by pid, keeping them in between: at 100 guests, reading both files of every guest every second
 * cost more than the rest of the agent's tick (bench/agent-overhead). Nothing that reacts fast reads them: the KSM
 * tuner's backlog and the dashboard.
 */
export class ProcessFigureCache {
  private readonly figures = new Map<number, ProcessFigures>();
  private tick = 0;

  constructor(
    private readonly paths: HostPaths,
    private readonly every = 5,
  ) {}

  /**
   * The figures of these pids for this tick: read where due or never read, kept otherwise. Synchronous: the files
   * are kernel pseudo-files (host/fsio.ts).
   */
  refresh(pids: readonly number[]): ReadonlyMap<number, ProcessFigures> {
    this.tick++;
    const live = new Set(pids);
    for (const pid of this.figures.keys()) if (!live.has(pid)) this.figures.delete(pid);
    for (const pid of live) {
      if (this.figures.has(pid) && (pid + this.tick) % this.every !== 0) continue;
      const pm = readProcessRssSync(this.paths, pid);
      const k = readProcessKsmSync(this.paths, pid);
      const f: ProcessFigures = {};
      if (pm) {
        f.rssBytes = pm.rssBytes;
        f.swapBytes = pm.swapBytes;
      }
      if (k) f.ksmMergingPages = k.mergingPages;
      this.figures.set(pid, f);
    }
    return this.figures;
  }
}
