import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMessage, encodeCommand, parseMessage } from '../../../../src/guest/qmp/messages.js';

describe('parseMessage / classifyMessage', () => {
  test('greeting: version and capabilities', () => {
    const m = parseMessage(
      '{"QMP": {"version": {"qemu": {"micro": 1, "minor": 2, "major": 9}, "package": "Debian 1:9.2.1"}, "capabilities": ["oob"]}}',
    );
    assert.deepEqual(m, {
      kind: 'greeting',
      greeting: {
        version: { qemu: { major: 9, minor: 2, micro: 1 }, package: 'Debian 1:9.2.1' },
        capabilities: ['oob'],
      },
    });
  });

  test('greeting without a version still classifies (zeros), bad capabilities do not', () => {
    assert.deepEqual(classifyMessage({ QMP: { capabilities: [] } }), {
      kind: 'greeting',
      greeting: { version: { qemu: { major: 0, minor: 0, micro: 0 }, package: '' }, capabilities: [] },
    });
    assert.equal(classifyMessage({ QMP: { capabilities: 'oob' } }).kind, 'malformed');
    assert.equal(classifyMessage({ QMP: { capabilities: [1] } }).kind, 'malformed');
    assert.equal(classifyMessage({ QMP: null }).kind, 'malformed');
  });

  test('return with and without id; any return value', () => {
    assert.deepEqual(parseMessage('{"return": {}, "id": 7}'), { kind: 'return', id: 7, value: {} });
    assert.deepEqual(parseMessage('{"return": [1, 2]}'), { kind: 'return', id: undefined, value: [1, 2] });
    assert.deepEqual(parseMessage('{"return": 5, "id": "abc"}'), { kind: 'return', id: 'abc', value: 5 });
  });

  test('error reply: class and desc', () => {
    assert.deepEqual(
      parseMessage('{"error": {"class": "GenericError", "desc": "No balloon device has been activated"}, "id": 3}'),
      {
        kind: 'error',
        id: 3,
        errorClass: 'GenericError',
        desc: 'No balloon device has been activated',
      },
    );
    assert.equal(classifyMessage({ error: { class: 'GenericError' }, id: 1 }).kind, 'malformed');
    assert.equal(classifyMessage({ error: 'boom', id: 1 }).kind, 'malformed');
  });

  test('event with data and timestamp', () => {
    assert.deepEqual(
      parseMessage(
        '{"timestamp": {"seconds": 1700000000, "microseconds": 123}, "event": "BALLOON_CHANGE", "data": {"actual": 1073741824}}',
      ),
      {
        kind: 'event',
        event: {
          event: 'BALLOON_CHANGE',
          data: { actual: 1073741824 },
          timestamp: { seconds: 1700000000, microseconds: 123 },
        },
      },
    );
  });

  test('event without data gets {}; non-object data or a non-string name is malformed', () => {
    const m = classifyMessage({ event: 'RESUME', timestamp: { seconds: 1, microseconds: 2 } });
    assert.equal(m.kind, 'event');
    if (m.kind === 'event') assert.deepEqual(m.event.data, {});
    assert.equal(classifyMessage({ event: 'X', data: [1] }).kind, 'malformed');
    assert.equal(classifyMessage({ event: 5 }).kind, 'malformed');
  });

  test('anything else is malformed, with a reason, never a throw', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /not JSON/],
      ['', /not JSON/],
      ['[1,2]', /an array/],
      ['null', /null/],
      ['42', /number/],
      ['{"foo": 1, "bar": 2}', /keys: foo, bar/],
      ['{}', /keys: none/],
    ];
    for (const [line, reason] of cases) {
      const m = parseMessage(line);
      assert.equal(m.kind, 'malformed', line);
      if (m.kind === 'malformed') assert.match(m.reason, reason, line);
    }
  });
});

describe('encodeCommand', () => {
  test('one line, execute + arguments + id', () => {
    const line = encodeCommand('balloon', { value: 1024 }, 5);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(JSON.parse(line), { execute: 'balloon', arguments: { value: 1024 }, id: 5 });
  });

  test('no arguments key when there are none; newlines in strings stay escaped', () => {
    assert.deepEqual(JSON.parse(encodeCommand('query-status', undefined, 1)), { execute: 'query-status', id: 1 });
    const line = encodeCommand('qom-set', { value: 'a\nb' }, 2);
    assert.equal(line.split('\n').length, 2);
  });
});
