import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memcachedMbFor } from '../guest/launcher/launch.js';
import { runStrategy } from './run-strategy.js';
import type { Guest } from '../guest/guest.js';
import { UsageError, errorMessage } from '../errors.js';
import { heldRatio, judgeStep, type DensityResult, type DensityStep } from './density-judge.js';
import { deviceOf, readEnvironment } from './environment.js';
import type { LabRunOptions } from './run-options.js';
import type { Environment, LabResults, StrategyResult } from './results.js';
import type { Scenario } from './scenario.js';
import { withBaselineRatios } from './summarize.js';
import { FIO_JOBS } from './workloads/fio/parse.js';

export type { LabRunOptions } from './run-options.js';

/**
 * The density loop: the baseline, then each strategy up the ratios until a step misses the SLO. Steps are recorded
 * as strategies named `STRATEGY@RATIOx`, so every step has its row in the report.
 */
async function runDensity(
  o: LabRunOptions,
  d: NonNullable<Scenario['density']>,
  results: StrategyResult[],
  sawGuest: (g: Guest) => Promise<void>,
  perRunS: number,
): Promise<DensityResult[]> {
  const s = o.scenario;
  const others = s.strategies.filter((x) => x !== 'none');
  const total = 1 + others.length * d.ratios.length;
  let index = 1;
  const say = (strategy: string) => (phase: string) =>
    o.progress?.({ strategy, index, total, phase, etaS: (total - index + 1) * perRunS });
  const base = await runStrategy(o, 'none', { repetition: 1, say: say('none'), sawGuest, ratio: 1 });
  results.push(base);
  const baseOps = base.memcached?.opsPerSec ?? 0;
  if (baseOps <= 0)
    throw new UsageError('the density baseline (none at 1x) measured no memcached throughput', base.notes.join('; '));
  const out: DensityResult[] = [];
  for (const strategy of others) {
    const steps: DensityStep[] = [];
    for (const ratio of d.ratios) {
      index++;
      o.signal?.throwIfAborted();
      let step: DensityStep;
      try {
        const r = await runStrategy(o, strategy, {
          repetition: 1,
          say: say(`${strategy} @ ${ratio}x`),
          sawGuest,
          ratio,
        });
        results.push({ ...r, strategy: `${strategy}@${ratio}x` });
        step = judgeStep(r, baseOps, ratio, d.minThroughput);
      } catch (e) {
        // One step that could not run is a step not held (with why), not the end of the whole density run.
        o.signal?.throwIfAborted();
        step = { ratio, held: false, why: `the run failed: ${errorMessage(e)}` };
      }
      steps.push(step);
      if (!step.held) {
        index += d.ratios.length - steps.length;
        break;
      }
    }
    out.push({ strategy, heldRatio: heldRatio(steps), steps });
  }
  return out;
}

/** Rough seconds per strategy, for the time-left estimate: boot + fill + warm-up + measured + verify + restore. */
function estimateS(s: Scenario): number {
  const fillBytes = memcachedMbFor(s.guests.memory) * 1024 * 1024 * s.memcached.fillShare;
  const fillS = fillBytes / s.memcached.valueBytes / 800; // ~800 sets/s per guest under TCG
  const fioS = s.fio.seconds > 0 ? FIO_JOBS.length * (s.fio.seconds + 1) + 3 : 0;
  const netS = s.network.seconds > 0 ? 3 * s.network.seconds + 2 : 0;
  return 8 + fillS + s.warmupS + s.durationS + fillS / 3 + netS + fioS + 5;
}

/**
 * Runs the scenario: for each repetition and strategy, fresh guests in a fresh budget cgroup under the strategy's
 * host preset, memcached filled, warmed up and measured while the recorder samples every second, every key read
 * back; then the host is restored (also on abort: SIGINT/SIGTERM) before the next strategy.
 */
export async function runLab(o: LabRunOptions): Promise<LabResults> {
  const s = o.scenario;
  const startedAt = new Date().toISOString();
  const results: StrategyResult[] = [];
  let env: Environment | undefined;
  const sawGuest = async (g: Guest) => {
    env ??= await readEnvironment(o.paths, g, await deviceOf(o.stateDir));
  };
  let density: DensityResult[] | undefined;
  if (s.density) {
    density = await runDensity(o, s.density, results, sawGuest, estimateS(s));
  } else {
    const total = s.strategies.length * s.repetitions;
    let index = 0;
    const t0 = Date.now();
    for (let rep = 1; rep <= s.repetitions; rep++) {
      for (const strategy of s.strategies) {
        index++;
        o.signal?.throwIfAborted();
        // Time left: the estimate until one strategy has run, then the mean of those that ran.
        const perStrategy = index > 1 ? (Date.now() - t0) / 1000 / (index - 1) : estimateS(s);
        const say = (phase: string) =>
          o.progress?.({ strategy, index, total, phase, etaS: (total - index + 1) * perStrategy });
        results.push(await runStrategy(o, strategy, { repetition: rep, say, sawGuest }));
      }
    }
  }
  const out: LabResults = {
    version: 1,
    scenario: s.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    environment: env ?? (await readEnvironment(o.paths, undefined, await deviceOf(o.stateDir))),
    settings: s,
    strategies: withBaselineRatios(results),
    ...(density ? { density } : {}),
  };
  await mkdir(o.outDir, { recursive: true });
  await writeFile(join(o.outDir, 'results.json'), JSON.stringify(out, null, 1) + '\n');
  return out;
}
