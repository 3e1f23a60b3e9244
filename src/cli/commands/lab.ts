import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadLabResults } from '../../lab/results-schema.js';
import type { LabResults } from '../../lab/results.js';
import {
  BUILTIN_SCENARIOS,
  builtinScenario,
  loadScenarioFile,
  type BuiltinScenario,
  type Scenario,
} from '../../lab/scenario.js';
import { consoleProgress } from '../../lab/progress.js';
import { runLab } from '../../lab/runner.js';
import { renderHtml } from '../../lab/report/html.js';
import { renderMarkdown } from '../../lab/report/markdown.js';
import { cliContext, printJson, requireRoot } from '../context.js';
import { interruptScope } from '../interrupt.js';

export interface LabRunFlags {
  quick?: boolean;
  scenario?: string;
  out?: string;
  json?: boolean;
  stateDir?: string;
  cacheDir?: string;
  loadgen?: 'ours' | 'memcaslap';
}

export async function labRun(f: LabRunFlags): Promise<void> {
  const ctx = cliContext(f.stateDir);
  let scenario: Scenario;
  if (f.scenario && !(BUILTIN_SCENARIOS as readonly string[]).includes(f.scenario))
    scenario = await loadScenarioFile(f.scenario);
  else scenario = builtinScenario((f.scenario as BuiltinScenario | undefined) ?? (f.quick ? 'quick' : 'default'));
  if (f.loadgen) scenario = { ...scenario, memcached: { ...scenario.memcached, loadgen: f.loadgen } };
  requireRoot('lab run');
  const outDir = f.out ?? join('runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${scenario.name}`);
  const scope = interruptScope();
  try {
    const t0 = Date.now();
    const results = await runLab({
      scenario,
      paths: ctx.paths,
      stateDir: ctx.stateDir,
      outDir,
      signal: scope.signal,
      progress: consoleProgress(),
      ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}),
    });
    const md = await writeReports(results, outDir);
    process.stderr.write(`\n`);
    if (f.json) printJson({ outDir, results: join(outDir, 'results.json'), seconds: (Date.now() - t0) / 1000 });
    else
      process.stdout.write(
        `${md}\nreport: ${join(outDir, 'report.html')} (ran ${((Date.now() - t0) / 60000).toFixed(1)} min)\n`,
      );
  } finally {
    scope.dispose();
  }
}

/** Writes report.md and report.html beside results.json; returns the Markdown. */
async function writeReports(results: LabResults, dir: string): Promise<string> {
  const md = renderMarkdown(results);
  await writeFile(join(dir, 'report.md'), md);
  await writeFile(join(dir, 'report.html'), renderHtml(results));
  return md;
}

/** `lab report DIR|results.json`: renders report.md and report.html again from a stored results.json. */
export async function labReport(target: string, f: { json?: boolean }): Promise<void> {
  const file = target.endsWith('.json') ? target : join(target, 'results.json');
  const results = await loadLabResults(file);
  const dir = dirname(file);
  const md = await writeReports(results, dir);
  if (f.json) printJson({ outDir: dir, strategies: results.strategies.length });
  else process.stdout.write(`${md}\nreport: ${join(dir, 'report.html')}\n`);
}
