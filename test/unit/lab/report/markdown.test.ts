import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderMarkdown } from '../../../../src/lab/report/markdown.js';
import { labResults, mdRow, mdSection, run } from './fixture.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(labResults());

  test('a title and the verdict paragraph first', () => {
    const lines = md.split('\n');
    assert.equal(lines[0], '# overcommit lab report: web-pair');
    const verdict = lines.find((l) => l.startsWith('**'));
    assert.ok(verdict?.startsWith('**zram won.** Highest overcommit within the bar: 2.00×'), verdict);
    assert.ok(md.indexOf('**zram won.**') < md.indexOf('## Summary'));
  });

  test('the summary has a row per strategy with its figures and its ratios against none', () => {
    const head = mdRow(md, 'Strategy');
    assert.deepEqual(head, [
      'Strategy',
      'Overcommit',
      'Guest RAM / budget',
      'Throughput',
      'vs baseline',
      'p99 latency',
      'vs baseline',
      'Lost / corrupt',
      'Meets the bar',
    ]);
    assert.deepEqual(mdRow(md, 'none (baseline)'), [
      'none (baseline)',
      '1.00×',
      '1.00 GiB / 1.00 GiB',
      '4,203 ops/s',
      '100.0%',
      '2.91 ms',
      '1.00×',
      '0 / 0',
      'baseline',
    ]);
    // 4071 / 4202.5 = 96.9%, 3410 / 2910 = 1.17×; 3912 / 4202.5 = 93.1%, 6080 / 2910 = 2.09×.
    assert.deepEqual(mdRow(md, 'ksm'), [
      'ksm',
      '1.33×',
      '1.00 GiB / 768 MiB',
      '4,071 ops/s',
      '96.9%',
      '3.41 ms',
      '1.17×',
      '0 / 0',
      'yes',
    ]);
    assert.deepEqual(mdRow(md, 'zram'), [
      'zram',
      '2.00×',
      '1.00 GiB / 512 MiB',
      '3,912 ops/s',
      '93.1%',
      '6.08 ms',
      '2.09×',
      '0 / 0',
      'yes, winner',
    ]);
    const sep = md.split('\n').find((l) => l.startsWith('| --- | ---:'));
    assert.ok(sep, 'numbers are right-aligned');
  });

  test('memory saved per mechanism, CPU seconds and swap pages, network', () => {
    const memory = mdSection(md, 'Memory saved');
    assert.match(memory, /\| ksm \| 161\.5 MiB \| 0 MiB \| 0 MiB \| 0 MiB \| 161\.5 MiB \|/);
    assert.match(memory, /\| zram \| 0 MiB \| 192\.7 MiB \| 0 MiB \| 0 MiB \| 192\.7 MiB \|/);
    const cost = mdSection(md, 'CPU and swap');
    assert.match(cost, /\| ksm \| 7\.64 s \| 0\.03 s \| 13\.8 s \| 37\.3 s \| 0 s \| 0 \| 0 \|/);
    assert.match(
      cost,
      /\| zram \| 0 s \| 4\.66 s \| 12\.6 s \| 35\.9 s \| 0\.30 s \| 21,504 \(84\.0 MiB\) \| 76,176 \(297\.6 MiB\) \|/,
    );
    assert.match(mdSection(md, 'memcached'), /\| zram \| 117,360 \| 99\.6% \| 0 \| 652 µs \| 1\.42 ms \| 6\.08 ms/);
    assert.match(
      mdSection(md, 'Network'),
      /\| none \(baseline\) \| 312\.4 Mbit\/s \| 281\.9 Mbit\/s \| 2,104\/s \| 1\.92 ms \|/,
    );
    assert.equal(mdSection(md, 'Disk (fio)'), '', 'no fio table without fio results');
  });

  test('the environment (accelerator with its reason, caveats) and every setting', () => {
    const env = mdSection(md, 'Environment');
    for (const re of [
      /\| Host kernel \| 6\.18\.44-fc-v669 \|/,
      /\| QEMU \| 7\.2\.22/,
      /\| Accelerator \| tcg: \/dev\/kvm is missing/,
      /\| Transparent huge pages \| madvise \|/,
      /\| CPU \| Intel\(R\) Xeon\(R\) Processor × 2 \|/,
      /\| Memory \| 23\.5 GiB \|/,
      /\| cgroup \| v2 \|/,
      /- zswap is not built into this host kernel/,
    ]) {
      assert.match(env, re);
    }
    const settings = mdSection(md, 'Settings');
    assert.match(settings, /\| memcached\.keys \| 200000 \|/);
    assert.match(settings, /\| budgets\.zram \| 512M \|/);
    assert.equal(settings.split('\n').filter((l) => l.startsWith('| ')).length - 2, 21, 'a row per setting');
  });

  test('fio rows appear when a run has fio results', () => {
    const r = labResults();
    run(r, 'ksm').fio = [
      {
        job: 'randread-4k',
        readIops: 1520.4,
        writeIops: 0,
        readBwBytesPerSec: 6_227_558,
        writeBwBytesPerSec: 0,
        readLatency: { count: 45600, p50Us: 480, p90Us: 900, p99Us: 2400, p999Us: 6000, maxUs: 12000, meanUs: 600 },
      },
    ];
    const fio = mdSection(renderMarkdown(r), 'Disk (fio)');
    assert.match(
      fio,
      /\| ksm \| randread-4k \| 1,520 IOPS \| 0 IOPS \| 5\.9 MiB\/s \| 0\.0 MiB\/s \| 2\.40 ms \| — \|/,
    );
    assert.match(fio, /\| zram \| no data \|/);
  });

  test('a strategy whose guest died without memcached data: no throw, and the report says so', () => {
    const r = labResults();
    const zram = run(r, 'zram');
    delete zram.memcached;
    for (const o of zram.series.slice(14)) {
      const g = o.guests.find((x) => x.name === 'web2');
      if (g) g.alive = false;
    }
    zram.notes.push('web2: QEMU exited (killed by the OOM killer)');
    const md2 = renderMarkdown(r);
    assert.deepEqual(mdRow(md2, 'zram'), [
      'zram',
      '2.00×',
      '1.00 GiB / 512 MiB',
      'no data',
      '—',
      'no data',
      '—',
      'no data',
      'no: no memcached data',
    ]);
    assert.match(md2, /^\*\*ksm won\.\*\*/m);
    assert.match(md2, /Did not meet the bar: zram \(no memcached data\)/);
    const notes = mdSection(md2, 'Notes');
    assert.match(notes, /- \*\*zram\*\*: no memcached data/);
    assert.match(notes, /- \*\*zram\*\*: guest web2 not alive from 14 s/);
    assert.match(notes, /- zram: web2: QEMU exited \(killed by the OOM killer\)/);
  });

  test('text from the results is escaped: a strategy name cannot break a table or inject HTML', () => {
    const r = labResults();
    run(r, 'ksm').strategy = 'k|sm <img src=x onerror=alert(1)>';
    run(r, 'zram').notes.push('<script>alert(1)</script>');
    const md2 = renderMarkdown(r);
    // CommonMark shows a backslash-escaped `\<` as a literal '<': no tag can start unescaped.
    assert.doesNotMatch(md2, /(^|[^\\])<(script|img)/m);
    assert.match(md2, /\\<script\\>alert\(1\)\\<\/script\\>/);
    assert.match(md2, /\| k\\\|sm \\<img src=x onerror=alert\(1\)\\> \| 1\.33× \|/);
  });

  test('deterministic', () => {
    assert.equal(renderMarkdown(labResults()), md);
  });
});
