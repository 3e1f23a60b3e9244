import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBdStat, parseIoStat, parseMmStat, parseZramDevice } from '../../../../src/host/mechanisms/zram.js';
import { fixture } from '../../fixtures.js';

const mmStat = fixture('6.18', 'zram-mm_stat');
const ioStat = fixture('6.18', 'zram-io_stat');
const compAlgorithm = fixture('6.18', 'zram-comp_algorithm');

describe('parseMmStat', () => {
  test('6.18 capture: nine fields in kernel order', () => {
    assert.deepEqual(parseMmStat(mmStat), {
      origDataSizeBytes: 90972160,
      comprDataSizeBytes: 30944603,
      memUsedTotalBytes: 31174656,
      memLimitBytes: 0,
      memUsedMaxBytes: 31174656,
      samePages: 0,
      pagesCompacted: 0,
      hugePages: 7403,
      hugePagesSince: 7403,
    });
  });

  test('an old kernel with seven fields: no huge page keys', () => {
    const m = parseMmStat('  4096  1024  8192  0  8192  3  1\n');
    assert.equal(m.origDataSizeBytes, 4096);
    assert.equal(m.samePages, 3);
    assert.equal(m.pagesCompacted, 1);
    assert.equal('hugePages' in m, false);
    assert.equal('hugePagesSince' in m, false);
  });
});

describe('parseIoStat / parseBdStat', () => {
  test('6.18 io_stat capture: all zero', () => {
    assert.deepEqual(parseIoStat(ioStat), { failedReads: 0, failedWrites: 0, invalidIo: 0, notifyFree: 0 });
  });

  test('io_stat fields in kernel order', () => {
    assert.deepEqual(parseIoStat('       3        1        2        9\n'), {
      failedReads: 3,
      failedWrites: 1,
      invalidIo: 2,
      notifyFree: 9,
    });
  });

  test('bd_stat: pages on, read from, written to the backing device', () => {
    assert.deepEqual(parseBdStat('     100       20       80\n'), {
      bdCountPages: 100,
      bdReadsPages: 20,
      bdWritesPages: 80,
    });
  });
});

describe('parseZramDevice', () => {
  // disksize is not in the capture; 256 MiB matches the 262140 KiB swap on /dev/zram1 in proc-swaps.
  const files = { disksize: '268435456\n', comp_algorithm: compAlgorithm, mm_stat: mmStat, io_stat: ioStat };

  test('6.18 device: name, size, selected algorithm, offered algorithms, mem_limit, ratio orig/compr', () => {
    const d = parseZramDevice(1, files);
    assert.equal(d.index, 1);
    assert.equal(d.name, 'zram1');
    assert.equal(d.disksizeBytes, 268435456);
    assert.equal(d.algorithm, 'lz4');
    assert.deepEqual(d.algorithms, ['lzo-rle', 'lzo', 'lz4']);
    assert.equal(d.memLimitBytes, 0);
    assert.equal(d.compressionRatio, 90972160 / 30944603);
    assert.equal(d.compressionRatio.toFixed(3), '2.940');
    assert.deepEqual(d.io, { failedReads: 0, failedWrites: 0, invalidIo: 0, notifyFree: 0 });
    assert.equal(d.mm?.hugePages, 7403);
    assert.equal('bd' in d, false);
    assert.equal('backingDev' in d, false);
  });

  test('an empty device: ratio 0, not NaN', () => {
    const d = parseZramDevice(0, { ...files, disksize: '0\n', mm_stat: '0 0 0 0 0 0 0 0 0\n' });
    assert.equal(d.compressionRatio, 0);
    assert.equal(d.disksizeBytes, 0);
  });

  test('backing_dev "none" is no backing device; a path is kept; bd_stat parsed', () => {
    assert.equal('backingDev' in parseZramDevice(0, { ...files, backing_dev: 'none\n' }), false);
    const d = parseZramDevice(0, { ...files, backing_dev: '/dev/sdb1\n', bd_stat: '5 1 4\n' });
    assert.equal(d.backingDev, '/dev/sdb1');
    assert.deepEqual(d.bd, { bdCountPages: 5, bdReadsPages: 1, bdWritesPages: 4 });
  });

  test('a device with no readable files: size 0, no algorithms, no stats', () => {
    assert.deepEqual(parseZramDevice(3, {}), {
      index: 3,
      name: 'zram3',
      disksizeBytes: 0,
      algorithms: [],
      compressionRatio: 0,
    });
  });

  test('a non-zero mem_limit in mm_stat becomes memLimitBytes', () => {
    const d = parseZramDevice(1, { ...files, mm_stat: '4096 1024 8192 134217728 8192 0 0 0 0\n' });
    assert.equal(d.memLimitBytes, 134217728);
    assert.equal(d.compressionRatio, 4);
  });
});
