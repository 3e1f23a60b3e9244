import type { Guest } from '../../guest/guest.js';
import { memcachedMbFor } from '../../guest/launcher/launch.js';
import { errorMessage } from '../../errors.js';
import type { MemcachedResult } from './results.js';
import type { Scenario } from '../scenario.js';
import { runMemcaslap } from './memcaslap/run.js';
import { runSpike, type SpikeRun } from './spike.js';
import {
  createLedger,
  fillKeys,
  keySpaceForBytes,
  MemcachedLoadError,
  runMemcachedLoad,
  verifyAll,
  type KeyLedger,
  type MemcachedLoadInput,
} from './memcached/index.js';

export interface MemcachedPhases {
  result?: MemcachedResult;
  /** Epoch ms when the measured phase began (the recorder's series is cut there for costs). */
  measuredFrom: number;
  notes: string[];
  spike?: SpikeRun;
}

/** The scenario's memcached settings as a load-generator config against these guests. Pure. */
export function loadConfigFor(s: Scenario, ports: number[]): MemcachedLoadInput {
  const valueSize = { kind: 'fixed' as const, bytes: s.memcached.valueBytes };
  return {
    targets: ports.map((port) => ({ host: '127.0.0.1', port })),
    connectionsPerTarget: s.memcached.connections,
    getRatio: s.memcached.getRatio,
    keySpace: keySpaceForBytes(memcachedMbFor(s.guests.memory) * 1024 * 1024 * s.memcached.fillShare, valueSize),
    access: s.memcached.zipfTheta > 0 ? { kind: 'zipf', theta: s.memcached.zipfTheta } : { kind: 'uniform' },
    valueSize,
    content: {
      duplicatedShare: s.memcached.duplicatedShare,
      compressibleShare: s.memcached.compressibleShare,
      randomShare: s.memcached.randomShare,
    },
    mode: { kind: 'closed' },
    fill: false,
    seed: 1,
    reconnectWindowS: 15,
  };
}

/**
 * Fill (every key written once: guest memory really used), warm-up, measured phase with every written key read
 * back. A guest that dies mid-run (OOM in the budget) ends the phase with what was measured and a note.
 */
export async function memcachedPhases(
  s: Scenario,
  guests: readonly Guest[],
  o: { signal?: AbortSignal | undefined; say: (phase: string) => void },
): Promise<MemcachedPhases> {
  const cfg = loadConfigFor(
    s,
    guests.map((g) => g.record.ports.memcached),
  );
  const ledger = createLedger(cfg);
  const notes: string[] = [];
  const signal = o.signal ? { signal: o.signal } : {};
  let measuredFrom = Date.now();
  try {
    o.say('filling memcached');
    const fill = await fillKeys(cfg, ledger, {
      ...signal,
      onProgress: (done, total) => o.say(`filling memcached ${Math.round((100 * done) / total)} %`),
    });
    if (fill.errors > 0) notes.push(`fill: ${fill.errors} SETs refused`);
    if (s.warmupS > 0) {
      o.say(`warm-up ${s.warmupS} s`);
      await runMemcachedLoad({ ...cfg, durationS: s.warmupS }, { ledger, verify: false, ...signal });
      o.signal?.throwIfAborted();
    }
    measuredFrom = Date.now();
    o.say(
      `measuring ${s.durationS} s${s.memcached.loadgen === 'memcaslap' ? ' with memcaslap' : ''}, then reading every key back`,
    );
    const spikeGuest = s.spike ? guests[s.spike.guest - 1] : undefined;
    const spike = spikeGuest ? runSpike(s, cfg, spikeGuest, o.signal).catch(() => undefined) : undefined;
    const result =
      s.memcached.loadgen === 'memcaslap'
        ? await memcaslapPhase(s, cfg, ledger, o.signal)
        : await runMemcachedLoad({ ...cfg, durationS: s.durationS }, { ledger, verify: true, ...signal });
    o.signal?.throwIfAborted();
    const spiked = await spike;
    return { result, measuredFrom, notes, ...(spiked ? { spike: spiked } : {}) };
  } catch (e) {
    o.signal?.throwIfAborted();
    if (e instanceof MemcachedLoadError) {
      notes.push(`memcached load ended early: ${errorMessage(e)}`);
      return e.partial ? { result: e.partial, measuredFrom, notes } : { measuredFrom, notes };
    }
    throw e;
  }
}

/** The measured phase driven by memcaslap, then our read-back of every key the fill wrote. */
async function memcaslapPhase(
  s: Scenario,
  cfg: MemcachedLoadInput,
  ledger: KeyLedger,
  signal: AbortSignal | undefined,
): Promise<MemcachedResult> {
  const m = await runMemcaslap({
    targets: cfg.targets ?? [],
    connectionsPerTarget: s.memcached.connections,
    durationS: s.durationS,
    valueBytes: s.memcached.valueBytes,
    getRatio: s.memcached.getRatio,
    ...(signal ? { signal } : {}),
  });
  signal?.throwIfAborted();
  const v = await verifyAll(cfg, ledger, signal ? { signal } : {});
  return {
    ops: m.ops,
    gets: m.gets,
    sets: m.sets,
    hits: m.gets - m.misses,
    misses: m.misses,
    errors: 0,
    durationS: m.durationS,
    opsPerSec: m.opsPerSec,
    latency: m.latency,
    opsPerSecSeries: m.opsPerSecSeries,
    integrity: { keysWritten: v.keysWritten, verified: v.verified, lost: v.lost, corrupt: v.corrupt },
  };
}
