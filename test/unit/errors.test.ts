import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CommandError,
  HostReadError,
  HostWriteError,
  MissingFeatureError,
  NotOursError,
  NotRootError,
  OvercommitError,
  UsageError,
  errorMessage,
  isOvercommitError,
} from '../../src/errors.js';

describe('errors', () => {
  test('UsageError: code, name, hint, context, one line', () => {
    const e = new UsageError("invalid size '12XB'", 'use 512M', { value: '12XB' });
    assert.ok(e instanceof OvercommitError);
    assert.equal(e.code, 'USAGE');
    assert.equal(e.name, 'UsageError');
    assert.deepEqual(e.context, { value: '12XB' });
    assert.equal(e.oneLine(), "invalid size '12XB': use 512M");
    assert.equal(errorMessage(e), "invalid size '12XB': use 512M");
  });

  test('an empty hint leaves the message alone', () => {
    assert.equal(new OvercommitError('USAGE', 'bad', '').oneLine(), 'bad');
  });

  test('the named errors carry their codes and sentences', () => {
    const root = new NotRootError('apply zram');
    assert.equal(root.code, 'NOT_ROOT');
    assert.equal(root.message, 'apply zram needs root');
    const mf = new MissingFeatureError('zswap', 'use a kernel built with CONFIG_ZSWAP');
    assert.equal(mf.code, 'MISSING_FEATURE');
    assert.equal(mf.message, 'zswap is not available on this host');
    const w = new HostWriteError('/sys/kernel/mm/ksm/merge_across_nodes', '0', 'EBUSY', 'unmerge first');
    assert.equal(w.message, "cannot write '0' to /sys/kernel/mm/ksm/merge_across_nodes (EBUSY)");
    assert.deepEqual(w.context, { path: '/sys/kernel/mm/ksm/merge_across_nodes', value: '0', reason: 'EBUSY' });
    const r = new HostReadError('/proc/swaps', 'ENOENT');
    assert.equal(r.hint, 'check that the kernel interface exists (overcommit doctor)');
    assert.equal(new NotOursError('cgroup /x').message, 'cgroup /x was not created by overcommit');
  });

  test('CommandError: the command line, exit status and the last three stderr lines', () => {
    const e = new CommandError('swapon', ['-p', '10', '/x.swap'], 255, 'one\ntwo\nthree\nfour\n', 'see dmesg');
    assert.equal(e.code, 'COMMAND_FAILED');
    assert.equal(e.message, "'swapon -p 10 /x.swap' failed (exit 255): two | three | four");
    assert.equal(new CommandError('mkswap', ['/x'], null, '  ', 'h').message, "'mkswap /x' failed (exit signal)");
  });

  test('errorMessage and isOvercommitError for anything thrown', () => {
    assert.equal(errorMessage(new Error('plain')), 'plain');
    assert.equal(errorMessage('text'), 'text');
    assert.equal(errorMessage(42), '42');
    assert.equal(isOvercommitError(new UsageError('a', 'b')), true);
    assert.equal(isOvercommitError(new Error('a')), false);
  });
});
