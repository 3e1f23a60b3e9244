import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSwapPath } from '../../../../src/host/mechanisms/swapfile.js';
import { usageError } from '../../fixtures.js';

describe('checkSwapPath (pure: no filesystem access)', () => {
  test('an absolute path on a data directory is returned normalized', () => {
    assert.equal(checkSwapPath('/var/lib/overcommit/swap.img'), '/var/lib/overcommit/swap.img');
    assert.equal(checkSwapPath('/var//lib/./overcommit/swap.img'), '/var/lib/overcommit/swap.img');
    assert.equal(checkSwapPath('/etc/../var/tmp/s.swap'), '/var/tmp/s.swap');
    assert.equal(checkSwapPath('/swapfile'), '/swapfile');
  });

  test('a name that only starts like a system directory is fine', () => {
    assert.equal(checkSwapPath('/etcetera/swap'), '/etcetera/swap');
    assert.equal(checkSwapPath('/usrdata/swap'), '/usrdata/swap');
    assert.equal(checkSwapPath('/srv/run/swap'), '/srv/run/swap');
  });

  for (const root of ['/proc', '/sys', '/dev', '/etc', '/usr', '/boot', '/bin', '/sbin', '/lib', '/lib64', '/run']) {
    test(`${root} and anything under it is refused`, () => {
      assert.throws(() => checkSwapPath(`${root}/swap.img`), usageError(new RegExp(`is inside ${root}$`)));
      assert.throws(() => checkSwapPath(root), usageError(new RegExp(`^swap path '${root}' is inside ${root}$`)));
      assert.throws(() => checkSwapPath(`/var/..${root}/x`), usageError(new RegExp(`is inside ${root}$`)));
    });
  }

  test('a relative path is refused', () => {
    assert.throws(() => checkSwapPath('swap.img'), usageError(/^swap path 'swap.img' is not absolute$/));
    assert.throws(() => checkSwapPath('./var/swap'), usageError(/is not absolute/));
    assert.throws(() => checkSwapPath(''), usageError(/^swap path '' is not absolute$/));
  });

  test('a directory (trailing slash, or /) is refused', () => {
    assert.throws(() => checkSwapPath('/var/tmp/'), usageError(/^swap path '\/var\/tmp\/' is a directory$/));
    assert.throws(() => checkSwapPath('/'), usageError(/is a directory/));
  });
});
