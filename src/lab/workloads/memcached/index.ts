/**
 * Our memcached load generator (text protocol over node:net): fill, measured load, read-back with integrity checks.
 * The lab runner uses: createLedger -> fillKeys -> runMemcachedLoad (warm-up: verify false; measured) -> verifyAll,
 * or runMemcachedLoad alone with `fill: true`.
 */
export {
  MEMCACHED_LOAD_DEFAULTS,
  keySpaceForBytes,
  meanValueBytes,
  resolveLoadConfig,
  validateLoadConfig,
  type ContentMix,
  type KeyAccess,
  type LoadMode,
  type MemcachedLoadConfig,
  type MemcachedLoadInput,
  type MemcachedTarget,
  type ValueSizeSpec,
} from './config.js';
export { fillKeys, type FillOptions, type FillResult } from './fill.js';
export { KeyLedger } from './ledger.js';
export { MemcachedLoadError } from './load-error.js';
export { createLedger, runMemcachedLoad, type RunOptions } from './run.js';
export type { MemcachedSecondSample } from './stats.js';
export { verifyAll, type VerifyOptions, type VerifyResult } from './verify.js';
