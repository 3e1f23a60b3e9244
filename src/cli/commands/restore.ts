import { restoreHost } from '../../host/journal/restore.js';
import { cliContext, printJson, requireRoot } from '../context.js';

export async function restoreCommand(opts: { json?: boolean; force?: boolean; stateDir?: string }): Promise<void> {
  const ctx = cliContext(opts.stateDir);
  requireRoot('restore');
  const log = opts.json ? undefined : (l: string) => process.stderr.write(`  ${l}\n`);
  const r = await restoreHost(ctx.paths, ctx.stateDir, log ? { force: !!opts.force, log } : { force: !!opts.force });
  if (opts.json) printJson(r);
  else if (!r.hadJournal) process.stdout.write(`nothing to restore: no journal in ${ctx.stateDir}\n`);
  else process.stdout.write(`restored: '${r.label}' undone (${r.actions.length} actions)\n`);
}
