import type { MemcachedResult } from '../results.js';
import { resolveLoadConfig, type MemcachedLoadConfig, type MemcachedLoadInput } from './config.js';
import { assertLedgerFits, fillKeys, type FillResult } from './fill.js';
import { KeyLedger } from './ledger.js';
import { runLoadPhase, type PhaseOutcome } from './load-phase.js';
import type { MemcachedSecondSample } from './stats.js';
import { verifyAll, type VerifyResult } from './verify.js';

export interface RunOptions {
  /** Stops the measured phase early: the result covers the time run, and there is no read-back. */
  signal?: AbortSignal;
  /** Called once per second of the measured phase. */
  onSecond?: (sample: MemcachedSecondSample) => void;
  /** Versions known from earlier phases (fill, warm-up) of the same targets; a fresh one by default. */
  ledger?: KeyLedger;
  /** Read every written key back after the measured phase (default true). */
  verify?: boolean;
  /** With config.fill: progress of the fill. */
  onFillProgress?: (done: number, total: number) => void;
  /** Called with the fill's and the read-back's own results, for notes. */
  onFill?: (r: FillResult) => void;
  onVerify?: (r: VerifyResult) => void;
}

/** A ledger for this config's targets and key space: hand the same one to fill, runs and read-backs. */
export function createLedger(input: MemcachedLoadInput | MemcachedLoadConfig): KeyLedger {
  const c = resolveLoadConfig(input);
  return new KeyLedger(c.targets.length, c.keySpace);
}

/**
 * The memcached load: optionally fills every key (config.fill, not measured), runs the measured phase, then reads
 * every written key back (options.verify). Results are summed over all targets. Integrity: keysWritten and verified
 * come from the read-back; lost and corrupt count distinct keys found lost/corrupt by any read of this call (during
 * the load or in the read-back).
 *
 * Rejects with UsageError on a bad config, MemcachedLoadError when a target cannot be reached or a lost connection
 * does not come back within reconnectWindowS (its `partial` then holds the measured phase so far), and with the
 * signal's reason when aborted during the fill.
 */
export async function runMemcachedLoad(
  input: MemcachedLoadInput | MemcachedLoadConfig,
  options: RunOptions = {},
): Promise<MemcachedResult> {
  const config = resolveLoadConfig(input);
  const ledger = options.ledger ?? new KeyLedger(config.targets.length, config.keySpace);
  assertLedgerFits(config, ledger);
  options.signal?.throwIfAborted();
  ledger.clearAnomalies();
  if (config.fill) {
    const f = await fillKeys(config, ledger, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onFillProgress ? { onProgress: options.onFillProgress } : {}),
    });
    options.onFill?.(f);
  }
  const phase = await runLoadPhase(config, ledger, { signal: options.signal, onSecond: options.onSecond });
  if (phase.error) {
    phase.error.partial = toResult(phase, ledger, 0);
    throw phase.error;
  }
  let verified = 0;
  if (options.verify !== false && !phase.aborted) {
    const v = await verifyAll(config, ledger, options.signal ? { signal: options.signal } : {});
    options.onVerify?.(v);
    verified = v.verified;
  }
  return toResult(phase, ledger, verified);
}

function toResult(phase: PhaseOutcome, ledger: KeyLedger, verified: number): MemcachedResult {
  const s = phase.stats;
  const counts = ledger.counts();
  return {
    ops: s.ops,
    gets: s.gets,
    sets: s.sets,
    hits: s.hits,
    misses: s.misses,
    errors: s.errors,
    durationS: phase.durationS,
    opsPerSec: phase.durationS > 0 ? s.ops / phase.durationS : 0,
    latency: s.latency.summary(),
    opsPerSecSeries: s.series(phase.durationS),
    integrity: { keysWritten: counts.keysWritten, verified, lost: counts.lost, corrupt: counts.corrupt },
  };
}
