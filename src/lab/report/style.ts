/** The report page's whole stylesheet (inline: the page loads nothing). */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
.subtitle, .desc, figcaption, footer { color: #59636e; }
.desc { margin: 4px 0 8px; font-size: 0.92em; }
.verdict { margin: 16px 0; padding: 12px 16px; background: #f6f8fa; border-left: 4px solid #3ba272; font-size: 1.05em; }
.verdict.no-winner { border-left-color: #d1242f; }
.verdict p { margin: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.93em; }
th, td { padding: 5px 8px; border-bottom: 1px solid #d8dee4; text-align: left; vertical-align: top; white-space: nowrap; }
th { font-weight: 600; }
thead th { background: #f6f8fa; }
.num { text-align: right; }
td.wrap { white-space: normal; overflow-wrap: anywhere; min-width: 9em; }
tr.winner th, tr.winner td { background: #e6f4ea; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
figure { margin: 0; padding: 8px; border: 1px solid #d8dee4; border-radius: 6px; }
figure.wide { grid-column: 1 / -1; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { margin-top: 4px; font-size: 0.9em; }
.empty { margin: 24px 8px; color: #59636e; font-style: italic; }
ul { padding-left: 22px; }
footer { margin-top: 40px; font-size: 0.85em; }
@media (max-width: 800px) { .charts { grid-template-columns: 1fr; } }
`;
