/** The density scenario's table: the highest overcommit ratio each strategy held, and each step's outcome. Pure. */
import type { DensityResult } from '../density-judge.js';
import { left, right, type Table } from './table.js';

export function densityTable(density: readonly DensityResult[] | undefined): Table | undefined {
  if (!density || density.length === 0) return undefined;
  const best = Math.max(...density.map((d) => d.heldRatio ?? 0));
  return {
    id: 'table-density',
    title: 'Density: the highest overcommit ratio held',
    description:
      'Each strategy was run at rising ratios until a step missed the bar (throughput below the SLO share of ' +
      'baseline, an item lost, a guest dead).',
    columns: [left('Strategy'), right('Highest ratio held'), left('Steps')],
    rows: [...density]
      .sort((a, b) => (b.heldRatio ?? 0) - (a.heldRatio ?? 0))
      .map((d) => [
        d.heldRatio !== null && d.heldRatio === best ? `${d.strategy} (best)` : d.strategy,
        d.heldRatio === null ? 'none' : `${d.heldRatio}×`,
        d.steps
          .map((s) =>
            s.held
              ? `${s.ratio}×: ${Math.round((s.throughput ?? 0) * 100)} %`
              : `${s.ratio}×: missed (${s.why ?? '?'})`,
          )
          .join('; '),
      ]),
  };
}
