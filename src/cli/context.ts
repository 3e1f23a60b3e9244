import { NotRootError } from '../errors.js';
import { DEFAULT_STATE_DIR } from '../host/journal/journal.js';
import { REAL_PATHS, type HostPaths } from '../host/paths.js';

export interface CliContext {
  paths: HostPaths;
  stateDir: string;
}

/** The state dir: --state-dir, else $OVERCOMMIT_STATE_DIR, else /var/lib/overcommit. */
export function cliContext(stateDirOption: string | undefined): CliContext {
  return { paths: REAL_PATHS, stateDir: stateDirOption ?? process.env.OVERCOMMIT_STATE_DIR ?? DEFAULT_STATE_DIR };
}

export function requireRoot(action: string): void {
  if (process.getuid?.() !== 0) throw new NotRootError(action);
}

/** Prints a value as JSON on stdout (the --json contract: one document, nothing else on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
