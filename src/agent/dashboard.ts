/**
 * The live dashboard served at GET /: one self-contained page (inline CSS and script, nothing fetched from
 * elsewhere: the host may be offline). The Content-Security-Policy allows exactly this page's script and style (by
 * hash) and connections back to the agent. Element ids are stable for tests: #host-memory, #host-state, #guests
 * (rows `tr[data-guest=NAME]`), #decisions, #tick (the number of observations received; changes with each one).
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const POLICY = [
  "default-src 'none'",
  `script-src ${sha256(DASHBOARD_SCRIPT)}`,
  `style-src ${sha256(DASHBOARD_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** Sent as a header too; frame-ancestors works only there. */
export const DASHBOARD_CSP = [...POLICY, "frame-ancestors 'none'"].join('; ');

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${POLICY.join('; ')}">
<title>overcommit agent</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
  <h1>overcommit agent</h1>
  <span id="conn" class="muted">connecting...</span>
  <span class="muted">observations <b id="tick" data-count="0">0</b> · loop tick <span id="loop-ticks">-</span> · at
    <span id="obs-time">-</span></span>
</header>
<main>
  <section>
    <h2>Host state</h2>
    <div id="host-state" class="state">n/a</div>
    <div id="paused" class="muted">-</div>
  </section>
  <section id="host-memory">
    <h2>Host memory</h2>
    <div class="bar"><div id="mem-bar"></div></div>
    <dl>
      <dt>used</dt><dd id="mem-used">-</dd>
      <dt>available</dt><dd id="mem-available">-</dd>
      <dt>free</dt><dd id="mem-free">-</dd>
      <dt>swap used</dt><dd id="mem-swap">-</dd>
      <dt>PSI memory some</dt><dd id="mem-psi">-</dd>
      <dt>budget cgroup</dt><dd id="mem-budget">-</dd>
    </dl>
    <svg id="host-chart" class="chart big" viewBox="0 0 300 100" preserveAspectRatio="none"></svg>
    <div class="legend"><span><i class="k-used"></i>used</span><span><i class="k-avail"></i>available</span>
      <span class="muted">last 10 min</span></div>
  </section>
  <section id="savings">
    <h2>Savings by mechanism</h2>
    <dl>
      <dt>KSM</dt><dd id="save-ksm">-</dd>
      <dt>zram</dt><dd id="save-zram">-</dd>
      <dt>zswap</dt><dd id="save-zswap">-</dd>
    </dl>
  </section>
  <section class="wide">
    <h2>Guests</h2>
    <table>
      <thead><tr><th>guest</th><th>status</th><th>memory</th><th>balloon actual / target</th><th>RSS</th>
        <th>KSM merged</th><th>last 10 min</th></tr></thead>
      <tbody id="guests"></tbody>
    </table>
    <div class="legend"><span><i class="k-actual"></i>balloon actual</span><span><i class="k-target"></i>target</span>
      <span><i class="k-rss"></i>RSS</span></div>
  </section>
  <section class="wide">
    <h2>Decisions (newest first)</h2>
    <ol id="decisions"></ol>
  </section>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
