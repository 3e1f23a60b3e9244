import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMeminfo, parseVmstat } from '../../../../src/host/procfs.js';
import { parseProcSwaps } from '../../../../src/host/swaps.js';
import {
  checkZswapBacking,
  parseZswapDebug,
  parseZswapParams,
  zswapStatsFrom,
} from '../../../../src/host/mechanisms/zswap.js';
import { fixture, fixtureDir, usageError } from '../../fixtures.js';

describe('parseZswapParams', () => {
  test('6.18 capture: no zpool parameter (zsmalloc only), shrinker_enabled present', async () => {
    assert.deepEqual(parseZswapParams(await fixtureDir('6.18', 'zswap')), {
      present: true,
      settings: {
        enabled: false,
        compressor: 'lzo',
        max_pool_percent: 20,
        accept_threshold_percent: 90,
        shrinker_enabled: false,
      },
    });
  });

  test('6.1 (hand-made): zpool zbud, no shrinker_enabled; same_filled_pages_enabled is not a setting we drive', async () => {
    assert.deepEqual(parseZswapParams(await fixtureDir('6.1', 'zswap')), {
      present: true,
      settings: {
        enabled: true,
        compressor: 'lzo',
        zpool: 'zbud',
        max_pool_percent: 20,
        accept_threshold_percent: 90,
      },
    });
  });

  test('no zswap (no directory, or no enabled file) -> present:false', () => {
    assert.deepEqual(parseZswapParams(undefined), { present: false, settings: {} });
    assert.deepEqual(parseZswapParams({ compressor: 'lzo\n' }), { present: false, settings: {} });
  });
});

describe('zswapStatsFrom', () => {
  test('6.18 capture while zswap stored pages: Zswap 30548 kB pool, Zswapped 88516 kB stored, vmstat counters', () => {
    const st = zswapStatsFrom(
      parseMeminfo(fixture('6.18', 'proc-meminfo-zswap')),
      parseVmstat(fixture('6.18', 'proc-vmstat-zswap')),
    );
    assert.deepEqual(st, {
      poolBytes: 30548 * 1024,
      storedBytes: 90640384,
      compressionRatio: 88516 / 30548,
      zswpin: 0,
      zswpout: 22129,
      zswpwb: 0,
    });
    assert.equal(st?.compressionRatio.toFixed(2), '2.90');
  });

  test('zswap idle: empty pool -> ratio 0', () => {
    const st = zswapStatsFrom(
      parseMeminfo(fixture('6.18', 'proc-meminfo')),
      parseVmstat(fixture('6.18', 'proc-vmstat')),
    );
    assert.equal(st?.poolBytes, 0);
    assert.equal(st?.storedBytes, 0);
    assert.equal(st?.compressionRatio, 0);
    assert.equal(st?.zswpout, 0);
  });

  test('a kernel without the Zswap meminfo line -> undefined', () => {
    assert.equal(zswapStatsFrom({ MemTotal: 1 }, { zswpout: 5 }), undefined);
  });

  test('a vmstat without zswpwb (before 6.8) counts 0 written back', () => {
    assert.equal(zswapStatsFrom({ Zswap: 4096, Zswapped: 8192 }, { zswpin: 1, zswpout: 2 })?.zswpwb, 0);
  });
});

describe('checkZswapBacking', () => {
  test('no swap device -> UsageError naming the missing swap device', () => {
    assert.throws(() => checkZswapBacking([]), usageError(/no swap device/));
    assert.throws(() => checkZswapBacking(parseProcSwaps('Filename Type Size Used Priority\n')), usageError(/zswap/));
  });

  test('a swap file behind it is enough', () => {
    const swaps = parseProcSwaps(fixture('6.18', 'proc-swaps-file'));
    assert.equal(swaps.length, 1);
    assert.doesNotThrow(() => checkZswapBacking(swaps));
  });
});

describe('parseZswapDebug', () => {
  test('numeric debugfs files only; none -> undefined', () => {
    assert.deepEqual(parseZswapDebug({ pool_limit_hit: '5\n', stored_pages: '22129\n', odd: 'text\n' }), {
      pool_limit_hit: 5,
      stored_pages: 22129,
    });
    assert.equal(parseZswapDebug(undefined), undefined);
    assert.equal(parseZswapDebug({ odd: 'text\n' }), undefined);
  });
});
