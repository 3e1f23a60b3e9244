import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';

test('exit statuses as the README documents them', () => {
  assert.deepEqual(EXIT, {
    OK: 0,
    INTERNAL: 1,
    USAGE: 2,
    NOT_ROOT: 3,
    MISSING_FEATURE: 4,
    JOURNAL_BUSY: 5,
    JOURNAL_EXISTS: 5,
    JOURNAL_CORRUPT: 5,
    NOT_OURS: 6,
    HOST_WRITE: 6,
    HOST_READ: 6,
    COMMAND_FAILED: 6,
    RESTORE_INCOMPLETE: 7,
    INTERRUPTED: 130,
  });
});
