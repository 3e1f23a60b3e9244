import { OvercommitError } from '../errors.js';

export class InterruptedError extends OvercommitError {
  constructor(signal: string) {
    super('USAGE', `interrupted by ${signal}`, 'the host was restored');
    this.name = 'InterruptedError';
  }
}

/**
 * Catches SIGINT/SIGTERM for a command that changes the host: the first signal aborts (the command then restores
 * and exits); a third SIGINT exits at once, leaving the journal for `overcommit restore`.
 */
export function interruptScope(): { signal: AbortSignal; which: () => string | undefined; dispose: () => void } {
  const ac = new AbortController();
  let got: string | undefined;
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      got = sig;
      process.stderr.write(
        `\n${sig}: restoring the host before exit (press Ctrl-C twice more to leave it for 'overcommit restore')\n`,
      );
      ac.abort(new InterruptedError(sig));
    } else if (count >= 3) {
      process.stderr.write('exiting without restore: run overcommit restore\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    which: () => got,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
