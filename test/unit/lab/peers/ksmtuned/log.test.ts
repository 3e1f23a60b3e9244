import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseKsmtunedLog, parseKsmtunedLogLine } from '../../../../../src/lab/peers/ksmtuned/log.js';
import { FIXTURES } from '../../../fixtures.js';

const log = readFileSync(join(FIXTURES, 'ksmtuned', 'debug-4.20150326+b1.log'), 'utf8');

describe('parseKsmtunedLogLine', () => {
  test('each kind of line the script writes', () => {
    const ev = (l: string) => parseKsmtunedLogLine(`2026-11-27T05:37:49.835Z: ${l}`)?.event;
    assert.deepEqual(ev('total 524288'), { kind: 'total', totalKb: 524288 });
    assert.deepEqual(ev('sleep 320'), { kind: 'sleep', sleepMs: 320 });
    assert.deepEqual(ev('thres 104857'), { kind: 'thres', thresKb: 104857 });
    assert.deepEqual(ev('committed 469312 free 67584'), { kind: 'sample', committedKb: 469312, freeKb: 67584 });
    assert.deepEqual(ev('574169 > 524288, start ksm'), {
      kind: 'start',
      committedPlusThresKb: 574169,
      totalKb: 524288,
    });
    assert.deepEqual(ev('67584 < 104857, boost'), { kind: 'boost', freeKb: 67584, thresKb: 104857 });
    assert.deepEqual(ev('268288 > 104857, decay'), { kind: 'decay', freeKb: 268288, thresKb: 104857 });
    assert.deepEqual(ev('KSMCTL start 850 320'), { kind: 'ksmctl-start', pagesToScan: 850, sleepMs: 320 });
    assert.deepEqual(ev('104857 < 524288 and free > 104857, stop ksm'), {
      kind: 'stop',
      committedPlusThresKb: 104857,
      totalKb: 524288,
      thresKb: 104857,
    });
    assert.deepEqual(ev('total '), { kind: 'other', text: 'total' });
  });

  test('the patched ISO timestamp parses to ms; the shipped /bin/date form is kept as written', () => {
    assert.equal(
      parseKsmtunedLogLine('2026-11-27T05:37:49.835Z: sleep 10')?.atMs,
      Date.UTC(2026, 10, 27, 5, 37, 49, 835),
    );
    const shippedDate = parseKsmtunedLogLine('Thu Nov 27 05:31:00 UTC 2025: committed 0 free 12');
    assert.equal(shippedDate?.date, 'Thu Nov 27 05:31:00 UTC 2025');
    assert.deepEqual(shippedDate?.event, { kind: 'sample', committedKb: 0, freeKb: 12 });
    assert.equal(parseKsmtunedLogLine('   '), undefined);
  });
});

describe('parseKsmtunedLog on a real run (boost, decay, stop)', () => {
  const r = parseKsmtunedLog(log);

  test('setup: MemTotal, the sleep it derives (10 ms x 16 GiB / 512 MiB) and thres (20 %)', () => {
    assert.deepEqual(r.setup, { totalKb: 524288, sleepMs: 320, thresKb: 104857 });
  });

  test('one tick per loop with what it saw and wrote', () => {
    assert.deepEqual(
      r.ticks.map((x) => [x.action, x.committedKb, x.freeKb, x.pagesToScan ?? null]),
      [
        ['boost', 469312, 67584, 300],
        ['boost', 469312, 67584, 600],
        ['boost', 469312, 67584, 900],
        ['decay', 469312, 268288, 850],
        ['decay', 469312, 268288, 800],
        ['decay', 469312, 268288, 750],
        ['stop', 0, 473088, null],
        ['stop', 0, 473088, null],
      ],
    );
    assert.ok(r.ticks.every((x) => x.sleepMs === undefined || x.sleepMs === 320));
    assert.equal(r.ticks[0]?.atMs, Date.parse('2026-11-27T05:37:49.835Z'));
    assert.deepEqual(r.other, []);
  });

  test('a tick cut off by the end of the log is dropped; stray lines are kept aside', () => {
    const cut = parseKsmtunedLog(
      'x: total 10\nnot a debug line\nx: committed 1 free 2\nx: 3 > 10, start ksm\nx: 2 < 3, boost\n',
    );
    assert.deepEqual(cut.ticks, []);
    assert.deepEqual(cut.other, ['not a debug line']);
  });
});
