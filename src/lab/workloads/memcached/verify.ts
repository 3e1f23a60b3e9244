import { resolveLoadConfig, targetLabel, type MemcachedLoadConfig, type MemcachedLoadInput } from './config.js';
import { ValueFactory } from './content.js';
import { assertLedgerFits } from './fill.js';
import { runJob } from './job.js';
import { keyName } from './keys.js';
import type { KeyLedger } from './ledger.js';
import { MemcachedLoadError } from './load-error.js';
import { getRequest } from './protocol.js';
import { checkValue, describeCheck } from './value.js';

export interface VerifyResult {
  /** Keys with an acknowledged version when the read-back started (all targets). */
  keysWritten: number;
  /** Read back sound, with a version the ledger allows. */
  verified: number;
  /** Missing although acknowledged. */
  lost: number;
  /** Bad checksum, another key's bytes, a version the ledger does not allow, or (deep) bytes that differ. */
  corrupt: number;
  /** The first few problems, for notes: "127.0.0.1:11211 ovc:42: lost (acknowledged version 3)". */
  examples: string[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  /** Also recompute every value from (key, version) and compare it byte for byte (costs CPU). */
  deep?: boolean;
}

interface Batch {
  t: number;
  keys: number[];
  names: string[];
  floors: number[];
  seen: Uint8Array;
  cursor: number;
  attempts: number;
}

const MAX_EXAMPLES = 10;
const MAX_ATTEMPTS = 3;
const VERIFIED = 1;
const CORRUPT = 2;

/**
 * Reads back every key with an acknowledged version on every target (multi-get batches of verifyBatchKeys,
 * pipelined) and judges each: verified, lost or corrupt. Marks lost/corrupt keys in the ledger.
 */
export async function verifyAll(
  input: MemcachedLoadInput | MemcachedLoadConfig,
  ledger: KeyLedger,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const config = resolveLoadConfig(input);
  assertLedgerFits(config, ledger);
  const factories = config.targets.map((t) => new ValueFactory(config, targetLabel(t)));
  const queues: Batch[][] = config.targets.map((_, t) => {
    const batches: Batch[] = [];
    let cur: Batch | undefined;
    ledger.forEachWritten(t, (k, acked) => {
      if (!cur || cur.keys.length === config.verifyBatchKeys) {
        cur = { t, keys: [], names: [], floors: [], seen: new Uint8Array(0), cursor: 0, attempts: 0 };
        batches.push(cur);
      }
      cur.keys.push(k);
      cur.names.push(keyName(config.keyPrefix, k));
      cur.floors.push(acked);
    });
    return batches.reverse(); // popped from the end: key order
  });
  const r: VerifyResult = { keysWritten: 0, verified: 0, lost: 0, corrupt: 0, examples: [] };
  for (const q of queues) for (const b of q) r.keysWritten += b.keys.length;
  const note = (t: number, name: string, what: string) => {
    if (r.examples.length < MAX_EXAMPLES) r.examples.push(`${targetLabel(config.targets[t]!)} ${name}: ${what}`);
  };
  const corrupt = (b: Batch, i: number, what: string) => {
    b.seen[i] = CORRUPT;
    r.corrupt++;
    ledger.markCorrupt(b.t, b.keys[i]!);
    note(b.t, b.names[i]!, `corrupt: ${what}`);
  };
  /** Takes back what a batch's failed attempt counted, before it is read again. */
  const retry = (b: Batch) => {
    for (let i = 0; i < b.keys.length; i++) {
      if (b.seen[i] === VERIFIED) r.verified--;
      else if (b.seen[i] === CORRUPT) r.corrupt--;
    }
    (queues[b.t] as Batch[]).push(b);
  };
  await runJob<Batch>(
    config,
    {
      next(t) {
        const b = (queues[t] as Batch[]).pop();
        if (!b) return undefined;
        b.seen = new Uint8Array(b.keys.length);
        b.cursor = 0;
        return { req: b, bytes: getRequest(b.names) };
      },
      hasMore: (t) => (queues[t] as Batch[]).length > 0,
      value(b, key, data) {
        while (b.cursor < b.names.length && b.names[b.cursor] !== key) b.cursor++;
        if (b.cursor >= b.names.length) throw new Error(`memcached answered key '${key}', which was not asked for`);
        const i = b.cursor++;
        const k = b.keys[i]!;
        const v = checkValue(data, key);
        if (v < 0) return corrupt(b, i, describeCheck(v));
        if (!ledger.hitIsCurrent(b.t, k, v, b.floors[i]!))
          return corrupt(b, i, `version ${v}, expected ${b.floors[i]}..${ledger.issuedVersion(b.t, k)}`);
        if (options.deep && !factories[b.t]!.build(key, k, v).equals(data))
          return corrupt(b, i, `bytes differ from the recomputed value of version ${v}`);
        b.seen[i] = VERIFIED;
        r.verified++;
      },
      reply(b, status, message) {
        if (status !== 'END') {
          if (++b.attempts >= MAX_ATTEMPTS)
            throw new MemcachedLoadError(
              `memcached at ${targetLabel(config.targets[b.t]!)} answered a read-back with ${status} ${message}`.trim(),
              'see the server log; the read-back needs the server to answer GETs',
              targetLabel(config.targets[b.t]!),
            );
          return retry(b);
        }
        for (let i = 0; i < b.keys.length; i++) {
          if (b.seen[i]) continue;
          r.lost++;
          ledger.markLost(b.t, b.keys[i]!);
          note(b.t, b.names[i]!, `lost (acknowledged version ${b.floors[i]})`);
        }
      },
      lost: retry,
    },
    { depth: Math.min(config.pipelineDepth, 16), signal: options.signal },
  );
  return r;
}
