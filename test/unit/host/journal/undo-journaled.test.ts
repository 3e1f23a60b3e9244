/**
 * undoJournaled: what one call journaled is undone newest first and forgotten; the journal's other objects stay.
 * Runs on a journal in a temp state folder over empty kernel roots (files and folders only: no kernel state).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostJournal, loadJournal } from '../../../../src/host/journal/journal.js';
import { undoJournaled } from '../../../../src/host/journal/restore.js';
import type { HostPaths } from '../../../../src/host/paths.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

test('undoJournaled removes exactly the given objects and forgets them', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ovc-undo-'));
  try {
    const kernel = join(root, 'kernel');
    const paths: HostPaths = { sys: kernel, proc: kernel, dev: kernel, cgroupFs: kernel };
    const stateDir = join(root, 'state');
    const j = await HostJournal.begin(paths, stateDir, 'test');
    const keep = join(root, 'keep');
    const dir = join(root, 'guest');
    const file = join(dir, 'disk.img');
    const keepId = await j.record({ kind: 'dir', path: keep });
    await mkdir(keep);
    const dirId = await j.record({ kind: 'dir', path: dir });
    await mkdir(dir);
    const fileId = await j.record({ kind: 'file', path: file });
    await writeFile(file, 'x');
    await undoJournaled(j, [dirId, fileId]);
    assert.equal(await exists(dir), false);
    assert.equal(await exists(keep), true, 'an object of another call is kept');
    const data = await loadJournal(stateDir);
    assert.deepEqual(
      data?.objects.map((o) => o.id),
      [keepId],
    );
    await undoJournaled(j, [keepId]);
    assert.equal(await exists(keep), false);
    assert.equal(await loadJournal(stateDir), undefined, 'an empty journal is removed');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
