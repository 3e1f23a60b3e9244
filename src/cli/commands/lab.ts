import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtinScenario, loadScenarioFile, type Scenario } from '../../lab/scenario.js';
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
  if (f.scenario && !['default', 'quick', 'tiny'].includes(f.scenario)) scenario = await loadScenarioFile(f.scenario);
  else
    scenario = builtinScenario(
      (f.scenario as 'default' | 'quick' | 'tiny' | undefined) ?? (f.quick ? 'quick' : 'default'),
    );
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
    const md = renderMarkdown(results);
    await writeFile(join(outDir, 'report.md'), md);
    await writeFile(join(outDir, 'report.html'), renderHtml(results));
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
