import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HostReadError } from '../../../src/errors.js';
import { exists, readDirFiles, readText, tryReadText } from '../../../src/host/fsio.js';
import { fixturePath } from '../fixtures.js';

describe('fsio reads (fixture files only)', () => {
  test('readDirFiles: every file of the 6.18 KSM directory, name -> text', async () => {
    const files = await readDirFiles(fixturePath('6.18', 'ksm'));
    assert.ok(files);
    assert.equal(Object.keys(files).length, 24);
    assert.equal(files.pages_sharing, '16320\n');
    assert.equal(files.advisor_mode, '[none] scan-time\n');
  });

  test('readDirFiles: the 6.1 KSM directory has the 14 files of 6.1', async () => {
    const files = await readDirFiles(fixturePath('6.1', 'ksm'));
    assert.deepEqual(Object.keys(files ?? {}).sort(), [
      'full_scans',
      'max_page_sharing',
      'merge_across_nodes',
      'pages_shared',
      'pages_sharing',
      'pages_to_scan',
      'pages_unshared',
      'pages_volatile',
      'run',
      'sleep_millisecs',
      'stable_node_chains',
      'stable_node_chains_prune_millisecs',
      'stable_node_dups',
      'use_zero_pages',
    ]);
  });

  test('readDirFiles: a missing directory -> undefined; subdirectories are skipped', async () => {
    assert.equal(await readDirFiles(fixturePath('6.18', 'no-such-dir')), undefined);
    const top = await readDirFiles(fixturePath('6.18', '.'));
    assert.ok(top);
    assert.equal('ksm' in top, false);
    assert.equal('proc-swaps' in top, true);
  });

  test('readText of a missing file is a HostReadError naming it; tryReadText gives undefined', async () => {
    const missing = fixturePath('6.18', 'no-such-file');
    await assert.rejects(
      readText(missing),
      (e: unknown) =>
        e instanceof HostReadError && e.code === 'HOST_READ' && e.message === `cannot read ${missing} (ENOENT)`,
    );
    assert.equal(await tryReadText(missing), undefined);
    assert.equal(await readText(fixturePath('6.18', 'ksm/run')), '1\n');
    assert.equal(await exists(fixturePath('6.18', 'ksm/run')), true);
    assert.equal(await exists(missing), false);
  });
});
