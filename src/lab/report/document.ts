/**
 * The report as one document both renderers draw: title, verdict, tables, notes, environment and settings.
 * The HTML adds charts; the Markdown is the same text. Pure.
 */
import type { LabResults } from '../results.js';
import { summarizeStrategies, type StrategySummary } from './aggregate.js';
import { environmentPairs, settingPairs, type Pair } from './environment.js';
import { formatTimestamp } from './format.js';
import type { Table } from './table.js';
import { costTable, fioTable, memcachedTable, memoryTable, networkTable, summaryTable } from './tables.js';
import { decideVerdict, type Verdict } from './verdict.js';
import { densityTable } from './density-table.js';
import { spikeTable } from './spike-table.js';
import { controllerTable, decisionsTable, setupTable } from './control-tables.js';

export interface StrategyNotes {
  strategy: string;
  /** What went wrong, derived from the data and the notes. */
  problems: string[];
  notes: string[];
}

export interface ReportDocument {
  title: string;
  /** "Scenario web-pair, 2025-11-27 02:10:04 UTC, 3 strategies." */
  subtitle: string;
  verdict: Verdict;
  summaries: StrategySummary[];
  summary: Table;
  /** The other tables (memory, CPU and swap, memcached, then fio and network when present). */
  details: Table[];
  notes: StrategyNotes[];
  environment: Pair[];
  caveats: string[];
  settings: Pair[];
}

export function buildReport(results: LabResults): ReportDocument {
  const summaries = summarizeStrategies(results);
  const verdict = decideVerdict(summaries);
  const n = summaries.length;
  return {
    title: `overcommit lab report: ${results.scenario}`,
    subtitle:
      `Scenario ${results.scenario}, started ${formatTimestamp(results.startedAt)}, ` +
      `${n} ${n === 1 ? 'strategy' : 'strategies'}.`,
    verdict,
    summaries,
    summary: summaryTable(summaries, verdict.winner),
    details: [
      densityTable(results.density),
      spikeTable(summaries),
      memoryTable(summaries),
      costTable(summaries),
      memcachedTable(summaries),
      fioTable(summaries),
      networkTable(summaries),
      setupTable(summaries),
      controllerTable(summaries),
      decisionsTable(summaries),
    ].filter((t): t is Table => t !== undefined),
    notes: summaries
      .filter((s) => s.problems.length > 0 || s.notes.length > 0)
      .map((s) => ({ strategy: s.strategy, problems: s.problems, notes: s.notes })),
    environment: environmentPairs(results),
    caveats: results.environment.caveats,
    settings: settingPairs(results.settings),
  };
}
