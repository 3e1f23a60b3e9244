import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isElf, NotElfError, parseElfDeps } from '../../../../src/guest/image/elf.js';

test('parseElfDeps reads the interpreter and DT_NEEDED of a real dynamically linked binary (node)', async () => {
  const deps = parseElfDeps(await readFile(process.execPath));
  assert.equal(deps.interpreter, '/lib64/ld-linux-x86-64.so.2');
  assert.ok(deps.needed.includes('libc.so.6'), deps.needed.join(' '));
  assert.ok(deps.needed.includes('libstdc++.so.6') || deps.needed.includes('libm.so.6'), deps.needed.join(' '));
});

test('parseElfDeps on a shared library has no interpreter but its own needs', async () => {
  const libm = await readFile('/lib/x86_64-linux-gnu/libm.so.6');
  const deps = parseElfDeps(libm);
  assert.equal(deps.interpreter, undefined);
  assert.ok(deps.needed.includes('libc.so.6'));
});

test('non-ELF input is refused with NotElfError', () => {
  assert.equal(isElf(Buffer.from('#!/bin/sh\necho hi\n'.padEnd(80))), false);
  assert.throws(() => parseElfDeps(Buffer.from('not an elf'.padEnd(80))), NotElfError);
  const elf32 = Buffer.alloc(80);
  elf32.writeUInt32BE(0x7f454c46, 0);
  elf32[4] = 1; // ELFCLASS32
  elf32[5] = 1;
  assert.throws(() => parseElfDeps(elf32), /64-bit/);
});
