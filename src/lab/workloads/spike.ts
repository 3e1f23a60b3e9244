/**
 * The working-set spike: a burst of new keys (prefix `spike:`) into one guest's memcached while the measured phase
 * runs, as when a tenant's data set suddenly grows; read back afterwards like every other key.
 */
import type { Guest } from '../../guest/guest.js';
import { memcachedMbFor } from '../../guest/launcher/launch.js';
import { errorMessage } from '../../errors.js';
import type { Scenario } from '../scenario.js';
import { createLedger, fillKeys, keySpaceForBytes, verifyAll, type MemcachedLoadInput } from './memcached/index.js';

export interface SpikeRun {
  guest: string;
  /** Epoch ms when the burst began and ended. */
  startedAt: number;
  endedAt: number;
  keysWritten: number;
  refused: number;
  lost: number;
  corrupt: number;
  error?: string;
}

/** Starts the spike after `atS` seconds; resolves when its keys are written and read back. */
export async function runSpike(
  s: Scenario,
  base: MemcachedLoadInput,
  guest: Guest,
  signal: AbortSignal | undefined,
): Promise<SpikeRun | undefined> {
  const sp = s.spike;
  if (!sp) return undefined;
  await new Promise((r) => setTimeout(r, sp.atS * 1000));
  signal?.throwIfAborted();
  const valueSize = { kind: 'fixed' as const, bytes: s.memcached.valueBytes };
  const cfg: MemcachedLoadInput = {
    ...base,
    targets: [{ host: '127.0.0.1', port: guest.record.ports.memcached }],
    keyPrefix: 'spike:',
    keySpace: keySpaceForBytes(memcachedMbFor(s.guests.memory) * 1024 * 1024 * sp.share, valueSize),
    seed: 99,
  };
  const ledger = createLedger(cfg);
  const startedAt = Date.now();
  const out: SpikeRun = {
    guest: guest.name,
    startedAt,
    endedAt: startedAt,
    keysWritten: 0,
    refused: 0,
    lost: 0,
    corrupt: 0,
  };
  try {
    const f = await fillKeys(cfg, ledger, signal ? { signal } : {});
    out.endedAt = Date.now();
    out.keysWritten = f.keysWritten;
    out.refused = f.errors;
    const v = await verifyAll(cfg, ledger, signal ? { signal } : {});
    out.lost = v.lost;
    out.corrupt = v.corrupt;
  } catch (e) {
    signal?.throwIfAborted();
    out.endedAt = Date.now();
    out.error = errorMessage(e);
  }
  return out;
}
