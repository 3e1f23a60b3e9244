import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import {
  DEFAULT_SWAP_SIZE,
  DEFAULT_ZRAM_SIZE,
  DISK_SWAP_PRIORITY,
  PRESETS,
  ZRAM_PRIORITY,
  checkPresetName,
  describeStep,
  planPreset,
  type Step,
} from '../../../src/host/presets.js';
import { usageError } from '../fixtures.js';

const STATE = '/var/lib/overcommit';
const G = 1024 ** 3;
const M = 1024 ** 2;

describe('checkPresetName', () => {
  test('every preset name is accepted as is', () => {
    assert.deepEqual([...PRESETS], ['none', 'ksm', 'uksm', 'swap-disk', 'zswap', 'zram']);
    for (const p of PRESETS) assert.equal(checkPresetName(p), p);
  });
});

describe('planPreset: every preset', () => {
  test('defaults', () => {
    assert.equal(DEFAULT_SWAP_SIZE, '1G');
    assert.equal(DEFAULT_ZRAM_SIZE, '1G');
    assert.equal(DISK_SWAP_PRIORITY, 10);
    assert.equal(ZRAM_PRIORITY, 100);
  });

  test('none: KSM off and unmerged, zswap off', () => {
    assert.deepEqual(planPreset('none', {}, STATE), {
      preset: 'none',
      steps: [
        { op: 'ksm', settings: { run: 0 }, unmergeOnStop: true },
        { op: 'zswap', settings: { enabled: false } },
      ],
    });
  });

  test('ksm: run=1 only by default', () => {
    assert.deepEqual(planPreset('ksm', {}, STATE), {
      preset: 'ksm',
      steps: [{ op: 'ksm', settings: { run: 1 }, unmergeOnStop: false }],
    });
  });

  test('ksm with --ksm-pages and --ksm-sleep-ms', () => {
    assert.deepEqual(planPreset('ksm', { ksmPages: 500, ksmSleepMs: 0 }, STATE).steps, [
      {
        op: 'ksm',
        settings: { run: 1, pages_to_scan: 500, advisor_mode: 'none', sleep_millisecs: 0 },
        unmergeOnStop: false,
      },
    ]);
  });

  test('uksm defaults: 30 s, 50 %, 2000 pages', () => {
    assert.deepEqual(planPreset('uksm', {}, STATE), {
      preset: 'uksm',
      steps: [{ op: 'uksm', opts: { targetScanSeconds: 30, maxCpuPercent: 50, firstScanPages: 2000 } }],
    });
  });

  test('uksm with options: --ksm-pages is the first-scan floor', () => {
    assert.deepEqual(planPreset('uksm', { uksmTargetScanS: 20, uksmMaxCpu: 25, ksmPages: 4000 }, STATE).steps, [
      { op: 'uksm', opts: { targetScanSeconds: 20, maxCpuPercent: 25, firstScanPages: 4000 } },
    ]);
  });

  test('swap-disk defaults: <state-dir>/overcommit.swap, 1 GiB, priority 10', () => {
    assert.deepEqual(planPreset('swap-disk', {}, STATE), {
      preset: 'swap-disk',
      steps: [{ op: 'swapfile', path: '/var/lib/overcommit/overcommit.swap', sizeBytes: G, priority: 10 }],
    });
  });

  test('swap-disk with path, size and priority; the path is normalized', () => {
    assert.deepEqual(
      planPreset('swap-disk', { swapPath: '/srv//swap/./ovc.img', swapSize: '512M', swapPriority: -1 }, STATE).steps,
      [{ op: 'swapfile', path: '/srv/swap/ovc.img', sizeBytes: 512 * M, priority: -1 }],
    );
  });

  test('the default swap file follows --state-dir', () => {
    const step = planPreset('swap-disk', {}, '/data/ovc').steps[0];
    assert.equal(step?.op === 'swapfile' && step.path, '/data/ovc/overcommit.swap');
  });

  test('zswap: the swap file first, then zswap on', () => {
    assert.deepEqual(planPreset('zswap', {}, STATE), {
      preset: 'zswap',
      steps: [
        { op: 'swapfile', path: '/var/lib/overcommit/overcommit.swap', sizeBytes: G, priority: 10 },
        { op: 'zswap', settings: { enabled: true } },
      ],
    });
  });

  test('zswap with compressor and pool percent', () => {
    assert.deepEqual(planPreset('zswap', { zswapCompressor: 'zstd', zswapPoolPercent: 30 }, STATE).steps[1], {
      op: 'zswap',
      settings: { enabled: true, compressor: 'zstd', max_pool_percent: 30 },
    });
  });

  test('zram defaults: 1 GiB, priority 100, no algorithm or limit', () => {
    assert.deepEqual(planPreset('zram', {}, STATE), {
      preset: 'zram',
      steps: [{ op: 'zram', sizeBytes: G, priority: 100 }],
    });
  });

  test('zram with size, algorithm, mem limit and priority', () => {
    assert.deepEqual(
      planPreset('zram', { zramSize: '2G', zramAlgorithm: 'zstd', zramMemLimit: '256M', zramPriority: 50 }, STATE)
        .steps,
      [{ op: 'zram', sizeBytes: 2 * G, algorithm: 'zstd', memLimitBytes: 256 * M, priority: 50 }],
    );
  });
});

