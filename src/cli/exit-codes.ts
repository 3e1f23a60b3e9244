import type { ErrorCode } from '../errors.js';

/** The one place error codes become process exit statuses (documented in the README). */
export const EXIT: Record<ErrorCode | 'OK' | 'INTERNAL' | 'INTERRUPTED', number> = {
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
};
