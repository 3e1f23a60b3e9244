import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import type { ContentMix, ValueSizeSpec } from '../../../../../src/lab/workloads/memcached/config.js';
import { DUP_PATTERN, ValueFactory } from '../../../../../src/lab/workloads/memcached/content.js';
import { crc32, crc32Js } from '../../../../../src/lab/workloads/memcached/crc32.js';
import {
  CHECK_BAD_CHECKSUM,
  CHECK_BAD_MAGIC,
  CHECK_TOO_SHORT,
  VALUE_HEADER_BYTES,
  checkValue,
  describeCheck,
  sealValue,
} from '../../../../../src/lab/workloads/memcached/value.js';

const MIX: ContentMix = { duplicatedShare: 0.3, compressibleShare: 0.4, randomShare: 0.3 };
const factory = (
  content: ContentMix = MIX,
  valueSize: ValueSizeSpec = { kind: 'fixed', bytes: 1024 },
  target = 'a:1',
) => new ValueFactory({ content, valueSize, seed: 7 }, target);

describe('crc32', () => {
  test('matches the known check value and the pure-JS version', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Js('123456789'), 0xcbf43926);
    const b = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));
    assert.equal(crc32Js(b.subarray(100), crc32Js('key')), crc32(b.subarray(100), crc32('key')));
  });
});

describe('value encode/check', () => {
  test('a sealed value checks out with its key and version', () => {
    const v = factory().build('ovc:42', 42, 7);
    assert.equal(v.length, 1024);
    assert.equal(v.toString('latin1', 0, 4), 'OVC1');
    assert.equal(checkValue(v, 'ovc:42'), 7);
    assert.equal(describeCheck(7), 'sound, version 7');
  });

  test('one corrupted byte anywhere is detected', () => {
    const v = factory().build('ovc:42', 42, 7);
    for (const at of [4, 8, 11, VALUE_HEADER_BYTES, 500, v.length - 1]) {
      const c = Buffer.from(v);
      c[at] = (c[at] as number) ^ 0x01;
      assert.equal(checkValue(c, 'ovc:42'), CHECK_BAD_CHECKSUM, `byte ${at}`);
    }
    const m = Buffer.from(v);
    m[0] = 0x58;
    assert.equal(checkValue(m, 'ovc:42'), CHECK_BAD_MAGIC);
  });

  test("another key's value is detected", () => {
    const v = factory().build('ovc:42', 42, 7);
    assert.equal(checkValue(v, 'ovc:43'), CHECK_BAD_CHECKSUM);
    assert.match(describeCheck(CHECK_BAD_CHECKSUM), /another key/);
  });

  test('truncated and too short values are detected', () => {
    const v = factory().build('ovc:1', 1, 1);
    assert.equal(checkValue(v.subarray(0, v.length - 1), 'ovc:1'), CHECK_BAD_CHECKSUM);
    assert.equal(checkValue(v.subarray(0, 5), 'ovc:1'), CHECK_TOO_SHORT);
  });

  test('the smallest value is the header alone', () => {
    const b = Buffer.alloc(VALUE_HEADER_BYTES);
    sealValue(b, 0, b.length, 'k', 1);
    assert.equal(checkValue(b, 'k'), 1);
    assert.throws(() => sealValue(Buffer.alloc(8), 0, 8, 'k', 1), RangeError);
    assert.throws(() => sealValue(b, 0, b.length, 'k', 0), RangeError);
  });
});

describe('value content', () => {
  test('deterministic per (key, version): the same bytes when recomputed, different for another version', () => {
    const a = factory().build('ovc:9', 9, 3);
    assert.ok(a.equals(factory().build('ovc:9', 9, 3)));
    assert.ok(!a.equals(factory().build('ovc:9', 9, 4)));
  });

  test('the duplicated part is the same bytes for every key, version and target', () => {
    const d = Math.round((1024 - VALUE_HEADER_BYTES) * 0.3);
    const a = factory()
      .build('ovc:1', 1, 1)
      .subarray(VALUE_HEADER_BYTES, VALUE_HEADER_BYTES + d);
    const b = factory(MIX, undefined, 'b:2')
      .build('ovc:77', 77, 5)
      .subarray(VALUE_HEADER_BYTES, VALUE_HEADER_BYTES + d);
    assert.ok(a.equals(b));
    assert.ok(a.equals(DUP_PATTERN.subarray(0, d)));
  });

  test('compressible and random parts differ between targets (no accidental sharing across guests)', () => {
    const a = factory(MIX, undefined, 'a:1').build('ovc:1', 1, 1);
    const b = factory(MIX, undefined, 'b:1').build('ovc:1', 1, 1);
    const d = VALUE_HEADER_BYTES + Math.round((1024 - VALUE_HEADER_BYTES) * 0.3);
    assert.ok(!a.subarray(d).equals(b.subarray(d)));
  });

  test('compressible content compresses, random and duplicated do not', () => {
    const ratio = (content: ContentMix) => {
      const f = factory(content, { kind: 'fixed', bytes: 64 * 1024 });
      const v = f.build('ovc:5', 5, 1);
      return v.length / deflateSync(v).length;
    };
    assert.ok(ratio({ duplicatedShare: 0, compressibleShare: 1, randomShare: 0 }) > 2.5);
    assert.ok(ratio({ duplicatedShare: 0, compressibleShare: 0, randomShare: 1 }) < 1.05);
    // 4 KiB of random bytes repeated: deflate's 32 KiB window finds the repeats, zram's per-page compressors do not.
    const dup4k = factory({ duplicatedShare: 1, compressibleShare: 0, randomShare: 0 }, { kind: 'fixed', bytes: 4108 });
    const page = dup4k.build('k', 1, 1).subarray(VALUE_HEADER_BYTES);
    assert.ok(page.length / deflateSync(page).length < 1.05);
  });

  test('uniform sizes stay in range, vary, and are stable per (key, version)', () => {
    const f = factory(MIX, { kind: 'uniform', minBytes: 100, maxBytes: 200 });
    const sizes = new Set<number>();
    for (let k = 0; k < 500; k++) {
      const s = f.sizeOf(k, 1);
      assert.ok(s >= 100 && s <= 200);
      assert.equal(s, f.sizeOf(k, 1));
      sizes.add(s);
      assert.equal(f.build(`k${k}`, k, 1).length, s);
    }
    assert.ok(sizes.size > 50);
  });
});
