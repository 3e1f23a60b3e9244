import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JournalDataSchema, JournalObjectSchema } from '../../../../src/host/journal/journal-data.js';

const journal = {
  version: 1,
  label: 'apply zram',
  createdAt: '2025-01-02T03:04:05.000Z',
  owner: { pid: 1234, startTime: '433760', argv: ['node', 'overcommit', 'apply', 'zram'] },
  knobs: { 'ksm/run': '0', 'zswap/enabled': 'N' },
  touched: ['zswap/enabled'],
  objects: [
    { id: 1, kind: 'zram', index: null, existingBefore: [0], hotAdded: true },
    { id: 2, kind: 'swapfile', path: '/var/lib/overcommit/overcommit.swap', sizeBytes: 1073741824 },
    { id: 3, kind: 'cgroup', path: '/sys/fs/cgroup/memory/overcommit', version: 1 },
    { id: 4, kind: 'process', pid: null, startTime: null, marker: 'ovc-123', command: 'qemu' },
    { id: 5, kind: 'file', path: '/var/lib/overcommit/x' },
    { id: 6, kind: 'dir', path: '/var/lib/overcommit/d' },
  ],
  nextId: 7,
};

describe('JournalDataSchema', () => {
  test('a journal with every kind of object parses, keeping every field', () => {
    const parsed = JournalDataSchema.parse(journal);
    assert.equal(parsed.label, 'apply zram');
    assert.deepEqual(parsed.owner, journal.owner);
    assert.deepEqual(parsed.knobs, journal.knobs);
    assert.deepEqual(parsed.touched, ['zswap/enabled']);
    assert.deepEqual(parsed.objects, journal.objects);
    assert.equal(parsed.nextId, 7);
  });

  test('an unknown object kind, a wrong version or a cgroup version 3 is refused', () => {
    assert.equal(JournalObjectSchema.safeParse({ id: 1, kind: 'balloon', path: '/x' }).success, false);
    assert.equal(JournalDataSchema.safeParse({ ...journal, version: 2 }).success, false);
    assert.equal(JournalObjectSchema.safeParse({ id: 1, kind: 'cgroup', path: '/x', version: 3 }).success, false);
  });

  test('a zram object without its index field (must be null, not absent) is refused', () => {
    assert.equal(
      JournalObjectSchema.safeParse({ id: 1, kind: 'zram', existingBefore: [], hotAdded: true }).success,
      false,
    );
  });
});
