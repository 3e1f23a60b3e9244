/**
 * The controller a controlled strategy runs while the guests are loaded: fed every observation of the recorder, its
 * decisions kept as the strategy's timeline. balloon and auto run our pure policies through the PolicyLoop; ksmtuned
 * runs the real daemon (see ksmtuned.ts).
 */
import { setGroupSwapEager } from '../../host/mechanisms/budget-cgroup.js';
import { swapOff } from '../../host/swaps.js';
import { PolicyLoop, type Policy } from '../../control/policy-loop.js';
import { createAutoPolicy } from '../../policy/auto.js';
import { createBalloonController, type BalloonState } from '../../policy/balloon.js';
import type { LabControllerKind } from '../strategies.js';
import type { LabController, LabControllerContext } from './lab-controller.js';
import { startKsmtunedPeer } from './ksmtuned.js';

export type { LabController, LabControllerContext } from './lab-controller.js';

/**
 * `auto` in the lab: the budget is a small host, where ESXi's minFree (6 % of the first 4 GiB) would leave the swap
 * tiers too little time at 1 s ticks; 8 % of the budget gives the compressed-swap tier ~25 MiB of warning.
 */
export const LAB_AUTO_MIN_FREE_FRACTION = 0.08;

function policyController<S>(kind: 'balloon' | 'auto', ctx: LabControllerContext, policy: Policy<S>): LabController {
  const loop = new PolicyLoop([policy], {
    journal: ctx.journal,
    guests: ctx.guests,
    ...(ctx.budget ? { budget: ctx.budget } : {}),
    ...(ctx.setup.diskSwap ? { diskSwap: ctx.setup.diskSwap } : {}),
  });
  return {
    observe: (o) => loop.observe(o),
    timeline: () => loop.timeline,
    async stop() {
      loop.pause();
      await loop.drain();
      const notes = loop.skipped > 0 ? [`${kind}: ${loop.skipped} observations skipped while actions ran`] : [];
      const settings = [`controller: ${kind} (our policy, 1 s ticks)`];
      if (kind === 'auto')
        settings.push(
          'auto: every tier starts off (the swap file swapped off, the group at swappiness 60); the host states turn them on',
        );
      return { timeline: loop.timeline, settings, notes };
    },
  };
}

/**
 * auto starts with every tier off: the group swaps at the kernel's default eagerness (the zram device, first by
 * priority, is the safety net a 1 s tick cannot replace), our swap file is off (it was just made: empty).
 */
async function tiersOff(ctx: LabControllerContext): Promise<void> {
  if (ctx.budget) await setGroupSwapEager(ctx.journal, ctx.budget.layout, ctx.budget.path, false);
  const file = ctx.setup.diskSwap?.path;
  if (file) await swapOff(ctx.journal.paths, file);
}

export async function startLabController(kind: LabControllerKind, ctx: LabControllerContext): Promise<LabController> {
  switch (kind) {
    case 'balloon': {
      const c = createBalloonController();
      const policy: Policy<BalloonState> = {
        name: 'balloon',
        initial: c.initial,
        step: (obs, prev, st) => c.step(obs, prev, st),
      };
      return policyController('balloon', ctx, policy);
    }
    case 'auto': {
      await tiersOff(ctx);
      const c = createAutoPolicy({ hostStates: { minFreeFraction: LAB_AUTO_MIN_FREE_FRACTION } });
      return policyController('auto', ctx, c);
    }
    case 'ksmtuned':
      return startKsmtunedPeer(ctx);
  }
}
