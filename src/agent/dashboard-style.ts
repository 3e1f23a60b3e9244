/** The dashboard's stylesheet (inline: the page loads nothing from anywhere). */
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7385; --bg: #f6f7f9; --card: #fff; --line: #dde1e8;
  --used: #d9534f; --avail: #2e9d5b; --actual: #2f6fd6; --target: #e08a1e; --rss: #2e9d5b; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e7ee; --muted: #98a0b3; --bg: #14171d; --card: #1c2029; --line: #2c3240; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; }
.muted { color: var(--muted); }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 1rem; padding: 1rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: .95rem; margin: 0 0 .5rem; }
.bar { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; margin: .4rem 0; }
.bar > div { height: 100%; width: 0; background: var(--used); }
dl { display: grid; grid-template-columns: auto 1fr; gap: .15rem .75rem; margin: .25rem 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { color: var(--muted); font-weight: 500; }
td.c-chart { width: 30%; min-width: 160px; }
svg.chart { width: 100%; height: 56px; display: block; }
svg.chart.big { height: 90px; }
svg.chart path { fill: none; stroke-width: 1.5; }
.s-used { stroke: var(--used); } .s-avail { stroke: var(--avail); }
.s-actual { stroke: var(--actual); } .s-target { stroke: var(--target); stroke-dasharray: 4 3; } .s-rss { stroke: var(--rss); }
.legend span { margin-right: .8rem; font-size: .8rem; }
.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
.k-used { background: var(--used); } .k-avail { background: var(--avail); } .k-actual { background: var(--actual); }
.k-target { background: var(--target); } .k-rss { background: var(--rss); }
.state { font-weight: 600; font-size: 1.4rem; text-transform: uppercase; }
.state-high, .state-clear { color: #2e9d5b; } .state-soft { color: #c9a100; } .state-hard { color: #e08a1e; }
.state-low { color: #d9534f; }
.status-ok { color: #2e9d5b; } .status-timeout, .status-error, .status-gone { color: #d9534f; }
#decisions { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; }
#decisions li { padding: .35rem 0; border-bottom: 1px solid var(--line); }
#decisions .kind { display: inline-block; min-width: 5.5em; font-weight: 600; }
#decisions .failed { color: #d9534f; font-weight: 600; }
#decisions .reason { display: block; color: var(--muted); }
`;
