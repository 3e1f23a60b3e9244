import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { readKsm } from '../../../../src/host/mechanisms/ksm.js';
import { fetchKsmtuned, startKsmtuned, writeSyntheticMeminfo } from '../../../../src/lab/peers/ksmtuned/daemon.js';
import type { KsmtunedPackage } from '../../../../src/lab/peers/ksmtuned/fetch.js';
import { KSMTUNED_KNOBS } from '../../../../src/lab/peers/ksmtuned/knobs.js';
import { SHIPPED_QEMU_PATTERN } from '../../../../src/lab/peers/ksmtuned/patch.js';
import { findByMarker } from '../../../../src/host/processes.js';
import { isSameProcessAlive } from '../../../../src/host/process-identity.js';
import { paths, requireHost, waitFor, withJournal } from '../../helpers.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** A 4 GiB synthetic host: ksmtuned computes thres = 20 % = 838860 kB and sleep = 10 ms x 16 GiB / 4 GiB = 40 ms. */
const TOTAL = 4 * GiB;
const TIGHT = { totalBytes: TOTAL, freeBytes: 256 * MiB, cachedBytes: 64 * MiB };
const PLENTY = { totalBytes: TOTAL, freeBytes: 3 * GiB, cachedBytes: 256 * MiB };

async function ksmtunedOrSkip(t: TestContext): Promise<KsmtunedPackage | undefined> {
  if (!(await requireHost(t, ['root', 'ksm']))) return undefined;
  try {
    return await fetchKsmtuned();
  } catch (e) {
    if (process.env.OVERCOMMIT_REQUIRE_HOST === '1') throw e;
    t.skip(`cannot fetch Debian's ksmtuned: ${(e as Error).message}`);
    return undefined;
  }
}

