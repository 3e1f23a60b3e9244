import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseKbTable,
  parseMeminfo,
  parsePressure,
  parseVmstat,
  pickKb,
  pickVmstat,
  processMemoryFrom,
} from '../../../src/host/procfs.js';
import { fixture } from '../fixtures.js';

describe('parseMeminfo', () => {
  const mi = parseMeminfo(fixture('6.18', 'proc-meminfo'));

  test('kB values become bytes', () => {
    assert.equal(mi.MemTotal, 24684084 * 1024);
    assert.equal(mi.MemAvailable, 24287576 * 1024);
    assert.equal(mi.SwapTotal, 262140 * 1024);
    assert.equal(mi.SwapFree, 173304 * 1024);
    assert.equal(mi.VmallocTotal, 34359738367 * 1024);
  });

  test('keys with parentheses are kept as the kernel writes them', () => {
    assert.equal(mi['Active(anon)'], 1512 * 1024);
    assert.equal(mi['Inactive(file)'], 187872 * 1024);
  });

  test('HugePages_* are counts, not kB', () => {
    assert.equal(mi.HugePages_Total, 0);
    assert.equal(parseMeminfo('HugePages_Total:      12\nHugepagesize:       2048 kB\n').HugePages_Total, 12);
    assert.equal(parseMeminfo('HugePages_Total:      12\nHugepagesize:       2048 kB\n').Hugepagesize, 2097152);
  });

  test('every line of the capture is parsed', () => {
    const lines = fixture('6.18', 'proc-meminfo').trim().split('\n').length;
    assert.equal(Object.keys(mi).length, lines);
  });

  test('zswap capture: Zswapped 88516 kB -> 90640384 bytes, Zswap 30548 kB', () => {
    const z = parseMeminfo(fixture('6.18', 'proc-meminfo-zswap'));
    assert.equal(z.Zswapped, 90640384);
    assert.equal(z.Zswap, 31281152);
  });
});

describe('parseVmstat', () => {
  test('6.18 capture: swap and zswap counters, every line parsed', () => {
    const text = fixture('6.18', 'proc-vmstat');
    const vm = parseVmstat(text);
    assert.equal(vm.pswpin, 0);
    assert.equal(vm.pswpout, 22209);
    assert.equal(vm.nr_anon_pages, 2877);
    assert.equal(vm.pgfault, 880295);
    assert.equal(vm.zswpout, 0);
    assert.equal(Object.keys(vm).length, text.trim().split('\n').length);
  });

  test('zswap capture: zswpout 22129', () => {
    const vm = parseVmstat(fixture('6.18', 'proc-vmstat-zswap'));
    assert.equal(vm.zswpout, 22129);
    assert.equal(vm.zswpwb, 0);
    assert.equal(vm.nr_anon_pages, 19129);
  });

  test('negative values are kept; non-numeric lines dropped', () => {
    assert.deepEqual(parseVmstat('nr_x -3\nbogus\nname word\n\n'), { nr_x: -3 });
  });
});

describe('parsePressure', () => {
  test('memory: some and full', () => {
    assert.deepEqual(parsePressure(fixture('6.18', 'pressure-memory')), {
      some: { avg10: 1.99, avg60: 0.35, avg300: 0.07, totalUs: 233066 },
      full: { avg10: 1.99, avg60: 0.35, avg300: 0.07, totalUs: 233049 },
    });
  });

  test('io and cpu captures', () => {
    assert.deepEqual(parsePressure(fixture('6.18', 'pressure-io'))?.full, {
      avg10: 0,
      avg60: 0.04,
      avg300: 0.01,
      totalUs: 622758,
    });
    assert.deepEqual(parsePressure(fixture('6.18', 'pressure-cpu'))?.some, {
      avg10: 0.55,
      avg60: 1.17,
      avg300: 0.36,
      totalUs: 3785947,
    });
  });

  test('cpu on an old kernel (before 5.13) has no full line: no full key', () => {
    const p = parsePressure('some avg10=0.55 avg60=1.17 avg300=0.36 total=3785947\n');
    assert.deepEqual(p, { some: { avg10: 0.55, avg60: 1.17, avg300: 0.36, totalUs: 3785947 } });
    assert.equal(p !== undefined && 'full' in p, false);
  });

  test('no some line -> undefined', () => {
    assert.equal(parsePressure(''), undefined);
    assert.equal(parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), undefined);
  });
});

describe('processMemoryFrom', () => {
  const status = fixture('6.18', 'proc-pid-status');
  const rollup = fixture('6.18', 'proc-pid-smaps_rollup');

  test('status + smaps_rollup: RSS, swap, PSS, PSS anon in bytes', () => {
    assert.deepEqual(processMemoryFrom(status, rollup), {
      rssBytes: 78248 * 1024,
      swapBytes: 0,
      pssBytes: 77063 * 1024,
      pssAnonBytes: 6900 * 1024,
    });
  });

  test('without smaps_rollup (not readable): no PSS keys', () => {
    assert.deepEqual(processMemoryFrom(status), { rssBytes: 80125952, swapBytes: 0 });
  });

  test('a kernel thread (no Vm* lines): zeros', () => {
    assert.deepEqual(processMemoryFrom('Name:\tkthreadd\nState:\tS (sleeping)\n'), { rssBytes: 0, swapBytes: 0 });
  });
});

describe('parseKbTable', () => {
  test('tab-separated status lines; values without kB are counts; text values dropped', () => {
    const t = parseKbTable(fixture('6.18', 'proc-pid-status'));
    assert.equal(t.VmRSS, 78248 * 1024);
    assert.equal(t.RssShmem, 64764 * 1024);
    assert.equal(t.Threads, 1);
    assert.equal(t.Pid, 2211);
    assert.equal('Name' in t, false);
    assert.equal('State' in t, false);
  });
});

describe('pickVmstat', () => {
  test('6.18 capture: the named fields equal what parseVmstat reads, and nothing else', () => {
    const text = fixture('6.18', 'proc-vmstat-zswap');
    const all = parseVmstat(text);
    const names = ['pswpin', 'pswpout', 'zswpin', 'zswpout', 'zswpwb', 'nr_free_pages'];
    const picked = pickVmstat(text, names);
    assert.deepEqual(Object.keys(picked).sort(), [...names].sort());
    for (const n of names) assert.equal(picked[n], all[n], n);
  });

  test('whole names only, first line and last line without a newline, absent names left out', () => {
    const text = 'pswpin 7\nnr_pswpin_x 9\npswpout 3';
    assert.deepEqual(pickVmstat(text, ['pswpin', 'pswpout', 'zswpwb', 'swpin']), { pswpin: 7, pswpout: 3 });
    assert.deepEqual(pickVmstat('pswpin word\n', ['pswpin']), {});
  });
});

describe('pickKb', () => {
  test('6.18 /proc/PID/status capture: VmRSS and VmSwap as processMemoryFrom reads them', () => {
    const text = fixture('6.18', 'proc-pid-status');
    const all = processMemoryFrom(text);
    assert.equal(pickKb(text, 'VmRSS'), all.rssBytes);
    assert.equal(pickKb(text, 'VmSwap'), all.swapBytes);
    assert.equal(pickKb(text, 'Rss'), undefined, 'a whole key only');
    assert.equal(pickKb('VmRSS:\t  12 kB', 'VmRSS'), 12 * 1024);
    assert.equal(pickKb('Threads:\t5\n', 'Threads'), undefined, 'not a kB field');
  });
});
