/**
 * The report's tables about what each strategy set up and, for controlled strategies, what their controller decided
 * (first repetition; later ones are in results.json). Pure.
 */
import type { TimelineEntry } from '../../control/policy-loop.js';
import type { StrategySummary } from './aggregate.js';
import { left, right, type Table } from './table.js';

/** Decisions listed per strategy in the report (all of them are in results.json). */
export const DECISIONS_SHOWN = 12;

export function setupTable(summaries: readonly StrategySummary[]): Table | undefined {
  const rows = summaries
    .map((s) => [s.strategy, (s.runs[0]?.hostSettings ?? []).join('; ')])
    .filter((r) => (r[1] ?? '') !== '');
  if (rows.length === 0) return undefined;
  return {
    id: 'table-setup',
    title: 'What each strategy set up',
    description: 'Host changes (all undone after the strategy) and the controller, if any.',
    columns: [left('Strategy'), left('Settings')],
    rows,
  };
}

function counts(t: readonly TimelineEntry[]): Record<string, number> {
  const c: Record<string, number> = { ksm: 0, balloon: 0, tier: 0, 'host-state': 0, failed: 0 };
  for (const e of t) {
    c[e.action.kind] = (c[e.action.kind] ?? 0) + 1;
    if (!e.ok) c.failed = (c.failed ?? 0) + 1;
  }
  return c;
}

export function controllerTable(summaries: readonly StrategySummary[]): Table | undefined {
  const withTimeline = summaries.filter((s) => s.runs[0]?.timeline !== undefined);
  if (withTimeline.length === 0) return undefined;
  return {
    id: 'table-controllers',
    title: 'Controller decisions',
    description: 'Actions each controller took during its strategy (first repetition), by kind.',
    columns: [left('Strategy'), right('KSM'), right('Balloon'), right('Tier'), right('Host state'), right('Failed')],
    rows: withTimeline.map((s) => {
      const c = counts(s.runs[0]?.timeline ?? []);
      return [s.strategy, ...['ksm', 'balloon', 'tier', 'host-state', 'failed'].map((k) => String(c[k] ?? 0))];
    }),
  };
}

export function decisionsTable(summaries: readonly StrategySummary[]): Table | undefined {
  const rows: string[][] = [];
  for (const s of summaries) {
    const run = s.runs[0];
    const tl = run?.timeline;
    if (!run || !tl || tl.length === 0) continue;
    const t0 = Date.parse(run.startedAt);
    // The first decisions of each kind of change are the telling ones: skip tier actions (their host-state says it).
    const shown = tl.filter((e) => e.action.kind !== 'tier').slice(0, DECISIONS_SHOWN);
    for (const e of shown)
      rows.push([
        s.strategy,
        `+${Math.max(0, Math.round((e.t - t0) / 1000))} s`,
        e.ok ? e.action.reason : `FAILED (${e.detail ?? '?'}): ${e.action.reason}`,
      ]);
  }
  if (rows.length === 0) return undefined;
  return {
    id: 'table-decisions',
    title: 'Decisions and their reasons',
    description: `The first ${DECISIONS_SHOWN} decisions of each controlled strategy (seconds from its start).`,
    columns: [left('Strategy'), right('When'), left('Decision and reason')],
    rows,
  };
}
