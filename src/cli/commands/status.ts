import { readHostStatus } from '../../host/status.js';
import { cliContext, printJson } from '../context.js';
import { renderStatus } from '../render/status.js';

export async function statusCommand(opts: { json?: boolean; stateDir?: string }): Promise<void> {
  const ctx = cliContext(opts.stateDir);
  const s = await readHostStatus(ctx.paths, ctx.stateDir);
  if (opts.json) printJson(s);
  else process.stdout.write(renderStatus(s));
}
