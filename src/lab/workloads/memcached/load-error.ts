import type { MemcachedResult } from '../results.js';

/**
 * The load could not go on: a target refused the connection, or a lost connection did not come back within the
 * reconnect window. `partial` holds what the measured phase had counted until then, when it had started.
 */
export class MemcachedLoadError extends Error {
  override name = 'MemcachedLoadError';
  constructor(
    message: string,
    readonly hint: string,
    readonly target?: string,
    public partial?: MemcachedResult,
  ) {
    super(message);
  }

  oneLine(): string {
    return `${this.message}: ${this.hint}`;
  }
}
