import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { niceCeil, slug } from '../../../../src/lab/report/charts.js';
import { budgetLine, memoryLines, opsLine } from '../../../../src/lab/report/series.js';
import { renumber } from '../../../../src/lab/report/svg.js';
import { labResults, run } from './fixture.js';

const MiB = 1024 * 1024;

describe('series', () => {
  test('memory lines from the observations: seconds from the first, bytes; all-zero lines left out', () => {
    const zram = run(labResults(), 'zram');
    const lines = memoryLines(zram.series);
    assert.deepEqual(
      lines.map((l) => l.metric),
      ['hostUsed', 'swapUsed', 'zramStored'],
    );
    const last = zram.series.at(-1)?.host;
    assert.ok(last);
    const host = lines[0]?.points;
    assert.equal(host?.length, 31);
    assert.deepEqual(host?.[0]?.[0], 0);
    assert.deepEqual(host?.at(-1), [30, last.memTotalBytes - last.memAvailableBytes]);
    assert.deepEqual(lines[1]?.points.at(-1), [30, last.swapTotalBytes - last.swapFreeBytes]);
    assert.deepEqual(lines[2]?.points.at(-1), [30, last.zram.origBytes]);
  });

  test('budget usage and its limit; none without a budget group', () => {
    const r = run(labResults(), 'ksm');
    const b = budgetLine(r.series);
    assert.equal(b?.limitBytes, 768 * MiB);
    assert.equal(b?.points.length, 31);
    for (const o of r.series) delete o.host.budget;
    assert.equal(budgetLine(r.series), undefined);
  });

  test('ops/s per second, the first second being 1', () => {
    const r = run(labResults(), 'none');
    const points = opsLine(r);
    assert.equal(points.length, 30);
    assert.deepEqual(points[0], [1, r.memcached?.opsPerSecSeries[0]]);
  });
});

describe('chart helpers', () => {
  test('slug: safe and unique', () => {
    const taken = new Set<string>();
    assert.equal(slug('swap-disk', taken), 'swap-disk');
    assert.equal(slug('Swap Disk!', taken), 'swap-disk-2');
    assert.equal(slug('<>', taken), 'strategy');
  });

  test('niceCeil: a round axis maximum at or above the value', () => {
    assert.equal(niceCeil(1406), 1500);
    assert.equal(niceCeil(1075), 1200);
    assert.equal(niceCeil(1000), 1000);
    assert.equal(niceCeil(0), 1);
  });

  test('renumber: ECharts’ process-wide names become the prefix and a count per kind, text untouched', () => {
    const svg =
      '<svg><g clip-path="url(#zr7-c3)"><path class="zr7-cls-18"/><text>zr7-cls-18</text></g>' +
      '<path class="zr7-cls-21"/><clipPath id="zr7-c3"/><style>.zr7-cls-18:hover{}.zr7-cls-21:hover{}</style></svg>';
    assert.equal(
      renumber(svg, 'chart-x'),
      '<svg><g clip-path="url(#chart-x-c0)"><path class="chart-x-cls-0"/><text>zr7-cls-18</text></g>' +
        '<path class="chart-x-cls-1"/><clipPath id="chart-x-c0"/><style>.chart-x-cls-0:hover{}.chart-x-cls-1:hover{}</style></svg>',
    );
  });
});