/** A process that looks like a QEMU guest to `pgrep -f '^qemu-system'`: a copy of sleep named qemu-system-x86_64. */
async function fakeQemu(dir: string): Promise<ChildProcess> {
  const bin = join(dir, 'qemu-system-x86_64');
  await copyFile('/bin/sleep', bin);
  await chmod(bin, 0o755);
  const child = spawn(bin, ['120'], { argv0: 'qemu-system-x86_64', stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  return child;
}

/** Pids whose parent is `pid` (its pending `sleep $KSM_MONITOR_INTERVAL`, a pgrep...). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const n of await readdir('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const st = await readFile(`/proc/${n}/stat`, 'utf8').catch(() => '');
    const ppid = st.slice(st.lastIndexOf(')') + 2).split(' ')[1];
    if (ppid === String(pid)) out.push(Number(n));
  }
  return out;
}

async function allGone(pids: number[]): Promise<boolean> {
  for (const p of pids) if (await isSameProcessAlive(paths.proc, p, null)) return false;
  return true;
}

test('the real ksmtuned, patched: boosts KSM under a tight synthetic host, stops it when memory is plenty, and restore puts KSM back', async (t) => {
  const pkg = await ksmtunedOrSkip(t);
  if (!pkg) return;
  const before = await readKsm(paths);
  await withJournal('test ksmtuned', async (j, stateDir) => {
    const meminfo = join(stateDir, 'meminfo');
    await writeSyntheticMeminfo(meminfo, TIGHT);
    const fake = await fakeQemu(stateDir);
    let kt: Awaited<ReturnType<typeof startKsmtuned>> | undefined;
    try {
      kt = await startKsmtuned(j, { meminfoPath: meminfo, env: { KSM_MONITOR_INTERVAL: 1 }, scriptPath: pkg.script });
      // Journaled before it ran: the knobs it writes are marked for restore, the process carries its pid.
      const touched = j.snapshot().touched;
      for (const k of KSMTUNED_KNOBS) assert.ok(touched.includes(k), `${k} is journaled`);
      const obj = j.objects().find((o) => o.kind === 'process' && o.pid === kt?.pid);
      assert.ok(obj, 'the ksmtuned process is in the journal');

      await waitFor('ksmtuned to start KSM', async () => (await readKsm(paths)).settings.run === 1, 15_000);
      const seen: number[] = [];
      await waitFor(
        'pages_to_scan to reach KSM_NPAGES_MAX',
        async () => {
          const k = await readKsm(paths);
          const p = k.settings.pages_to_scan as number;
          if (seen.at(-1) !== p) seen.push(p);
          return p === 1250;
        },
        20_000,
      );
      assert.deepEqual(seen, [300, 600, 900, 1200, 1250], 'boost +300 per tick, clamped at 1250');
      assert.equal((await readKsm(paths)).settings.sleep_millisecs, 40);

      const tight = await kt.readLog();
      assert.deepEqual(tight.setup, { totalKb: 4194304, sleepMs: 40, thresKb: 838860 });
      const boosts = tight.ticks.filter((x) => x.action === 'boost');
      assert.deepEqual(
        boosts.slice(0, 5).map((x) => x.pagesToScan),
        [300, 600, 900, 1200, 1250],
      );
      assert.ok(
        boosts.every((x) => x.committedKb > 0 && x.freeKb === 327680),
        `committed counts the fake qemu: ${JSON.stringify(boosts[0])}`,
      );
      t.diagnostic(`tight: ${JSON.stringify(boosts.slice(0, 5))}`);

      await writeSyntheticMeminfo(meminfo, PLENTY);
      kt.retune(); // SIGUSR1: re-tune now
      await waitFor('ksmtuned to stop KSM', async () => (await readKsm(paths)).settings.run === 0, 15_000);
      const plenty = await kt.readLog();
      const stop = plenty.ticks.find((x) => x.action === 'stop');
      assert.ok(stop && stop.freeKb === 3407872, `a stop tick: ${JSON.stringify(plenty.ticks.at(-1))}`);
      t.diagnostic(`plenty: ${JSON.stringify(stop)}`);
      // It does not reset pages_to_scan when it stops KSM.
      assert.equal((await readKsm(paths)).settings.pages_to_scan, 1250);

      const kids = await childrenOf(kt.pid);
      assert.equal(await kt.stop(), 'stopped');
      assert.deepEqual(await findByMarker(paths, kt.dir.split('/').at(-1) as string), []);
      assert.ok(await waitFor('its sleep to exit', () => allGone(kids), 5000));
      assert.equal(
        j.objects().some((o) => o.kind === 'process'),
        false,
        'a clean stop drops the process from the journal',
      );
    } finally {
      await kt?.stop();
      fake.kill('SIGKILL');
    }
  });
  const after = await readKsm(paths);
  assert.deepEqual(
    [after.settings.run, after.settings.pages_to_scan, after.settings.sleep_millisecs],
    [before.settings.run, before.settings.pages_to_scan, before.settings.sleep_millisecs],
  );
});

test('restore stops a ksmtuned left running and puts KSM back; the shipped process match does not see our guests', async (t) => {
  const pkg = await ksmtunedOrSkip(t);
  if (!pkg) return;
  const before = await readKsm(paths);
  let pid = 0;
  let marker = '';
  let kids: number[] = [];
  await withJournal('test ksmtuned restore', async (j, stateDir) => {
    const meminfo = join(stateDir, 'meminfo');
    await writeSyntheticMeminfo(meminfo, TIGHT);
    const fake = await fakeQemu(stateDir);
    try {
      const kt = await startKsmtuned(j, {
        meminfoPath: meminfo,
        env: { KSM_MONITOR_INTERVAL: 1 },
        scriptPath: pkg.script,
        processPattern: SHIPPED_QEMU_PATTERN,
      });
      pid = kt.pid;
      marker = kt.dir.split('/').at(-1) as string;
      const first = await waitFor('a first tick', async () => (await kt.readLog()).ticks[0], 15_000);
      assert.equal(first.committedKb, 0, 'unpatched, a qemu-system process without -enable-kvm counts for nothing');
      assert.equal(first.action, 'boost', 'free < thres starts KSM whatever is committed');
      assert.equal((await readKsm(paths)).settings.run, 1);
      kids = await childrenOf(pid);
      // No stop(): withJournal's restore must find and stop it, as after a crash.
    } finally {
      fake.kill('SIGKILL');
    }
  });
  assert.equal(await isSameProcessAlive(paths.proc, pid, null), false, 'restore stopped ksmtuned');
  assert.deepEqual(await findByMarker(paths, marker), []);
  assert.ok(await waitFor('its children to exit', () => allGone(kids), 5000));
  const after = await readKsm(paths);
  assert.deepEqual(after.settings, before.settings);
});
