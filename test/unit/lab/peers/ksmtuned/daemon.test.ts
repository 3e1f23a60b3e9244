import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ksmtunedEnvironment, LAB_QEMU_PATTERN } from '../../../../../src/lab/peers/ksmtuned/daemon.js';
import { ksmtunedCacheDir } from '../../../../../src/lab/peers/ksmtuned/fetch.js';
import { syntheticMeminfo } from '../../../../../src/lab/peers/ksmtuned/meminfo.js';
import { parseMeminfo } from '../../../../../src/host/procfs.js';
import { fixture, usageError } from '../../../fixtures.js';

const MiB = 1024 * 1024;

describe('syntheticMeminfo', () => {
  test('MemTotal, MemFree, Buffers, Cached in kB, laid out as the kernel prints them', () => {
    const real = fixture('6.18', 'proc-meminfo').split('\n');
    const m = parseMeminfo(fixture('6.18', 'proc-meminfo'));
    const text = syntheticMeminfo({
      totalBytes: m.MemTotal as number,
      freeBytes: m.MemFree as number,
      buffersBytes: m.Buffers,
      cachedBytes: m.Cached as number,
    });
    const want = ['MemTotal:', 'MemFree:', 'Buffers:', 'Cached:'].map((k) => real.find((l) => l.startsWith(k)));
    assert.equal(text, want.join('\n') + '\n');
  });

  test('what ksmtuned reads back: free = MemFree + Buffers + Cached', () => {
    const text = syntheticMeminfo({ totalBytes: 4096 * MiB, freeBytes: 256 * MiB, cachedBytes: 64 * MiB });
    assert.equal(
      text,
      'MemTotal:        4194304 kB\nMemFree:          262144 kB\nBuffers:               0 kB\nCached:            65536 kB\n',
    );
    const m = parseMeminfo(text);
    assert.equal(((m.MemFree ?? 0) + (m.Buffers ?? 0) + (m.Cached ?? 0)) / 1024, 327680);
  });

  test('refuses parts larger than the whole, and negative sizes', () => {
    assert.throws(() => syntheticMeminfo({ totalBytes: MiB, freeBytes: MiB, cachedBytes: 1024 }), usageError(/exceed/));
    assert.throws(() => syntheticMeminfo({ totalBytes: MiB, freeBytes: -1, cachedBytes: 0 }), usageError(/MemFree/));
  });
});

describe('ksmtunedEnvironment', () => {
  const base = { meminfoPath: '/s/meminfo', pidFile: '/s/p', logFile: '/s/l', debug: true, path: '/usr/bin:/bin' };

  test('a closed environment: our files, no host config file, the settings as given', () => {
    const env = ksmtunedEnvironment({
      ...base,
      processPattern: LAB_QEMU_PATTERN,
      env: { KSM_MONITOR_INTERVAL: 1, KSM_NPAGES_DECAY: -50, KSM_NPAGES_BOOST: 300 },
    });
    assert.deepEqual(env, {
      PATH: '/usr/bin:/bin',
      LC_ALL: 'C',
      KSM_CONF: '',
      KSM_MEMINFO: '/s/meminfo',
      KSM_QEMU_PATTERN: '^qemu-system',
      PIDFILE: '/s/p',
      LOGFILE: '/s/l',
      DEBUG: '1',
      KSM_MONITOR_INTERVAL: '1',
      KSM_NPAGES_DECAY: '-50',
      KSM_NPAGES_BOOST: '300',
    });
    assert.equal(ksmtunedEnvironment({ ...base, debug: false, processPattern: 'x' }).DEBUG, '');
  });

  test('the interval may be a fraction (sleep takes one); bash arithmetic takes whole numbers only', () => {
    assert.equal(
      ksmtunedEnvironment({ ...base, processPattern: 'x', env: { KSM_MONITOR_INTERVAL: 0.5 } }).KSM_MONITOR_INTERVAL,
      '0.5',
    );
    const bad = (env: Record<string, number>) => () => ksmtunedEnvironment({ ...base, processPattern: 'x', env });
    assert.throws(bad({ KSM_NPAGES_BOOST: 1.5 }), usageError(/KSM_NPAGES_BOOST=1.5/));
    assert.throws(bad({ KSM_NPAGES_BOOST: -300 }), usageError(/KSM_NPAGES_BOOST/));
    assert.throws(bad({ KSM_MONITOR_INTERVAL: 0 }), usageError(/KSM_MONITOR_INTERVAL/));
  });
});

describe('ksmtunedCacheDir', () => {
  test('one folder per version under peers/, with an epoch colon written as apt writes it', () => {
    assert.equal(
      ksmtunedCacheDir('/var/cache/overcommit', '4.20150326+b1'),
      '/var/cache/overcommit/peers/ksmtuned-4.20150326+b1',
    );
    assert.equal(ksmtunedCacheDir('/c', '1:2.0'), '/c/peers/ksmtuned-1%3a2.0');
  });
});
