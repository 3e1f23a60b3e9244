import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpioArchive, withParentDirs } from '../../../../src/guest/image/cpio.js';

/** Reads a newc archive back: name -> { mode, size, data }. */
function readNewc(buf: Buffer) {
  const out = new Map<string, { mode: number; data: Buffer; rdev: [number, number] }>();
  let off = 0;
  const pad = (n: number) => (4 - (n % 4)) % 4;
  for (;;) {
    assert.equal(buf.toString('ascii', off, off + 6), '070701', `magic at ${off}`);
    const f = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = f(1);
    const size = f(6);
    const rdev: [number, number] = [f(9), f(10)];
    const nameLen = f(11);
    const nameStart = off + 110;
    const name = buf.toString('utf8', nameStart, nameStart + nameLen - 1);
    const dataStart = nameStart + nameLen + pad(110 + nameLen);
    if (name === 'TRAILER!!!') return out;
    out.set(name, { mode, data: buf.subarray(dataStart, dataStart + size), rdev });
    off = dataStart + size + pad(size);
  }
}

test('cpioArchive writes newc entries the kernel can unpack: files, dirs, symlinks, device nodes', () => {
  const a = cpioArchive(
    withParentDirs([
      { type: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { type: 'file', path: 'lib/x86_64-linux-gnu/libc.so.6', data: Buffer.from('abcde') },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
      { type: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    ]),
  );
  assert.equal(a.length % 512, 0);
  const m = readNewc(a);
  assert.deepEqual(
    [...m.keys()],
    ['init', 'lib', 'lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu/libc.so.6', 'bin', 'bin/sh', 'dev', 'dev/console'],
  );
  assert.equal(m.get('init')?.mode, 0o100755);
  assert.equal(m.get('init')?.data.toString(), '#!/bin/sh\n');
  assert.equal(m.get('lib/x86_64-linux-gnu/libc.so.6')?.data.toString(), 'abcde');
  assert.equal(m.get('lib')?.mode, 0o040755);
  assert.equal(m.get('bin/sh')?.mode, 0o120777);
  assert.equal(m.get('bin/sh')?.data.toString(), 'busybox');
  assert.deepEqual(m.get('dev/console')?.rdev, [5, 1]);
});

test('cpioArchive is reproducible (mtime 0): same entries, same bytes', () => {
  const e = [{ type: 'file' as const, path: 'a', data: Buffer.from('x') }];
  assert.deepEqual(cpioArchive(e), cpioArchive(e));
});
