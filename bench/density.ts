/**
 * bench/density: the density scenario's table — the highest overcommit ratio each strategy held at the SLO
 * (throughput >= 90 % of the baseline's, nothing lost, every guest alive) — and the issue's goal: `auto` should hold
 * >= 1.5x the ratio of the best single mechanism. Writes the run folder like `lab run --scenario density`.
 *   node --import tsx bench/density.ts [--out DIR] [--ratios 1.5,2,2.5,3,4] [--strategies ksm,zram,auto,...]
 */
import { join } from 'node:path';
import { REAL_PATHS } from '../src/host/paths.js';
import { consoleProgress } from '../src/lab/progress.js';
import { renderHtml } from '../src/lab/report/html.js';
import { renderMarkdown } from '../src/lab/report/markdown.js';
import { runLab } from '../src/lab/runner.js';
import { builtinScenario, parseScenario } from '../src/lab/scenario.js';
import { rm, writeFile } from 'node:fs/promises';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const base = builtinScenario('density');
const ratios = arg('ratios')?.split(',').map(Number);
const strategies = arg('strategies')?.split(',');
const scenario = parseScenario({
  ...base,
  ...(ratios ? { density: { ...base.density, ratios } } : {}),
  ...(strategies ? { strategies: ['none', ...strategies.filter((x) => x !== 'none')] } : {}),
});
const outDir = arg('out') ?? join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-density`);
const ac = new AbortController();
process.once('SIGINT', () => ac.abort(new Error('interrupted')));
const t0 = Date.now();
const stateDir = `/var/tmp/ovc-bench-density-${process.pid}`;
const results = await runLab({
  scenario,
  paths: REAL_PATHS,
  stateDir,
  outDir,
  signal: ac.signal,
  progress: consoleProgress(),
});
// Every strategy restored the host and removed its journal; what is left is empty folders.
await rm(stateDir, { recursive: true, force: true });
await writeFile(join(outDir, 'report.md'), renderMarkdown(results));
await writeFile(join(outDir, 'report.html'), renderHtml(results));
const d = results.density ?? [];
console.log(
  `\ndensity (${scenario.guests.count} guests of ${scenario.guests.memory / 2 ** 20} MiB, ${results.environment.accel}), ${((Date.now() - t0) / 60000).toFixed(1)} min`,
);
console.log('strategy    highest ratio held  steps');
for (const x of d)
  console.log(
    `${x.strategy.padEnd(10)}  ${(x.heldRatio === null ? 'none' : `${x.heldRatio}x`).padStart(18)}  ${x.steps
      .map((s) => `${s.ratio}x ${s.held ? `${Math.round((s.throughput ?? 0) * 100)}%` : `missed (${s.why ?? '?'})`}`)
      .join('; ')}`,
  );
const auto = d.find((x) => x.strategy === 'auto')?.heldRatio ?? null;
const singles = d.filter((x) => x.strategy !== 'auto' && x.strategy !== 'ksmtuned');
const best = Math.max(0, ...singles.map((x) => x.heldRatio ?? 0));
if (auto !== null && best > 0)
  console.log(`auto / best single mechanism: ${auto}x / ${best}x = ${(auto / best).toFixed(2)} (goal >= 1.5)`);
console.log(`report: ${join(outDir, 'report.html')}`);
