import { diagnose, gatherFacts } from '../../host/doctor.js';
import { cliContext, printJson } from '../context.js';
import { renderDoctor } from '../render/doctor.js';

/** Exit status 0 when nothing is missing (warnings allowed), 4 otherwise. */
export async function doctorCommand(opts: { json?: boolean; stateDir?: string }): Promise<number> {
  const ctx = cliContext(opts.stateDir);
  const facts = await gatherFacts(ctx.paths);
  const checks = diagnose(facts);
  if (opts.json) printJson({ facts, checks });
  else process.stdout.write(renderDoctor(checks));
  return checks.some((c) => c.status === 'missing') ? 4 : 0;
}
