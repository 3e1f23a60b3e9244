import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProcSwaps } from '../../../src/host/swaps.js';
import { fixture } from '../fixtures.js';

const HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';

describe('parseProcSwaps', () => {
  test('6.18 capture with our zram device: sizes in KiB become bytes', () => {
    assert.deepEqual(parseProcSwaps(fixture('6.18', 'proc-swaps')), [
      { filename: '/dev/zram1', type: 'partition', sizeBytes: 262140 * 1024, usedBytes: 88836 * 1024, priority: 100 },
    ]);
  });

  test('6.18 capture with a swap file', () => {
    assert.deepEqual(parseProcSwaps(fixture('6.18', 'proc-swaps-file')), [
      {
        filename: '/var/tmp/ovc-cap.swap',
        type: 'file',
        sizeBytes: 268431360,
        usedBytes: 90640384,
        priority: 10,
      },
    ]);
  });

  test('octal escapes in the path are decoded: \\040 space, \\011 tab, \\134 backslash', () => {
    const text = `${HEADER}/var/tmp/my\\040swap                       file\t\t1024\t\t0\t\t-2\n/srv/a\\011b\\134c file 2048 4 5\n`;
    const s = parseProcSwaps(text);
    assert.equal(s.length, 2);
    assert.equal(s[0]?.filename, '/var/tmp/my swap');
    assert.equal(s[0]?.priority, -2);
    assert.equal(s[0]?.sizeBytes, 1024 * 1024);
    assert.equal(s[1]?.filename, '/srv/a\tb\\c');
    assert.equal(s[1]?.usedBytes, 4096);
  });

  test('no swap: only the header -> []', () => {
    assert.deepEqual(parseProcSwaps(HEADER), []);
    assert.deepEqual(parseProcSwaps(''), []);
  });

  test('several devices keep their order and priorities', () => {
    const text = `${HEADER}/dev/zram0 partition 1048572 0 100\n/swapfile file 2097148 512 -2\n`;
    assert.deepEqual(
      parseProcSwaps(text).map((s) => [s.filename, s.priority]),
      [
        ['/dev/zram0', 100],
        ['/swapfile', -2],
      ],
    );
  });
});
