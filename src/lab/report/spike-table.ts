/** The spike scenario's table: per strategy, how the spiking guest's balloon and data fared. Pure. */
import type { StrategySummary } from './aggregate.js';
import { formatMiB } from './format.js';
import { left, right, type Table } from './table.js';

const secs = (s: number | undefined): string => (s === undefined ? '—' : `${s.toFixed(1)} s`);

export function spikeTable(summaries: readonly StrategySummary[]): Table | undefined {
  const rows = summaries.flatMap((s) => {
    const sp = s.runs[0]?.spike;
    if (!sp) return [];
    const down = sp.inflatedBeforeBytes > 0;
    return [
      [
        s.strategy,
        sp.guest,
        down ? formatMiB(sp.inflatedBeforeBytes) : 'not inflated',
        secs(sp.deflateDecidedAfterS),
        down ? (sp.fullAfterS === undefined ? 'never' : secs(sp.fullAfterS)) : '—',
        secs(sp.fillSeconds),
        `${sp.lost} / ${sp.corrupt}${sp.error ? ` (${sp.error})` : ''}`,
      ],
    ];
  });
  if (rows.length === 0) return undefined;
  return {
    id: 'table-spike',
    title: 'Working-set spike',
    description:
      'One guest suddenly wrote a burst of new keys: how far its balloon was inflated then, how soon the ' +
      'controller deflated it and it was back to full memory, how long the burst took, and what was lost.',
    columns: [
      left('Strategy'),
      left('Guest'),
      right('Balloon at the spike'),
      right('Deflate decided'),
      right('Back to full'),
      right('Burst took'),
      right('Lost / corrupt'),
    ],
    rows,
  };
}
