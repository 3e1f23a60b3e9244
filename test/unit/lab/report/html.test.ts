import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderHtml } from '../../../../src/lab/report/html.js';
import type { LabResults } from '../../../../src/lab/results.js';
import { labResults, run } from './fixture.js';

interface Figure {
  id: string;
  body: string;
  caption: string;
}

function figures(html: string): Figure[] {
  const re = /<figure id="([^"]+)"[^>]*>\n([\s\S]*?)\n<figcaption>([\s\S]*?)<\/figcaption>\n<\/figure>/g;
  return [...html.matchAll(re)].map((m) => ({ id: m[1] ?? '', body: m[2] ?? '', caption: m[3] ?? '' }));
}

function figure(html: string, id: string): Figure {
  const f = figures(html).find((x) => x.id === id);
  assert.ok(f, `no figure ${id}`);
  return f;
}

function withDeadGuest(r: LabResults): LabResults {
  const zram = run(r, 'zram');
  delete zram.memcached;
  for (const o of zram.series.slice(14)) {
    const g = o.guests.find((x) => x.name === 'web2');
    if (g) g.alive = false;
  }
  return r;
}

const CHART_IDS = [
  'chart-throughput',
  'chart-latency',
  'chart-memory-none',
  'chart-memory-ksm',
  'chart-memory-zram',
  'chart-budget',
  'chart-ops',
];

