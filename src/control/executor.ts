/**
 * Carries out policy actions on the host and the guests: KSM settings through the journal (safe write order),
 * balloon targets over QMP, swap tiers through our budget cgroup and our swap file. Shared by the lab's controlled
 * strategies and the agent. An action that fails is reported, never thrown: one bad guest must not stop the loop.
 */
import { errorMessage } from '../errors.js';
import { setGroupSwapEager, type CgroupLayout } from '../host/mechanisms/budget-cgroup.js';
import type { HostJournal } from '../host/journal/journal.js';
import { applyKsm } from '../host/mechanisms/ksm.js';
import { swapOff, swapOn } from '../host/swaps.js';
import type { Action, Tier } from '../policy/actions.js';

/** What balloons are driven through: a QEMU guest over QMP, or a libvirt domain through virsh. */
export interface BalloonTarget {
  name: string;
  setBalloon(targetBytes: number): Promise<void>;
}

export interface ExecutorContext {
  /** Every host write goes through it; absent only in a dry run. */
  journal?: HostJournal;
  guests: () => readonly BalloonTarget[];
  /** The budget cgroup the compressed-swap tier makes swap eagerly (absent: that tier is a no-op). */
  budget?: { layout: CgroupLayout; path: string };
  /** Our swap file (already created and journaled) that the disk-swap tier turns on and off. */
  diskSwap?: { path: string; priority: number };
  /** Decide, log, change nothing. */
  dryRun?: boolean;
}

export interface ActionOutcome {
  action: Action;
  ok: boolean;
  /** Why it failed, or what a dry run would have done. */
  detail?: string;
}

async function setTier(
  ctx: ExecutorContext & { journal: HostJournal },
  tier: Tier,
  enable: boolean,
): Promise<string | undefined> {
  if (tier === 'compressed-swap') {
    if (!ctx.budget) return 'no budget cgroup: nothing to switch';
    const done = await setGroupSwapEager(ctx.journal, ctx.budget.layout, ctx.budget.path, enable);
    return done ? undefined : 'cgroup v2 has no per-group swappiness: compressed swap stays as the kernel uses it';
  }
  if (tier === 'disk-swap') {
    if (!ctx.diskSwap) return 'no swap file of ours: nothing to switch';
    if (enable) await swapOn(ctx.journal.paths, ctx.diskSwap.path, ctx.diskSwap.priority);
    else await swapOff(ctx.journal.paths, ctx.diskSwap.path);
    return undefined;
  }
  // sharing and balloon are policies' own switches: the controller stops stepping them.
  return undefined;
}

export async function execute(ctx: ExecutorContext, action: Action): Promise<ActionOutcome> {
  if (ctx.dryRun) return { action, ok: true, detail: 'dry run: not done' };
  const journal = ctx.journal;
  if (!journal) return { action, ok: false, detail: 'no host journal: nothing may be changed' };
  try {
    switch (action.kind) {
      case 'ksm':
        await applyKsm(journal, action.set, { unmergeOnStop: false });
        return { action, ok: true };
      case 'balloon': {
        const g = ctx.guests().find((x) => x.name === action.guest);
        if (!g) return { action, ok: false, detail: `no guest named ${action.guest}` };
        await g.setBalloon(action.targetBytes);
        return { action, ok: true };
      }
      case 'tier': {
        const note = await setTier({ ...ctx, journal }, action.tier, action.enable);
        return note ? { action, ok: true, detail: note } : { action, ok: true };
      }
      case 'host-state':
        return { action, ok: true };
    }
  } catch (e) {
    return { action, ok: false, detail: errorMessage(e) };
  }
}
