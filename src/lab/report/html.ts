/** report.html: the report document with its charts, in one self-contained page (no script, no link, no font). Pure. */
import type { LabResults } from '../results.js';
import { buildCharts, type Chart } from './charts.js';
import { buildReport } from './document.js';
import type { Pair } from './environment.js';
import { escapeHtml as h } from './escape.js';
import { REPORT_CSS } from './style.js';
import type { Table } from './table.js';

/** Nothing may be fetched; inline styles only (ECharts' SVG carries a <style> of its own). */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function htmlTable(t: Table, highlightRow?: number): string {
  const cls = (align: string): string => (align === 'right' ? ' class="num"' : '');
  const head = t.columns.map((c) => `<th scope="col"${cls(c.align)}>${h(c.label)}</th>`).join('');
  const body = t.rows
    .map((r, i) => {
      const cells = r.map((cell, j) => {
        const tag = j === 0 ? 'th scope="row"' : 'td';
        const close = j === 0 ? 'th' : 'td';
        const align = t.columns[j]?.align ?? 'left';
        // Text cells after the first (the bar's reason, a fio job) may wrap; figures never do.
        const c = j > 0 && align === 'left' ? ' class="wrap"' : cls(align);
        return `<${tag}${c}>${h(cell)}</${close}>`;
      });
      return `<tr${i === highlightRow ? ' class="winner"' : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return [
    `<section id="${h(t.id)}">`,
    `<h2>${h(t.title)}</h2>`,
    t.description ? `<p class="desc">${h(t.description)}</p>` : '',
    `<div class="scroll"><table>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody>`,
    `</table></div>`,
    `</section>`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function pairsTable(header: readonly [string, string], pairs: readonly Pair[]): string {
  if (pairs.length === 0) return '<p>None.</p>';
  const rows = pairs.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td class="wrap">${h(v)}</td></tr>`);
  return [
    '<div class="scroll"><table>',
    `<thead><tr><th scope="col">${h(header[0])}</th><th scope="col">${h(header[1])}</th></tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table></div>',
  ].join('\n');
}

function figure(c: Chart): string {
  const body = c.svg ?? `<p class="empty">${h(c.empty ?? 'Nothing to draw.')}</p>`;
  return `<figure id="${h(c.id)}"${c.wide ? ' class="wide"' : ''}>\n${body}\n<figcaption>${h(c.caption)}</figcaption>\n</figure>`;
}

export function renderHtml(results: LabResults): string {
  const doc = buildReport(results);
  const charts = buildCharts(doc.summaries);
  const winnerRow = doc.verdict.winner ? doc.summaries.indexOf(doc.verdict.winner) : undefined;
  const notes = doc.notes.flatMap((n) => [
    ...n.problems.map((p) => `<li><strong>${h(n.strategy)}</strong>: ${h(p)}</li>`),
    ...n.notes.map((p) => `<li>${h(n.strategy)}: ${h(p)}</li>`),
  ]);
  const caveats = doc.caveats.map((c) => `<li>${h(c)}</li>`);
  const parts = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">`,
    `<title>${h(doc.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${h(doc.title)}</h1>`,
    `<p class="subtitle">${h(doc.subtitle)}</p>`,
    '</header>',
    `<section id="verdict" class="verdict${doc.verdict.winner ? '' : ' no-winner'}">`,
    `<p><strong>${h(doc.verdict.headline)}</strong> ${h(doc.verdict.body)}</p>`,
    '</section>',
    htmlTable(doc.summary, winnerRow),
    '<section id="charts">',
    '<h2>Charts</h2>',
    '<div class="charts">',
    ...charts.map(figure),
    '</div>',
    '</section>',
    ...doc.details.map((t) => htmlTable(t)),
    ...(notes.length > 0 ? ['<section id="notes">', '<h2>Notes</h2>', '<ul>', ...notes, '</ul>', '</section>'] : []),
    '<section id="environment">',
    '<h2>Environment</h2>',
    pairsTable(['Item', 'Value'], doc.environment),
    ...(caveats.length > 0 ? ['<p>Caveats:</p>', '<ul>', ...caveats, '</ul>'] : []),
    '</section>',
    '<section id="settings">',
    '<h2>Settings</h2>',
    pairsTable(['Setting', 'Value'], doc.settings),
    '</section>',
    `<footer>overcommit lab report, results format version ${h(String(results.version))}.</footer>`,
    '</main>',
    '</body>',
    '</html>',
  ];
  return `${parts.join('\n')}\n`;
}
