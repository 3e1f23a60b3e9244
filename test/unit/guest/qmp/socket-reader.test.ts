import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SocketReader } from '../../../../src/guest/qmp/socket-reader.js';

test('SocketReader: chunks read before attach are copied out of the shared buffer and handed over in order', () => {
  const reader = new SocketReader();
  const { buffer, callback } = reader.onread;
  buffer.write('{"QMP": ', 0);
  assert.equal(callback(8, buffer), true, 'never pauses the socket');
  buffer.write('{}}\r\n', 0); // the next read reuses the buffer
  callback(5, buffer);
  buffer.write('XXXXXXXX', 0);
  const got: string[] = [];
  reader.attach((chunk) => got.push(Buffer.from(chunk).toString()));
  assert.deepEqual(got, ['{"QMP": ', '{}}\r\n']);
  buffer.write('{"return": {}}\r\n', 0);
  callback(16, buffer);
  assert.deepEqual(got.slice(2), ['{"return": {}}\r\n'], 'after attach: straight to the sink, only the bytes read');
});
