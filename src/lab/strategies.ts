/**
 * The lab's strategies: a host preset, and for the controlled ones, the controller that runs during the strategy.
 * `balloon`, `ksmtuned` and `auto` start from a quiet host (the `none` preset: KSM off, zswap off, no swap) plus:
 * - balloon: our balloon controller alone;
 * - ksmtuned: the real Debian ksmtuned daemon, its config pointed at our guests (a peer to beat);
 * - auto: our whole controller; its tiers are prepared up front (KSM ready, a zram swap device and a swap file),
 *   then switched off until the host states call for them.
 */
import { DISK_SWAP_PRIORITY, planPreset, type Plan, type PresetOptions, type Step } from '../host/presets.js';

export const LAB_STRATEGIES = [
  'none',
  'ksm',
  'uksm',
  'swap-disk',
  'zswap',
  'zram',
  'balloon',
  'ksmtuned',
  'auto',
] as const;
export type LabStrategy = (typeof LAB_STRATEGIES)[number];

export type LabControllerKind = 'balloon' | 'ksmtuned' | 'auto';

export interface StrategySetup {
  plan: Plan;
  controller?: LabControllerKind;
  /** auto: our swap file, which its disk-swap tier turns on and off. */
  diskSwap?: { path: string; priority: number };
}

export function strategySetup(strategy: LabStrategy, o: PresetOptions, stateDir: string): StrategySetup {
  switch (strategy) {
    case 'balloon':
    case 'ksmtuned':
      return { plan: planPreset('none', o, stateDir), controller: strategy };
    case 'auto': {
      const quiet = planPreset('none', o, stateDir).steps;
      const zram = planPreset('zram', o, stateDir).steps;
      const swap = planPreset('swap-disk', o, stateDir).steps;
      const file = swap.find((s): s is Extract<Step, { op: 'swapfile' }> => s.op === 'swapfile');
      return {
        plan: { preset: 'none', steps: [...quiet, ...zram, ...swap] },
        controller: 'auto',
        ...(file ? { diskSwap: { path: file.path, priority: file.priority ?? DISK_SWAP_PRIORITY } } : {}),
      };
    }
    default:
      return { plan: planPreset(strategy, o, stateDir) };
  }
}
