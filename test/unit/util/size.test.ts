import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { formatBytes, parseSize } from '../../../src/util/size.js';
import { usageError } from '../fixtures.js';

describe('parseSize', () => {
  const ok: Array<[string, number]> = [
    ['0', 0],
    ['4096', 4096],
    ['512b', 512],
    ['512B', 512],
    ['512K', 512 * 1024],
    ['512k', 512 * 1024],
    ['256M', 256 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['1.5G', 1610612736],
    ['0.5K', 512],
    ['2GiB', 2 * 1024 ** 3],
    ['2gib', 2 * 1024 ** 3],
    ['64MB', 64 * 1024 ** 2],
    ['1T', 1024 ** 4],
    ['  256M ', 256 * 1024 ** 2],
    ['256 M', 256 * 1024 ** 2],
    ['1.0001K', 1024],
    ['8191T', 8191 * 1024 ** 4],
  ];
  for (const [text, bytes] of ok) {
    test(`'${text}' -> ${bytes}`, () => assert.equal(parseSize(text), bytes));
  }

  for (const bad of ['12XB', '', 'G', '-1G', '1e3', '.5G', '1,5G', '1 G B', '1P', 'ten', '1GB2']) {
    test(`'${bad}' is refused`, () => {
      assert.throws(
        () => parseSize(bad, '--swap-size'),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `invalid --swap-size '${bad}'` &&
          e.hint === 'write a number with an optional unit K, M, G or T (e.g. 512M)' &&
          e.context.value === bad,
      );
    });
  }

  test("the default name is 'size'", () => {
    assert.throws(() => parseSize('12XB'), usageError(/^invalid size '12XB'$/));
  });

  test('too large to be exact (2^53 bytes and more) is refused', () => {
    assert.throws(() => parseSize('8192T', '--zram-size'), usageError(/^--zram-size '8192T' is too large$/));
    assert.throws(() => parseSize('99999999999999999999'), usageError(/too large/));
  });
});

describe('formatBytes', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024, '10.0 KiB'],
    [100 * 1024, '100 KiB'],
    [66846720, '63.8 MiB'],
    [1024 ** 3, '1.00 GiB'],
    [24684084 * 1024, '23.5 GiB'],
    [1024 ** 4, '1.00 TiB'],
    [1024 ** 5, '1.00 PiB'],
    [1024 ** 6, '1024 PiB'],
    [-1536, '-1.50 KiB'],
    [-1048576, '-1.00 MiB'],
    [Infinity, 'unlimited'],
  ];
  for (const [bytes, text] of cases) {
    test(`${bytes} -> '${text}'`, () => assert.equal(formatBytes(bytes), text));
  }

  test('formatBytes(1536) is "1.50 KiB", as its doc comment promises (3 significant digits)', () =>
    assert.equal(formatBytes(1536), '1.50 KiB'));
});
