import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  commandLine,
  ControlProtocolError,
  encodeRequest,
  parseResponse,
  shellQuote,
} from '../../../../src/guest/exec-channel/protocol.js';

test('shellQuote survives a real shell: every argument arrives unchanged', () => {
  const argv = ['printf', '%s|', "it's", 'a b', '$HOME', '`id`', '"q"', 'x;y', ''];
  const r = spawnSync('sh', ['-c', commandLine(argv)]);
  assert.equal(r.stdout.toString(), 'it\'s|a b|$HOME|`id`|"q"|x;y||');
  assert.equal(shellQuote('/proc/meminfo'), '/proc/meminfo');
});

test('encodeRequest: token, space, base64 of the script, newline', () => {
  assert.equal(encodeRequest('t0k', 'echo hi'), `t0k ${Buffer.from('echo hi').toString('base64')}\n`);
});

test('parseResponse: waits for the whole body, then splits stdout and stderr by length', () => {
  const full = Buffer.from('OVC1 3 6 4\nhello\nerr\n');
  assert.equal(parseResponse(full.subarray(0, 5)), undefined);
  assert.equal(parseResponse(full.subarray(0, 15)), undefined);
  assert.deepEqual(parseResponse(full), { exitCode: 3, stdout: 'hello\n', stderr: 'err\n' });
  // multi-byte output is counted in bytes, as the guest's wc -c counts it
  const u = Buffer.concat([Buffer.from('OVC1 0 3 0\n'), Buffer.from('é\n')]);
  assert.deepEqual(parseResponse(u), { exitCode: 0, stdout: 'é\n', stderr: '' });
});

test('parseResponse: a bad header is a protocol error', () => {
  assert.throws(() => parseResponse(Buffer.from('HTTP/1.1 400 Bad Request\r\n')), ControlProtocolError);
  assert.throws(() => parseResponse(Buffer.alloc(300, 65)), ControlProtocolError);
});
