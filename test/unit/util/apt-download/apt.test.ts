import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  debFileName,
  isLibraryPackage,
  parseAptDepends,
  parseAptPolicy,
} from '../../../../src/util/apt-download/apt.js';

const fixture = (n: string) => readFile(new URL(`../../../fixtures/debian-12/${n}`, import.meta.url), 'utf8');

test('parseAptDepends takes Depends and PreDepends, skips virtual packages and provider lines', async () => {
  const d = parseAptDepends(await fixture('apt-cache-depends-memcached.txt'));
  assert.deepEqual(d.get('memcached'), [
    'init-system-helpers',
    'adduser',
    'lsb-base',
    'perl',
    'libc6',
    'libevent-2.1-7',
    'libsasl2-2',
    'libssl3',
  ]);
  assert.deepEqual(d.get('libsasl2-2'), ['libsasl2-modules-db', 'libc6']);
});

test('parseAptDepends takes the first of alternatives', () => {
  const d = parseAptDepends('foo\n |Depends: liba1\n  Depends: libb1\n  Depends: libc6\n');
  assert.deepEqual(d.get('foo'), ['liba1', 'libc6']);
});

test('parseAptPolicy reads candidates and (none)', async () => {
  const p = parseAptPolicy(await fixture('apt-cache-policy.txt'));
  assert.equal(p.get('memcached'), '1.6.18-1+deb12u1');
  assert.equal(p.get('linux-image-amd64'), '6.1.192-2');
  assert.equal(p.get('nonexistent-pkg-xyz'), undefined);
  assert.equal(parseAptPolicy('x:\n  Installed: (none)\n  Candidate: (none)\n').get('x'), undefined);
});

test('isLibraryPackage keeps shared-library packages only', () => {
  for (const p of ['libc6', 'libevent-2.1-7', 'zlib1g', 'libssl3']) assert.ok(isLibraryPackage(p), p);
  for (const p of [
    'perl',
    'adduser',
    'libperl5.36',
    'libfile-find-rule-perl',
    'libpython3.11-stdlib',
    'libaudit-common',
    'libssl-dev',
  ])
    assert.ok(!isLibraryPackage(p), p);
});

test('debFileName encodes the epoch colon as apt-get download does', () => {
  assert.equal(
    debFileName('busybox-static', '1:1.35.0-4+deb12u1+b1', 'amd64'),
    'busybox-static_1%3a1.35.0-4+deb12u1+b1_amd64.deb',
  );
});
