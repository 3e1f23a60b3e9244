import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseSize } from '../util/size.js';

import { LAB_STRATEGIES, type LabStrategy } from './strategies.js';

export { LAB_STRATEGIES, type LabStrategy };

const size = z.union([z.string(), z.number().int().positive()]).transform((v, ctx) => {
  try {
    return typeof v === 'number' ? v : parseSize(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `'${String(v)}' is not a size (use e.g. 256M, 1G)` });
    return z.NEVER;
  }
});

export const ScenarioSchema = z
  .object({
    /** Shown in the report. */
    name: z.string().default('custom'),
    guests: z
      .object({
        count: z.number().int().min(1).max(16).default(3),
        memory: size.default(256 * 1024 * 1024),
        vcpus: z.number().int().min(1).max(8).default(1),
      })
      .prefault({}),
    budget: z
      .object({
        /** Overcommit ratio = guest RAM / budget; the baseline `none` always runs at 1. */
        ratio: z.number().min(1).max(10).default(2.5),
        /** Host memory allowed per guest for QEMU itself (TCG cache, devices): added to the budget. */
        overheadPerGuest: size.default(64 * 1024 * 1024),
      })
      .prefault({}),
    strategies: z
      .array(z.enum(LAB_STRATEGIES))
      .min(1)
      .default([...LAB_STRATEGIES]),
    memcached: z
      .object({
        /**
         * Who drives the measured phase: our generator, or Debian's memcaslap (for comparison with a tool users know;
         * the fill and the integrity read-back stay ours, so lost/corrupt are counted either way).
         */
        loadgen: z.enum(['ours', 'memcaslap']).default('ours'),
        connections: z.number().int().min(1).max(64).default(2),
        getRatio: z.number().min(0).max(1).default(0.9),
        valueBytes: z
          .number()
          .int()
          .min(16)
          .max(1024 * 1024)
          .default(2048),
        /**
         * Fill: share of memcached's memory limit (-m: 60 % of guest RAM less 16 MiB) written before the measured
         * phase; with the guest's own needs that uses about 70-75 % of guest RAM.
         */
        fillShare: z.number().min(0).max(0.9).default(0.8),
        duplicatedShare: z.number().min(0).max(1).default(0.3),
        compressibleShare: z.number().min(0).max(1).default(0.4),
        randomShare: z.number().min(0).max(1).default(0.3),
        zipfTheta: z.number().min(0).max(2).default(0.9),
      })
      .prefault({}),
    /** iperf3 both ways and request/response against the first guest, after the memcached phase (0 s: skip). */
    network: z.object({ seconds: z.number().min(0).max(600).default(5) }).prefault({}),
    /**
     * fio in the first guest after the network phase: 4 jobs (1M sequential write, 4k random write and read at QD16,
     * 1M sequential read) of `seconds` each on a scratch virtio-blk disk of `diskSize` (0 s: skip).
     */
    fio: z
      .object({ seconds: z.number().min(0).max(600).default(3), diskSize: size.default(128 * 1024 * 1024) })
      .prefault({}),
    /**
     * Transparent huge pages while the strategies run (journaled, restored after). `never` by default: with THP on,
     * QEMU backs guest RAM with 2 MiB pages, and under a budget cgroup reclaim could not split and swap them fast
     * enough: guests were OOM-killed although swap was free (measured here, swap-disk at 3x). `keep`: leave the host's.
     */
    thp: z.enum(['keep', 'never', 'madvise', 'always']).default('never'),
    warmupS: z.number().min(0).max(3600).default(5),
    durationS: z
      .number()
      .min(1)
      .max(24 * 3600)
      .default(25),
    repetitions: z.number().int().min(1).max(20).default(1),
    /**
     * The density scenario: after the baseline (`none` at 1x), each strategy runs at each ratio in ascending order
     * until a step misses the SLO (throughput < minThroughput x baseline, an item lost, a guest dead); the report
     * gives the highest ratio each strategy held. budget.ratio is then unused.
     */
    density: z
      .object({
        ratios: z
          .array(z.number().min(1).max(10))
          .min(1)
          .default([1.5, 2, 2.5, 3, 4])
          .transform((r) => [...new Set(r)].sort((a, b) => a - b)),
        minThroughput: z.number().min(0).max(1).default(0.9),
      })
      .optional(),
    /**
     * A working-set spike: `atS` seconds into the measured phase, guest number `guest` gets a burst of new keys
     * worth `share` of its memcached memory. The report shows how long until its balloon was back to full.
     */
    spike: z
      .object({
        guest: z.number().int().min(1).default(1),
        atS: z.number().min(0).default(10),
        share: z.number().min(0.05).max(0.9).default(0.45),
      })
      .optional(),
    swap: z.object({ size: size.default(2 * 1024 * 1024 * 1024), path: z.string().optional() }).prefault({}),
    zram: z.object({ size: size.default(2 * 1024 * 1024 * 1024), algorithm: z.string().optional() }).prefault({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const mix = s.memcached.duplicatedShare + s.memcached.compressibleShare + s.memcached.randomShare;
    if (Math.abs(mix - 1) > 1e-6) {
      ctx.addIssue({ code: 'custom', path: ['memcached'], message: `value content shares add up to ${mix}, not 1` });
    }
    if (s.spike && s.spike.guest > s.guests.count) {
      ctx.addIssue({ code: 'custom', path: ['spike', 'guest'], message: `there are only ${s.guests.count} guests` });
    }
    if (s.spike && s.memcached.fillShare + s.spike.share > 0.95) {
      ctx.addIssue({
        code: 'custom',
        path: ['spike', 'share'],
        message: `fillShare + spike share must leave memcached room (<= 0.95), not ${s.memcached.fillShare + s.spike.share}`,
      });
    }
    if (s.guests.memory < 128 * 1024 * 1024) {
      ctx.addIssue({
        code: 'custom',
        path: ['guests', 'memory'],
        message: `${s.guests.memory} B is below the 128M a guest needs`,
      });
    }
  });

export type Scenario = z.infer<typeof ScenarioSchema>;

export class ScenarioError extends UsageError {}

/** Validates a scenario; errors name the path and the bad value. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const r = ScenarioSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.join('.') || '(top)';
    let value: unknown = input;
    for (const k of i.path)
      value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k] : undefined;
    return `${path}: ${i.message}${value !== undefined && typeof value !== 'object' ? ` (got ${JSON.stringify(value)})` : ''}`;
  });
  throw new ScenarioError(`invalid ${source}: ${lines.join('; ')}`, 'fix the scenario (see overcommit lab run --help)');
}

export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(
      `cannot read scenario ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'give the path of a YAML file',
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ScenarioError(
      `scenario ${path} is not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`,
      'fix the YAML syntax',
    );
  }
  return parseScenario(doc, `scenario ${path}`);
}

/**
 * The built-in plans. `default`: the seed's plan at small scale (3 guests of 256M, 2.5x, all nine strategies): 10.3
 * min on a 2-core TCG machine. `quick`: 2 guests, five strategies, shorter phases. `tiny`: 2 guests, none and zram,
 * for the tests. `density`: each strategy up the ratios until it misses the SLO. `spike`: a working-set spike.
 */
export const BUILTIN_SCENARIOS = ['default', 'quick', 'tiny', 'density', 'spike'] as const;
export type BuiltinScenario = (typeof BUILTIN_SCENARIOS)[number];

export function builtinScenario(name: BuiltinScenario): Scenario {
  if (name === 'density') {
    return parseScenario({
      name: 'density',
      guests: { count: 2, memory: '256M' },
      strategies: ['none', 'ksm', 'swap-disk', 'zswap', 'zram', 'balloon', 'auto'],
      density: {},
      warmupS: 3,
      durationS: 12,
      network: { seconds: 0 },
      fio: { seconds: 0 },
    });
  }
  if (name === 'spike') {
    return parseScenario({
      name: 'spike',
      guests: { count: 3, memory: '256M' },
      // Tight enough that the balloon controllers inflate idle guests before the spike (at 2x they never did).
      budget: { ratio: 3.5 },
      strategies: ['none', 'zram', 'balloon', 'auto'],
      memcached: { fillShare: 0.35 },
      spike: {},
      warmupS: 5,
      durationS: 40,
      network: { seconds: 0 },
      fio: { seconds: 0 },
    });
  }
  if (name === 'quick') {
    return parseScenario({
      name: 'quick',
      guests: { count: 2, memory: '192M' },
      strategies: ['none', 'ksm', 'zswap', 'zram', 'auto'],
      warmupS: 3,
      durationS: 10,
      network: { seconds: 2 },
      fio: { seconds: 1, diskSize: '32M' },
    });
  }
  if (name === 'tiny') {
    return parseScenario({
      name: 'tiny',
      guests: { count: 2, memory: '192M' },
      budget: { ratio: 2 },
      strategies: ['none', 'zram'],
      warmupS: 2,
      durationS: 6,
      network: { seconds: 2 },
      fio: { seconds: 1, diskSize: '32M' },
      memcached: { fillShare: 0.5 },
    });
  }
  return parseScenario({ name: 'default' });
}

/** Bytes the budget cgroup allows for a strategy: guest RAM / ratio (1 for the baseline) + QEMU's own overhead. */
export function budgetBytes(
  s: Scenario,
  strategy: LabStrategy,
  ratioOverride?: number,
): { budget: number; ratio: number; guestRam: number } {
  const guestRam = s.guests.count * s.guests.memory;
  const ratio = ratioOverride ?? (strategy === 'none' ? 1 : s.budget.ratio);
  return { budget: Math.round(guestRam / ratio + s.guests.count * s.budget.overheadPerGuest), ratio, guestRam };
}
