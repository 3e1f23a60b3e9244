import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from '../../../../src/guest/qmp/framing.js';

function feed(splitter: LineSplitter, chunks: Buffer[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    const r = splitter.push(c);
    assert.equal(r.overflowBytes, undefined);
    out.push(...r.lines);
  }
  return out;
}

describe('LineSplitter', () => {
  test('several lines in one chunk, "\\r\\n" and "\\n" endings, the unfinished tail kept', () => {
    const s = new LineSplitter();
    const r = s.push(Buffer.from('{"a":1}\r\n{"b":2}\n{"c":'));
    assert.deepEqual(r, { lines: ['{"a":1}', '{"b":2}'] });
    assert.equal(s.pendingBytes, 5);
    assert.deepEqual(s.push(Buffer.from('3}\r\n')).lines, ['{"c":3}']);
    assert.equal(s.pendingBytes, 0);
  });

  test('no newline yet: no line', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(Buffer.from('{"return": {}')).lines, []);
    assert.deepEqual(s.push(Buffer.from('')).lines, []);
    assert.deepEqual(s.push(Buffer.from('\n')).lines, ['{"return": {}']);
  });

  test('empty lines are lines (the client skips them)', () => {
    assert.deepEqual(new LineSplitter().push(Buffer.from('\n\r\nx\n')).lines, ['', '', 'x']);
  });

  // Two-byte ü, three-byte €, four-byte emoji: cutting at every byte offset cuts inside each of them somewhere.
  const text = '{"desc":"Grüße 5€ 🎈"}\r\n{"event":"X"}\n';
  const bytes = Buffer.from(text, 'utf8');
  const expected = ['{"desc":"Grüße 5€ 🎈"}', '{"event":"X"}'];

  test('a chunk boundary at every byte offset, including inside multi-byte UTF-8 characters', () => {
    for (let i = 0; i <= bytes.length; i++) {
      const got = feed(new LineSplitter(), [bytes.subarray(0, i), bytes.subarray(i)]);
      assert.deepEqual(got, expected, `split at byte ${i}`);
    }
  });

  test('one byte at a time', () => {
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(feed(new LineSplitter(), chunks), expected);
  });

  test('the caller may reuse its chunk buffer after push', () => {
    const s = new LineSplitter();
    const buf = Buffer.from('abc');
    s.push(buf);
    buf.fill(0x7a); // 'zzz'
    assert.deepEqual(s.push(Buffer.from('d\n')).lines, ['abcd']);
  });

  test('a line of exactly maxLineBytes passes, across chunks too', () => {
    const s = new LineSplitter(8);
    assert.deepEqual(s.push(Buffer.from('12345678\n')).lines, ['12345678']);
    assert.deepEqual(feed(s, [Buffer.from('1234'), Buffer.from('5678\n')]), ['12345678']);
  });

  test('a complete line one byte too long overflows; the lines before it are still returned', () => {
    const s = new LineSplitter(8);
    const r = s.push(Buffer.from('ok\n123456789\nlater\n'));
    assert.deepEqual(r.lines, ['ok']);
    assert.equal(r.overflowBytes, 9);
    assert.equal(s.failed, true);
  });

  test('an unfinished line overflows as soon as it passes the limit, without waiting for its newline', () => {
    const s = new LineSplitter(8);
    assert.equal(s.push(Buffer.from('12345')).overflowBytes, undefined);
    const r = s.push(Buffer.from('6789'));
    assert.deepEqual(r, { lines: [], overflowBytes: 9 });
    assert.equal(s.pendingBytes, 0, 'nothing of the over-long line is kept');
  });

  test('after an overflow the splitter stays failed and returns no lines', () => {
    const s = new LineSplitter(4);
    s.push(Buffer.from('toolong'));
    const r = s.push(Buffer.from('\nfine\n'));
    assert.deepEqual(r.lines, []);
    assert.equal(r.overflowBytes, 7);
  });

  test('default limit is 1 MiB; a bad limit is refused', () => {
    assert.equal(new LineSplitter().maxLineBytes, DEFAULT_MAX_LINE_BYTES);
    assert.equal(DEFAULT_MAX_LINE_BYTES, 1048576);
    assert.throws(() => new LineSplitter(0), RangeError);
    assert.throws(() => new LineSplitter(1.5), RangeError);
  });
});
