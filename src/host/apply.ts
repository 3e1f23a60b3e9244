import type { HostJournal } from './journal/journal.js';
import { stepHandler } from './mechanisms/index.js';
import type { HostPaths } from './paths.js';
import type { Plan } from './presets.js';

/**
 * Read-only checks of everything a plan needs, run before the journal exists: a missing kernel feature or a bad
 * path is reported with no host change at all. Each step's mechanism checks its own step.
 */
export async function preflight(paths: HostPaths, plan: Plan): Promise<void> {
  let swapComing = false;
  for (const s of plan.steps) {
    const h = stepHandler(s);
    await h.preflight({ paths, swapComing }, s);
    if (h.makesSwap) swapComing = true;
  }
}

/** Runs the steps of a plan through the journal, each by its mechanism. Returns one line per step done. */
export async function executePlan(
  journal: HostJournal,
  plan: Plan,
  log: (l: string) => void = () => undefined,
): Promise<string[]> {
  const done: string[] = [];
  for (const s of plan.steps) {
    const h = stepHandler(s);
    log(h.describe(s));
    for (const l of await h.apply(journal, s)) log(l);
    done.push(h.describe(s));
  }
  return done;
}