describe('planPreset: bad input is a UsageError before anything happens', () => {
  test('an unknown preset names the value and lists the presets', () => {
    assert.throws(
      () => planPreset('zrm', {}, STATE),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "unknown preset 'zrm'" &&
        e.hint === 'use one of: none, ksm, uksm, swap-disk, zswap, zram' &&
        e.context.value === 'zrm',
    );
    assert.throws(() => planPreset('', {}, STATE), usageError(/^unknown preset ''$/));
    assert.throws(() => planPreset('KSM', {}, STATE), usageError(/^unknown preset 'KSM'$/));
  });

  for (const name of ['auto', 'balloon', 'ksmtuned']) {
    test(`'${name}' is a controlled strategy, not a host preset`, () => {
      assert.throws(
        () => planPreset(name, {}, STATE),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `'${name}' is a controlled strategy, not a host preset` &&
          /overcommit lab run or overcommit agent/.test(e.hint),
      );
    });
  }

  test('the name is checked before the options', () => {
    assert.throws(() => planPreset('auto', { swapSize: '12XB' }, STATE), usageError(/controlled strategy/));
  });

  test("size '12XB' is refused for the swap file and the zram device, naming the option", () => {
    assert.throws(
      () => planPreset('swap-disk', { swapSize: '12XB' }, STATE),
      usageError(/^invalid --swap-size '12XB'$/),
    );
    assert.throws(() => planPreset('zswap', { swapSize: '12XB' }, STATE), usageError(/--swap-size/));
    assert.throws(() => planPreset('zram', { zramSize: '12XB' }, STATE), usageError(/^invalid --zram-size '12XB'$/));
    assert.throws(() => planPreset('zram', { zramMemLimit: 'lots' }, STATE), usageError(/--zram-mem-limit 'lots'/));
  });

  test('a zram device under 1 MiB is too small', () => {
    assert.throws(
      () => planPreset('zram', { zramSize: '512K' }, STATE),
      usageError(/^zram size 524288 B is too small$/),
    );
    assert.doesNotThrow(() => planPreset('zram', { zramSize: '1M' }, STATE));
  });

  for (const p of ['/etc/swap.img', '/proc/swap', '/sys/x', '/dev/sdb', '/usr/swap', '/boot/s', '/run/s', '/lib64/s']) {
    test(`swap path ${p} is refused (system directory)`, () => {
      const root = `/${p.split('/')[1]}`;
      assert.throws(
        () => planPreset('swap-disk', { swapPath: p }, STATE),
        usageError(new RegExp(`^swap path '${p}' is inside ${root}$`)),
      );
    });
  }

  test('a relative swap path is refused, also through a relative --state-dir', () => {
    assert.throws(
      () => planPreset('swap-disk', { swapPath: 'swap.img' }, STATE),
      usageError(/^swap path 'swap.img' is not absolute$/),
    );
    assert.throws(() => planPreset('zswap', {}, 'state'), usageError(/'state\/overcommit.swap' is not absolute/));
  });

  test('a swap path that climbs into /etc with .. is refused', () => {
    assert.throws(() => planPreset('swap-disk', { swapPath: '/var/../etc/swap' }, STATE), usageError(/inside \/etc/));
  });

  const badInts: Array<[string, Parameters<typeof planPreset>[1], RegExp]> = [
    ['ksm', { ksmPages: 0 }, /^invalid --ksm-pages '0'$/],
    ['ksm', { ksmPages: 1.5 }, /^invalid --ksm-pages '1.5'$/],
    ['ksm', { ksmSleepMs: 60001 }, /^invalid --ksm-sleep-ms '60001'$/],
    ['uksm', { uksmMaxCpu: 101 }, /^invalid --uksm-max-cpu '101'$/],
    ['uksm', { uksmTargetScanS: 0 }, /^invalid --uksm-target-scan-s '0'$/],
    ['uksm', { ksmPages: 1_000_001 }, /^invalid --ksm-pages '1000001'$/],
    ['zswap', { zswapPoolPercent: 0 }, /^invalid --zswap-pool-percent '0'$/],
    ['swap-disk', { swapPriority: 32768 }, /^invalid --swap-priority '32768'$/],
    ['swap-disk', { swapPriority: -2 }, /^invalid --swap-priority '-2'$/],
    ['zram', { zramPriority: 40000 }, /^invalid --zram-priority '40000'$/],
  ];
  for (const [preset, opts, re] of badInts) {
    test(`${preset} ${JSON.stringify(opts)} is refused`, () => {
      assert.throws(() => planPreset(preset, opts, STATE), usageError(re));
    });
  }

  test('a --zswap-compressor that is not a compressor name is refused while planning', () => {
    assert.throws(() => planPreset('zswap', { zswapCompressor: 'lz4; reboot' }, STATE), usageError(/compressor/));
  });
});

