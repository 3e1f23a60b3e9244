import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatBitsPerSec,
  formatElapsed,
  formatLatencyUs,
  formatMiB,
  formatNumber,
  formatOps,
  formatPages,
  formatPercent,
  formatRatio,
  formatSeconds,
  formatSize,
  formatTimestamp,
  MISSING,
} from '../../../../src/lab/report/format.js';
import { escapeHtml, escapeMarkdown } from '../../../../src/lab/report/escape.js';

describe('format', () => {
  test('every figure has its unit', () => {
    assert.equal(formatNumber(1234567.891, 1), '1,234,567.9');
    assert.equal(formatMiB(169295872), '161.5 MiB');
    assert.equal(formatMiB(0), '0 MiB');
    assert.equal(formatSize(512 * 1024 * 1024), '512 MiB');
    assert.equal(formatSize(1024 ** 3), '1.00 GiB');
    assert.equal(formatOps(4202.5), '4,203 ops/s');
    assert.equal(formatOps(12.34), '12.3 ops/s');
    assert.equal(formatRatio(2.0912), '2.09×');
    assert.equal(formatPercent(0.93085), '93.1%');
    assert.equal(formatSeconds(0), '0 s');
    assert.equal(formatSeconds(4.66), '4.66 s');
    assert.equal(formatSeconds(13.82), '13.8 s');
    assert.equal(formatPages(76176), '76,176 (297.6 MiB)');
    assert.equal(formatBitsPerSec(312_400_000), '312.4 Mbit/s');
  });

  test('latency switches from µs to ms to s', () => {
    assert.equal(formatLatencyUs(604), '604 µs');
    assert.equal(formatLatencyUs(2910), '2.91 ms');
    assert.equal(formatLatencyUs(21300), '21.3 ms');
    assert.equal(formatLatencyUs(481_000), '481 ms');
    assert.equal(formatLatencyUs(1_200_000), '1.20 s');
  });

  test('missing and non-finite figures are a dash, never NaN', () => {
    for (const f of [formatMiB, formatOps, formatLatencyUs, formatRatio, formatPercent, formatSeconds, formatPages]) {
      assert.equal(f(undefined), MISSING);
      assert.equal(f(NaN), MISSING);
      assert.equal(f(Infinity), MISSING);
    }
  });

  test('timestamps and elapsed time', () => {
    assert.equal(formatTimestamp('2025-11-27T02:10:04.112Z'), '2025-11-27 02:10:04 UTC');
    assert.equal(formatTimestamp('yesterday'), 'yesterday');
    assert.equal(formatElapsed('2025-11-27T02:10:04.112Z', '2025-11-27T02:19:41.870Z'), '9 min 38 s');
    assert.equal(formatElapsed('2025-11-27T02:10:00Z', '2025-11-27T04:10:05Z'), '2 h 0 min 5 s');
    assert.equal(formatElapsed('x', 'y'), undefined);
  });
});

describe('escape', () => {
  test('HTML: text and attribute values', () => {
    assert.equal(
      escapeHtml(`<script>alert("x" & 'y')</script>`),
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });

  test('Markdown: a cell stays one cell and inline markup stays text', () => {
    assert.equal(escapeMarkdown('a|b\nc'), 'a\\|b c');
    assert.equal(escapeMarkdown('<script>*x*</script>'), '\\<script\\>\\*x\\*\\</script\\>');
  });
});
