/** report.md: the report document as GitHub-flavoured Markdown. Pure. */
import type { LabResults } from '../results.js';
import { buildReport } from './document.js';
import { escapeMarkdown as md } from './escape.js';
import type { Pair } from './environment.js';
import type { Table } from './table.js';

export function markdownTable(t: Table): string[] {
  const row = (cells: readonly string[]): string => `| ${cells.map(md).join(' | ')} |`;
  const lines = [`## ${md(t.title)}`, ''];
  if (t.description) lines.push(md(t.description), '');
  lines.push(row(t.columns.map((c) => c.label)));
  lines.push(`|${t.columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`);
  for (const r of t.rows) lines.push(row(r));
  lines.push('');
  return lines;
}

function pairsTable(title: string, header: readonly [string, string], pairs: readonly Pair[]): string[] {
  if (pairs.length === 0) return [`## ${title}`, '', 'None.', ''];
  return [
    `## ${title}`,
    '',
    `| ${header[0]} | ${header[1]} |`,
    '| --- | --- |',
    ...pairs.map(([k, v]) => `| ${md(k)} | ${md(v)} |`),
    '',
  ];
}

export function renderMarkdown(results: LabResults): string {
  const doc = buildReport(results);
  const lines = [`# ${md(doc.title)}`, '', md(doc.subtitle), ''];
  lines.push(`**${md(doc.verdict.headline)}** ${md(doc.verdict.body)}`, '');
  lines.push(...markdownTable(doc.summary));
  for (const t of doc.details) lines.push(...markdownTable(t));
  if (doc.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of doc.notes) {
      for (const p of n.problems) lines.push(`- **${md(n.strategy)}**: ${md(p)}`);
      for (const p of n.notes) lines.push(`- ${md(n.strategy)}: ${md(p)}`);
    }
    lines.push('');
  }
  lines.push(...pairsTable('Environment', ['Item', 'Value'], doc.environment));
  if (doc.caveats.length > 0) {
    lines.push('Caveats:', '', ...doc.caveats.map((c) => `- ${md(c)}`), '');
  }
  lines.push(...pairsTable('Settings', ['Setting', 'Value'], doc.settings));
  return `${lines.join('\n').trimEnd()}\n`;
}