describe('describeStep', () => {
  const cases: Array<[Step, string]> = [
    [{ op: 'ksm', settings: { run: 0 }, unmergeOnStop: true }, 'ksm: run=0'],
    [
      { op: 'ksm', settings: { run: 1, pages_to_scan: 500, sleep_millisecs: 50 }, unmergeOnStop: false },
      'ksm: run=1 pages_to_scan=500 sleep_millisecs=50',
    ],
    [
      { op: 'uksm', opts: { targetScanSeconds: 30, maxCpuPercent: 50, firstScanPages: 2000 } },
      'uksm: UKSM if the kernel has it, else KSM advisor scan-time 30s, max cpu 50%, first-scan floor 2000 pages, smart_scan, use_zero_pages',
    ],
    [
      { op: 'swapfile', path: '/var/lib/overcommit/overcommit.swap', sizeBytes: G, priority: 10 },
      'swap file /var/lib/overcommit/overcommit.swap (1073741824 B, priority 10)',
    ],
    [{ op: 'zram', sizeBytes: G, priority: 100 }, 'zram swap device (1073741824 B, priority 100)'],
    [
      { op: 'zram', sizeBytes: 2 * G, algorithm: 'zstd', memLimitBytes: 256 * M, priority: 50 },
      'zram swap device (2147483648 B, zstd, mem_limit 268435456 B, priority 50)',
    ],
    [{ op: 'zswap', settings: { enabled: false } }, 'zswap: enabled=false'],
    [
      { op: 'zswap', settings: { enabled: true, compressor: 'zstd', max_pool_percent: 30 } },
      'zswap: enabled=true compressor=zstd max_pool_percent=30',
    ],
  ];
  for (const [step, line] of cases) {
    test(line, () => assert.equal(describeStep(step), line));
  }

  test('the none preset described step by step', () => {
    assert.deepEqual(planPreset('none', {}, STATE).steps.map(describeStep), ['ksm: run=0', 'zswap: enabled=false']);
  });
});
