/**
 * results.json read back (to re-render a report, or to compare runs): validated with zod so a hand-edited or
 * truncated file fails with the path of the bad field, not deep inside a renderer. The per-second series is checked
 * for its shape (time, host, guests) and kept as written: it is what the recorder produced.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { TimelineEntry } from '../control/policy-loop.js';
import type { Observation } from '../observe/observation.js';
import type { LabResults } from './results.js';

const num = z.number();
const latency = z.object({ count: num, p50Us: num, p90Us: num, p99Us: num, p999Us: num, maxUs: num, meanUs: num });

const memcached = z.object({
  ops: num,
  gets: num,
  sets: num,
  hits: num,
  misses: num,
  errors: num,
  durationS: num,
  opsPerSec: num,
  latency,
  opsPerSecSeries: z.array(num),
  integrity: z.object({ keysWritten: num, verified: num, lost: num, corrupt: num }),
});

const fio = z.object({
  job: z.string(),
  readIops: num,
  writeIops: num,
  readBwBytesPerSec: num,
  writeBwBytesPerSec: num,
  readLatency: latency.optional(),
  writeLatency: latency.optional(),
});

const network = z.object({
  hostToGuestBitsPerSec: num,
  guestToHostBitsPerSec: num,
  rrPerSec: num,
  rrLatency: latency,
});

const observation = z.looseObject({
  t: num,
  host: z.looseObject({ memTotalBytes: num, memAvailableBytes: num }),
  guests: z.array(z.looseObject({ name: z.string(), alive: z.boolean() })),
});

const strategy = z.object({
  strategy: z.string(),
  repetition: z.number().int().min(1),
  startedAt: z.string(),
  durationS: num,
  guestRamBytes: num,
  budgetBytes: num,
  overcommitRatio: num,
  /** Absent in results written before it existed. */
  hostSettings: z.array(z.string()).default([]),
  memcached: memcached.optional(),
  fio: z.array(fio).optional(),
  network: network.optional(),
  savedBytes: z.object({ ksm: num, zram: num, zswap: num, balloon: num }),
  cpuSeconds: z.object({ ksmd: num, kswapd: num, system: num, user: num, iowait: num }),
  swapIo: z.object({ pagesIn: num, pagesOut: num }),
  // The recorder's observations: shape-checked here, typed by the recorder that wrote them.
  series: z.array(observation).transform((x) => x as unknown as Observation[]),
  spike: z
    .object({
      guest: z.string(),
      startedAt: num,
      endedAt: num,
      keysWritten: num,
      refused: num,
      lost: num,
      corrupt: num,
      error: z.string().optional(),
      fillSeconds: num,
      inflatedBeforeBytes: num,
      deflateDecidedAfterS: num.optional(),
      fullAfterS: num.optional(),
    })
    .optional(),
  timeline: z
    .array(
      z.looseObject({
        t: num,
        policy: z.string(),
        ok: z.boolean(),
        action: z.looseObject({ kind: z.enum(['ksm', 'balloon', 'tier', 'host-state']), reason: z.string() }),
      }),
    )
    // Written by the policy loop: shape-checked here, typed by the loop.
    .transform((x) => x as unknown as TimelineEntry[])
    .optional(),
  notes: z.array(z.string()),
  vsBaseline: z.object({ throughput: num, p99: num }).optional(),
});

export const LabResultsSchema = z.object({
  version: z.literal(1),
  scenario: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  environment: z.object({
    hostKernel: z.string(),
    qemuVersion: z.string(),
    accel: z.string(),
    accelReason: z.string().optional(),
    guestKernel: z.string(),
    thp: z.string(),
    cpuModel: z.string(),
    cpus: num,
    memTotalBytes: num,
    swapDevice: z.string(),
    cgroupVersion: num.nullable(),
    caveats: z.array(z.string()),
  }),
  settings: z.record(z.string(), z.unknown()),
  strategies: z.array(strategy),
  density: z
    .array(
      z.object({
        strategy: z.string(),
        heldRatio: num.nullable(),
        steps: z.array(
          z.object({ ratio: num, throughput: num.optional(), held: z.boolean(), why: z.string().optional() }),
        ),
      }),
    )
    .optional(),
});

export class ResultsFileError extends UsageError {}

/** Validates parsed results.json; errors name the path of the bad field. */
export function parseLabResults(doc: unknown, source = 'results.json'): LabResults {
  const r = LabResultsSchema.safeParse(doc);
  if (r.success) return r.data satisfies LabResults;
  const lines = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new ResultsFileError(
    `${source} is not a lab results file: ${lines.join('; ')}`,
    'give the results.json that overcommit lab run wrote (version 1)',
  );
}

export async function loadLabResults(path: string): Promise<LabResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ResultsFileError(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'give a run folder or its results.json',
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(`${path} is not JSON (${(e as Error).message})`, 'the run may have been cut short');
  }
  return parseLabResults(doc, path);
}
