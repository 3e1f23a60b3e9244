import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  expandGlob,
  hasGlob,
  matchGlob,
  matchSegment,
  planGlob,
  type DirEntry,
} from '../../../../src/guest/managed/glob.js';

describe('matchSegment', () => {
  test('* matches any run of characters, including none', () => {
    assert.ok(matchSegment('*.qmp', 'vm1.qmp'));
    assert.ok(matchSegment('*.qmp', '.qmp') === false, 'a leading dot needs a pattern that starts with one');
    assert.ok(matchSegment('vm*', 'vm'));
    assert.ok(matchSegment('a*b*c', 'a-x-b-y-c'));
    assert.ok(matchSegment('*', 'anything'));
    assert.ok(!matchSegment('*.qmp', 'vm1.qmp.old'));
    assert.ok(!matchSegment('vm*', 'xvm1'));
  });

  test('other characters are literal, regex metacharacters included', () => {
    assert.ok(matchSegment('vm.[1]+(x)*', 'vm.[1]+(x)-a'));
    assert.ok(!matchSegment('vm.1*', 'vmx1'));
    assert.ok(matchSegment('exact', 'exact'));
    assert.ok(!matchSegment('exact', 'exactly'));
  });

  test('dot files only for patterns that start with a dot; never . or ..', () => {
    assert.ok(!matchSegment('*', '.hidden'));
    assert.ok(matchSegment('.*', '.hidden'));
    assert.ok(!matchSegment('*', '.'));
    assert.ok(!matchSegment('.*', '..'));
  });
});

describe('planGlob', () => {
  test('literal leading segments become the base', () => {
    assert.deepEqual(planGlob('/run/overcommit/*.qmp'), { base: '/run/overcommit', segments: ['*.qmp'] });
    assert.deepEqual(planGlob('/var/lib/overcommit/guests/*/qmp.sock'), {
      base: '/var/lib/overcommit/guests',
      segments: ['*', 'qmp.sock'],
    });
    assert.deepEqual(planGlob('/*/x'), { base: '/', segments: ['*', 'x'] });
  });

  test('no * : the path itself; relative patterns and double slashes are normalized', () => {
    assert.deepEqual(planGlob('/run//vm.qmp'), { base: '/run/vm.qmp', segments: [] });
    assert.deepEqual(planGlob('vms/*.qmp', '/srv'), { base: '/srv/vms', segments: ['*.qmp'] });
    assert.equal(hasGlob('/a/b'), false);
    assert.equal(hasGlob('/a/*'), true);
  });
});

/** A directory tree as a map: folder -> entries (a trailing / marks a folder). */
function fakeFs(tree: Record<string, string[]>) {
  const calls: string[] = [];
  const list = (dir: string): Promise<DirEntry[]> => {
    calls.push(dir);
    return Promise.resolve((tree[dir] ?? []).map((e) => ({ name: e.replace(/\/$/, ''), maybeDir: e.endsWith('/') })));
  };
  return { list, calls };
}

describe('expandGlob', () => {
  const fs = fakeFs({
    '/run/vms': ['a.qmp', 'b.qmp', 'b.qmp.bak', '.c.qmp', 'sub/'],
    '/var/lib/ovc/guests': ['a1/', 'a2/', 'file', '.trash/'],
    '/var/lib/ovc/guests/a1': ['qmp.sock', 'serial.log'],
    '/var/lib/ovc/guests/a2': ['serial.log'],
  });

  test('a * in the last segment: sorted matches', async () => {
    assert.deepEqual(await expandGlob('/run/vms/*.qmp', fs.list), ['/run/vms/a.qmp', '/run/vms/b.qmp']);
  });

  test('a * in a folder segment walks only into folders; the rest is joined as written', async () => {
    assert.deepEqual(await expandGlob('/var/lib/ovc/guests/*/qmp.sock', fs.list), [
      '/var/lib/ovc/guests/a1/qmp.sock',
      '/var/lib/ovc/guests/a2/qmp.sock', // not listed: the caller checks that each path is a socket
    ]);
    assert.deepEqual(await expandGlob('/var/lib/ovc/guests/*/*.sock', fs.list), ['/var/lib/ovc/guests/a1/qmp.sock']);
  });

  test('a missing base folder matches nothing; a pattern without * is returned as it is', async () => {
    assert.deepEqual(await expandGlob('/nowhere/*.qmp', fs.list), []);
    assert.deepEqual(await expandGlob('/run/vms/missing.qmp', fs.list), ['/run/vms/missing.qmp']);
  });

  test('matchGlob passes on what the listing says each match is', async () => {
    const list = (dir: string): Promise<DirEntry[]> =>
      Promise.resolve(
        dir === '/run/vms'
          ? [
              { name: 'a.qmp', maybeDir: false, type: 'socket' },
              { name: 'b.qmp', maybeDir: true, type: 'symlink' },
              { name: 'c.qmp', maybeDir: false, type: 'other' },
            ]
          : [],
      );
    assert.deepEqual(await matchGlob('/run/vms/*.qmp', list), [
      { path: '/run/vms/a.qmp', type: 'socket' },
      { path: '/run/vms/b.qmp', type: 'symlink' },
      { path: '/run/vms/c.qmp', type: 'other' },
    ]);
    assert.deepEqual(await matchGlob('/run/*/x.qmp', () => Promise.resolve([{ name: 'vms', maybeDir: true }])), [
      { path: '/run/vms/x.qmp' },
    ]);
  });

  test('the real directory reader: a missing folder is empty, not an error', async () => {
    assert.deepEqual(await expandGlob('/nonexistent-ovc-dir/*/x.qmp'), []);
  });
});
