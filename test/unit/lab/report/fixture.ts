import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabResults, StrategyResult } from '../../../../src/lab/results.js';

const PATH = fileURLToPath(new URL('../../../fixtures/lab/results.json', import.meta.url));
const TEXT = readFileSync(PATH, 'utf8');

/** A fresh copy of the stored lab results (3 strategies none/ksm/zram, 2 guests, 31 observations each). */
export function labResults(): LabResults {
  return JSON.parse(TEXT) as LabResults;
}

/** The copy's run of `strategy` (first repetition). */
export function run(results: LabResults, strategy: string): StrategyResult {
  const r = results.strategies.find((s) => s.strategy === strategy);
  if (!r) throw new Error(`fixture has no strategy ${strategy}`);
  return r;
}

/** The Markdown table row whose first cell is `first`, as trimmed cells. */
export function mdRow(md: string, first: string): string[] | undefined {
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
    if (cells[0] === first) return cells;
  }
  return undefined;
}

/** The Markdown section (from its `## title` to the next `## `). */
export function mdSection(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  if (start < 0) return '';
  const end = md.indexOf('\n## ', start + 4);
  return md.slice(start, end < 0 ? undefined : end);
}