describe('renderHtml', () => {
  const html = renderHtml(labResults());

  test('one page with the verdict and the summary table, a row per strategy, the winner marked', () => {
    assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
    assert.ok(html.trimEnd().endsWith('</html>'));
    assert.match(html, /<title>overcommit lab report: web-pair<\/title>/);
    assert.match(html, /<section id="verdict" class="verdict">\n<p><strong>zram won\.<\/strong> Highest overcommit/);
    const summary = /<section id="table-summary">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    const rows = [...summary.matchAll(/<tr[^>]*><th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['none (baseline)', 'ksm', 'zram']);
    assert.match(
      summary,
      /<tr class="winner"><th scope="row">zram<\/th><td class="num">2\.00×<\/td><td class="num">1\.00 GiB \/ 512 MiB<\/td><td class="num">3,912 ops\/s<\/td><td class="num">93\.1%<\/td><td class="num">6\.08 ms<\/td><td class="num">2\.09×<\/td>/,
    );
    for (const id of ['table-memory', 'table-cost', 'table-memcached', 'table-network', 'environment', 'settings']) {
      assert.match(html, new RegExp(`<section id="${id}">`), id);
    }
    assert.doesNotMatch(html, /id="table-fio"/);
  });

  test(`${CHART_IDS.length} charts, each an inline SVG in a figure with an id and a caption`, () => {
    assert.equal(html.match(/<svg /g)?.length, CHART_IDS.length);
    const figs = figures(html);
    assert.deepEqual(
      figs.map((f) => f.id),
      CHART_IDS,
    );
    for (const f of figs) {
      assert.match(
        f.body,
        /^<svg role="img" aria-label="[^"]+" width="\d+" height="\d+" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      );
      assert.ok(f.body.endsWith('</svg>'), f.id);
      assert.ok(f.caption.length > 20, f.id);
    }
  });

  test('the charts draw the figures: ratio labels, strategy names, the 90% bar, each limit', () => {
    const t = figure(html, 'chart-throughput').body;
    for (const s of ['100.0%', '96.9%', '93.1%', '90% bar', '>none<', '>4,203 ops/s<', '>zram<'])
      assert.ok(t.includes(s), s);
    const l = figure(html, 'chart-latency').body;
    for (const s of ['1.00×', '1.17×', '2.09×', '>baseline<', 'p99 6.08 ms']) assert.ok(l.includes(s), s);
    const b = figure(html, 'chart-budget').body;
    for (const s of ['none limit 1.00 GiB', 'ksm limit 768 MiB', 'zram limit 512 MiB']) assert.ok(b.includes(s), s);
    const zram = figure(html, 'chart-memory-zram').body;
    for (const s of ['Host memory used', 'Swap used', 'zram stored']) assert.ok(zram.includes(s), s);
    assert.ok(!zram.includes('>KSM saved<'), 'a line that stays at zero is left out');
    assert.match(figure(html, 'chart-memory-zram').caption, /: host memory used, swap used, zram stored \(MiB/);
    assert.ok(figure(html, 'chart-memory-ksm').body.includes('>KSM saved<'));
  });

  test('self-contained: no script, no link, no external URL (only the SVG namespace)', () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link/i);
    assert.doesNotMatch(html, /<(img|iframe|object|embed)\b/i);
    assert.doesNotMatch(html, /\bsrc=/i);
    assert.doesNotMatch(html, /@import|@font-face/i);
    assert.doesNotMatch(html, /url\((?!#)/);
    const urls = [...html.matchAll(/https?:\/\/[^"'\s)]*/g)].map((m) => m[0]);
    assert.ok(urls.length > 0);
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg']);
    for (const m of html.matchAll(/https?:\/\//g)) {
      assert.equal(html.slice((m.index ?? 0) - 7, m.index), 'xmlns="', 'only as the SVG xmlns');
    }
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  });

  test('every id in the page is unique (the SVGs’ inner ids are prefixed with their figure’s id)', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length);
    assert.doesNotMatch(html, /zr\d+-/);
  });

  test('text from the results is escaped: a note and a strategy name cannot inject markup', () => {
    const r = labResults();
    run(r, 'zram').notes.push('<script>alert("x")</script>');
    run(r, 'ksm').strategy = '<img src=x onerror=alert(1)>';
    r.settings.evil = '</td></tr></table><script>alert(2)</script>';
    const page = renderHtml(r);
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /<img/i);
    assert.ok(page.includes('<li>zram: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</li>'));
    assert.ok(page.includes('<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th>'));
    assert.ok(page.includes('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
    assert.ok(page.includes('id="chart-memory-img-src-x-onerror-alert-1"'));
  });

  test('a strategy without memcached data (a guest died): no throw, said so, its charts still drawn', () => {
    const page = renderHtml(withDeadGuest(labResults()));
    assert.match(page, /<strong>ksm won\.<\/strong>/);
    assert.match(page, /Did not meet the bar: zram \(no memcached data\)/);
    assert.match(page, /<li><strong>zram<\/strong>: guest web2 not alive from 14 s<\/li>/);
    assert.match(
      page,
      /<tr><th scope="row">zram<\/th><td class="num">2\.00×<\/td><td class="num">1\.00 GiB \/ 512 MiB<\/td><td class="num">no data<\/td>/,
    );
    assert.equal(page.match(/<svg /g)?.length, CHART_IDS.length);
    assert.ok(figure(page, 'chart-throughput').body.includes('no data'));
  });

  test('without a baseline the bars show absolute figures; without a budget cgroup that chart says so', () => {
    const r = labResults();
    r.strategies = r.strategies.filter((s) => s.strategy !== 'none');
    for (const s of r.strategies) for (const o of s.series) delete o.host.budget;
    const page = renderHtml(r);
    assert.match(figure(page, 'chart-throughput').caption, /no baseline/);
    assert.match(figure(page, 'chart-latency').caption, /no baseline/);
    assert.equal(figure(page, 'chart-budget').body, '<p class="empty">No budget cgroup in these results.</p>');
    assert.match(page, /<section id="verdict" class="verdict no-winner">/);
  });

  test('no strategies at all still renders a page', () => {
    const r = labResults();
    r.strategies = [];
    const page = renderHtml(r);
    assert.match(page, /No result\./);
    assert.ok(page.includes('<p class="empty">No memcached data.</p>'));
  });

  test('deterministic: the same results give the same bytes', () => {
    assert.equal(renderHtml(labResults()), html);
  });
});
