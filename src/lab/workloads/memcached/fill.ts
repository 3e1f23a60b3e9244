import { resolveLoadConfig, targetLabel, type MemcachedLoadConfig, type MemcachedLoadInput } from './config.js';
import { ValueFactory } from './content.js';
import { runJob } from './job.js';
import { keyName } from './keys.js';
import type { KeyLedger } from './ledger.js';
import { setRequestHead } from './protocol.js';

export interface FillResult {
  /** Keys stored by this fill (all targets). */
  keysWritten: number;
  /** Value bytes stored by this fill (all targets). */
  bytesWritten: number;
  /** SETs refused (SERVER_ERROR out of memory with -M, ...): those keys are not written. */
  errors: number;
  durationS: number;
}

export interface FillOptions {
  signal?: AbortSignal;
  /** Called about every 1000 keys with keys done (stored or refused) and keys to do, all targets together. */
  onProgress?: (done: number, total: number) => void;
}

interface FillReq {
  t: number;
  k: number;
  version: number;
  size: number;
}

/** Builds the complete wire form of a SET of (key, version): head, value, CRLF. */
export function buildSet(f: ValueFactory, key: string, k: number, version: number, size: number): Buffer {
  const head = setRequestHead(key, size);
  const b = Buffer.allocUnsafe(head.length + size + 2);
  b.write(head, 0, 'latin1');
  f.write(b, head.length, size, key, k, version);
  b[b.length - 2] = 13;
  b[b.length - 1] = 10;
  return b;
}

/**
 * Writes every key of the key space once on every target (a new version of each), pipelined over all connections,
 * recording acknowledgements in the ledger. With keySpace = keySpaceForBytes(bytes, valueSize) it stores about
 * `bytes` of values per target. Refused SETs are counted, not retried; SETs lost with a connection are resent.
 */
export async function fillKeys(
  input: MemcachedLoadInput | MemcachedLoadConfig,
  ledger: KeyLedger,
  options: FillOptions = {},
): Promise<FillResult> {
  const config = resolveLoadConfig(input);
  assertLedgerFits(config, ledger);
  const factories = config.targets.map((t) => new ValueFactory(config, targetLabel(t)));
  const cursor = config.targets.map(() => 0);
  const retry: number[][] = config.targets.map(() => []);
  const total = config.keySpace * config.targets.length;
  let done = 0;
  let keysWritten = 0;
  let bytesWritten = 0;
  let errors = 0;
  const t0 = performance.now();
  await runJob<FillReq>(
    config,
    {
      next(t) {
        const again = retry[t] as number[];
        const k =
          again.length > 0 ? (again.pop() as number) : (cursor[t] as number) < config.keySpace ? cursor[t]!++ : -1;
        if (k < 0) return undefined;
        const f = factories[t] as ValueFactory;
        const version = ledger.beginSet(t, k);
        const size = f.sizeOf(k, version);
        return { req: { t, k, version, size }, bytes: buildSet(f, keyName(config.keyPrefix, k), k, version, size) };
      },
      hasMore: (t) => (retry[t] as number[]).length > 0 || (cursor[t] as number) < config.keySpace,
      value() {
        // A SET is never answered with VALUE; the parser would have failed first.
      },
      reply(r, status) {
        if (status === 'STORED') {
          ledger.stored(r.t, r.k, r.version);
          keysWritten++;
          bytesWritten += r.size;
        } else {
          ledger.setFailed(r.t, r.k);
          errors++;
        }
        if (++done % 1000 === 0 || done === total) options.onProgress?.(done, total);
      },
      lost(r) {
        ledger.setFailed(r.t, r.k);
        (retry[r.t] as number[]).push(r.k);
      },
    },
    { depth: config.pipelineDepth, signal: options.signal },
  );
  return { keysWritten, bytesWritten, errors, durationS: (performance.now() - t0) / 1000 };
}

/** The ledger must have been made for this config's targets and key space. */
export function assertLedgerFits(config: MemcachedLoadConfig, ledger: KeyLedger): void {
  if (ledger.targets !== config.targets.length || ledger.keySpace !== config.keySpace)
    throw new RangeError(
      `the ledger tracks ${ledger.targets} target(s) x ${ledger.keySpace} keys, the config ${config.targets.length} x ${config.keySpace}`,
    );
}
