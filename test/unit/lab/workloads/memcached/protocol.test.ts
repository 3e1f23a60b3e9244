import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Prng } from '../../../../../src/lab/workloads/memcached/prng.js';
import {
  ProtocolError,
  ReplyParser,
  getRequest,
  setRequest,
  setRequestHead,
  type ReplySink,
} from '../../../../../src/lab/workloads/memcached/protocol.js';

type Event = ['value', string, number, string] | ['reply', string, string];

function recorder(): { sink: ReplySink; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    sink: {
      // Copy: data is only valid during the call.
      value: (key, flags, data) => events.push(['value', key, flags, Buffer.from(data).toString('latin1')]),
      reply: (status, message) => events.push(['reply', status, message]),
    },
  };
}

function parseChunks(chunks: Buffer[]): Event[] {
  const r = recorder();
  const p = new ReplyParser(r.sink);
  for (const c of chunks) p.feed(c);
  assert.ok(p.idle, 'nothing left half-parsed');
  return r.events;
}

/** A value whose bytes contain what would end a reply if the parser looked for it instead of counting. */
const TRICKY = 'a\r\nEND\r\nVALUE x 0 1\r\nSTORED\r\n\0\xff';
const STREAM = Buffer.from(
  `VALUE k1 0 ${TRICKY.length}\r\n${TRICKY}\r\nEND\r\n` +
    'END\r\n' +
    'STORED\r\n' +
    'NOT_STORED\r\n' +
    'SERVER_ERROR out of memory storing object\r\n' +
    'VALUE key:2 42 0\r\n\r\nVALUE key:3 7 5 99\r\nhello\r\nEND\r\n' +
    'ERROR\r\n' +
    'CLIENT_ERROR bad data chunk\r\n' +
    'EXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\nOK\r\n',
  'latin1',
);
const EXPECTED: Event[] = [
  ['value', 'k1', 0, TRICKY],
  ['reply', 'END', ''],
  ['reply', 'END', ''],
  ['reply', 'STORED', ''],
  ['reply', 'NOT_STORED', ''],
  ['reply', 'SERVER_ERROR', 'out of memory storing object'],
  ['value', 'key:2', 42, ''],
  ['value', 'key:3', 7, 'hello'],
  ['reply', 'END', ''],
  ['reply', 'ERROR', ''],
  ['reply', 'CLIENT_ERROR', 'bad data chunk'],
  ['reply', 'EXISTS', ''],
  ['reply', 'NOT_FOUND', ''],
  ['reply', 'DELETED', ''],
  ['reply', 'TOUCHED', ''],
  ['reply', 'OK', ''],
];

describe('reply parser', () => {
  test('one chunk', () => {
    assert.deepEqual(parseChunks([STREAM]), EXPECTED);
  });

  test('split in two at every byte (mid-line, mid-value, between CR and LF)', () => {
    for (let i = 1; i < STREAM.length; i++)
      assert.deepEqual(parseChunks([STREAM.subarray(0, i), STREAM.subarray(i)]), EXPECTED, `split at ${i}`);
  });

  test('one byte at a time', () => {
    const chunks = Array.from({ length: STREAM.length }, (_, i) => STREAM.subarray(i, i + 1));
    assert.deepEqual(parseChunks(chunks), EXPECTED);
  });

  test('random cuts, and a large value across many chunks', () => {
    const rng = new Prng(11);
    for (let round = 0; round < 300; round++) {
      const chunks: Buffer[] = [];
      let at = 0;
      while (at < STREAM.length) {
        const n = 1 + rng.int(12);
        chunks.push(STREAM.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(parseChunks(chunks), EXPECTED);
    }
    const big = Buffer.alloc(300_000, 'x');
    big.write('\r\nEND\r\n', 1000, 'latin1');
    const stream = Buffer.concat([Buffer.from(`VALUE big 1 ${big.length}\r\n`), big, Buffer.from('\r\nEND\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));
    const events = parseChunks(chunks);
    assert.equal(events.length, 2);
    assert.equal(events[0]?.[3], big.toString('latin1'));
    assert.deepEqual(events[1], ['reply', 'END', '']);
  });

  test('bare LF line ends are accepted', () => {
    assert.deepEqual(parseChunks([Buffer.from('STORED\nEND\n')]), [
      ['reply', 'STORED', ''],
      ['reply', 'END', ''],
    ]);
  });

  test('garbage is a ProtocolError', () => {
    const bad = (s: string) =>
      assert.throws(() => new ReplyParser(recorder().sink).feed(Buffer.from(s, 'latin1')), ProtocolError, s);
    bad('HELLO\r\n');
    bad('VALUE k x 3\r\nabc\r\n');
    bad('VALUE k 0\r\n');
    bad('VALUE k 0 3\r\nabcd\r\n'); // no CRLF after the counted bytes
    assert.throws(() => new ReplyParser(recorder().sink, 16).feed(Buffer.alloc(64, 'A')), ProtocolError);
  });
});

describe('requests', () => {
  test('get, multi-get and set', () => {
    assert.equal(getRequest('k1'), 'get k1\r\n');
    assert.equal(getRequest(['a', 'b', 'c']), 'get a b c\r\n');
    assert.equal(setRequestHead('k', 5), 'set k 0 0 5\r\n');
    assert.equal(setRequest('k', Buffer.from('a\r\nb'), 3).toString('latin1'), 'set k 3 0 4\r\na\r\nb\r\n');
  });
});
