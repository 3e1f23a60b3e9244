import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { hasPvhEntry } from '../../../../src/guest/image/elf.js';
import { findXzPayload } from '../../../../src/guest/image/vmlinux.js';

/** A minimal ELF64 with one PT_NOTE holding a single note (name, type). */
function elfWithNote(name: string, type: number): Buffer {
  const nameBytes = Buffer.from(name + '\0');
  const namePad = Math.ceil(nameBytes.length / 4) * 4;
  const note = Buffer.alloc(12 + namePad + 4);
  note.writeUInt32LE(nameBytes.length, 0);
  note.writeUInt32LE(4, 4);
  note.writeUInt32LE(type, 8);
  nameBytes.copy(note, 12);
  const h = Buffer.alloc(64 + 56);
  h.writeUInt32BE(0x7f454c46, 0);
  h[4] = 2;
  h[5] = 1;
  h.writeBigUInt64LE(64n, 0x20); // e_phoff
  h.writeUInt16LE(56, 0x36);
  h.writeUInt16LE(1, 0x38);
  h.writeUInt32LE(4, 64); // PT_NOTE
  h.writeBigUInt64LE(BigInt(h.length), 64 + 8); // p_offset
  h.writeBigUInt64LE(BigInt(note.length), 64 + 32); // p_filesz
  return Buffer.concat([h, note]);
}

test('hasPvhEntry finds the Xen PHYS32_ENTRY note (type 18) and nothing else', () => {
  assert.equal(hasPvhEntry(elfWithNote('Xen', 18)), true);
  assert.equal(hasPvhEntry(elfWithNote('Xen', 6)), false);
  assert.equal(hasPvhEntry(elfWithNote('GNU', 18)), false);
  assert.equal(hasPvhEntry(Buffer.alloc(100)), false);
});

test('hasPvhEntry is false for an ordinary program (node has notes, none of them Xen)', async () => {
  assert.equal(hasPvhEntry(await readFile(process.execPath)), false);
});

test('findXzPayload finds the XZ stream magic inside a bzImage-like buffer', () => {
  const b = Buffer.concat([Buffer.from('MZ setup code'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])]);
  assert.equal(findXzPayload(b), 13);
  assert.equal(findXzPayload(Buffer.from('gzip only \x1f\x8b')), -1);
});
