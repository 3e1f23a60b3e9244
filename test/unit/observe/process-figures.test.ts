import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REAL_PATHS } from '../../../src/host/paths.js';
import { ProcessFigureCache } from '../../../src/observe/process-figures.js';

test('ProcessFigureCache: a new pid is read at once, then every 5th tick; a pid that left is forgotten', async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'ovc-procfig-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  await mkdir(join(proc, '7'));
  const status = (kb: number) =>
    writeFile(join(proc, '7', 'status'), `Name:\tqemu\nVmRSS:\t  ${kb} kB\nVmSwap:\t 0 kB\n`);
  await status(100);
  const cache = new ProcessFigureCache({ ...REAL_PATHS, proc }, 5);
  assert.equal(cache.refresh([7]).get(7)?.rssBytes, 100 * 1024, 'read on first sight');
  const seen: number[] = [];
  for (let i = 0; i < 10; i++) {
    await status(200 + i);
    seen.push((cache.refresh([7]).get(7)?.rssBytes ?? 0) / 1024);
  }
  // ticks 2..11; pid 7 is due where (7 + tick) % 5 === 0: ticks 3 and 8
  assert.deepEqual(seen, [100, 201, 201, 201, 201, 201, 206, 206, 206, 206]);
  assert.equal(cache.refresh([]).size, 0);
});
