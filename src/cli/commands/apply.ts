import { executePlan, preflight } from '../../host/apply.js';
import { HostJournal } from '../../host/journal/journal.js';
import { describeStep, planPreset, type PresetOptions } from '../../host/presets.js';
import { restoreHost } from '../../host/journal/restore.js';
import { errorMessage } from '../../errors.js';
import { cliContext, printJson, requireRoot } from '../context.js';
import { interruptScope } from '../interrupt.js';

export interface ApplyFlags extends PresetOptions {
  json?: boolean;
  dryRun?: boolean;
  hold?: boolean;
  stateDir?: string;
}

/**
 * `overcommit apply PRESET`: validate everything, check the host (read-only), then change it through the journal.
 * Any failure or SIGINT/SIGTERM during apply restores the host before exit. Without --hold the changes stay until
 * `overcommit restore`; with --hold the command waits and restores on SIGINT/SIGTERM.
 */
export async function applyCommand(preset: string, flags: ApplyFlags): Promise<void> {
  const ctx = cliContext(flags.stateDir);
  const plan = planPreset(preset, flags, ctx.stateDir);
  const say = (l: string) => {
    if (!flags.json) process.stderr.write(`${l}\n`);
  };
  if (flags.dryRun) {
    if (flags.json) printJson({ preset: plan.preset, dryRun: true, steps: plan.steps.map(describeStep) });
    else for (const s of plan.steps) process.stdout.write(`would apply: ${describeStep(s)}\n`);
    return;
  }
  requireRoot(`apply ${preset}`);
  await preflight(ctx.paths, plan);
  const scope = interruptScope();
  const journal = await HostJournal.begin(ctx.paths, ctx.stateDir, `apply ${plan.preset}`);
  try {
    for (const step of plan.steps) {
      scope.signal.throwIfAborted();
      await executePlan(journal, { ...plan, steps: [step] }, say);
    }
    scope.signal.throwIfAborted();
    if (flags.json)
      printJson({
        preset: plan.preset,
        steps: plan.steps.map(describeStep),
        journal: journal.file,
        hold: !!flags.hold,
      });
    else
      say(
        `applied '${plan.preset}'; journal ${journal.file}; ${flags.hold ? 'holding until SIGINT/SIGTERM' : 'undo with: overcommit restore'}`,
      );
    if (flags.hold) {
      // Signal handlers do not keep Node's event loop alive: a timer does, until the signal comes.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) => scope.signal.addEventListener('abort', () => resolve(), { once: true }));
      clearInterval(keepAlive);
      say(`${scope.which() ?? 'signal'}: restoring`);
      const r = await restoreHost(ctx.paths, ctx.stateDir, { log: (l) => say(`  ${l}`) });
      say(`restored (${r.actions.length} actions)`);
    }
  } catch (e) {
    say(`${errorMessage(e)}; restoring the host`);
    try {
      await restoreHost(ctx.paths, ctx.stateDir, { log: (l) => say(`  ${l}`) });
    } catch (re) {
      say(`restore failed: ${errorMessage(re)}`);
    }
    throw e;
  } finally {
    scope.dispose();
  }
}
