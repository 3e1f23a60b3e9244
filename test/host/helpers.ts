import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { HostJournal, loadJournal } from '../../src/host/journal/journal.js';
import { REAL_PATHS } from '../../src/host/paths.js';
import { restoreHost } from '../../src/host/journal/restore.js';
import { diffSnapshots, hostSnapshot } from '../../src/host/journal/snapshot.js';
import { exists } from '../../src/host/fsio.js';

export const paths = REAL_PATHS;
export const REPO = new URL('../..', import.meta.url).pathname;

/**
 * Host tests need root and real kernel features. Without them they skip with the reason — unless
 * OVERCOMMIT_REQUIRE_HOST=1 (CI), where a test that cannot run fails.
 */
export async function requireHost(
  t: TestContext,
  needs: Array<'root' | 'ksm' | 'zram' | 'zswap' | 'cgroup' | 'python3' | 'qemu'>,
): Promise<boolean> {
  const missing: string[] = [];
  for (const n of needs) {
    if (n === 'root' && process.getuid?.() !== 0) missing.push('root');
    if (n === 'ksm' && !(await exists('/sys/kernel/mm/ksm/run'))) missing.push('KSM');
    if (n === 'zram' && !(await exists('/sys/class/zram-control/hot_add'))) missing.push('zram-control');
    if (n === 'zswap' && !(await exists('/sys/module/zswap/parameters/enabled'))) missing.push('zswap');
    if (
      n === 'cgroup' &&
      !(await exists('/sys/fs/cgroup/memory/memory.limit_in_bytes')) &&
      !(await exists('/sys/fs/cgroup/cgroup.controllers'))
    )
      missing.push('memory cgroup');
    if (n === 'python3' && !(await whichOk('python3'))) missing.push('python3');
    if (n === 'qemu' && !(await whichOk('qemu-system-x86_64'))) missing.push('qemu-system-x86_64');
  }
  if (missing.length === 0) return true;
  const why = `needs ${missing.join(', ')}`;
  if (process.env.OVERCOMMIT_REQUIRE_HOST === '1')
    assert.fail(`host test cannot run (${why}) and OVERCOMMIT_REQUIRE_HOST=1`);
  t.skip(why);
  return false;
}

async function whichOk(cmd: string): Promise<boolean> {
  for (const d of (process.env.PATH ?? '').split(':')) if (d && (await exists(join(d, cmd)))) return true;
  return false;
}

export async function tempStateDir(): Promise<string> {
  // On the disk (not tmpfs) so swap files can live beside the journal.
  return mkdtemp(join(process.env.OVERCOMMIT_TEST_DIR ?? '/var/tmp', 'ovc-test-'));
}

/**
 * Runs `fn` with a fresh journal and asserts afterwards (also when `fn` failed) that restore returned the host to
 * exactly the snapshot taken before.
 */
export async function withJournal(
  label: string,
  fn: (j: HostJournal, stateDir: string) => Promise<void>,
): Promise<void> {
  const before = await hostSnapshot(paths);
  const stateDir = await tempStateDir();
  let failure: unknown;
  try {
    const j = await HostJournal.begin(paths, stateDir, label);
    await fn(j, stateDir);
  } catch (e) {
    failure = e;
  }
  try {
    await restoreHost(paths, stateDir);
    assert.equal(await loadJournal(stateDir), undefined, 'restore removed the journal');
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), [], 'host is back to its snapshot');
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
}

export interface Hog {
  pid: number;
  child: ChildProcessWithoutNullStreams;
  /** Lets it allocate, resolves when its memory is filled. */
  go(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the memory-load helper (test/helpers/memhog.py); it allocates only after go(). */
export function startHog(mb: number, pattern: 'dup' | 'mixed', mergeable = false): Hog {
  const args = [join(REPO, 'test/helpers/memhog.py'), String(mb), pattern];
  if (mergeable) args.push('mergeable');
  const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    pid: child.pid as number,
    child,
    async go() {
      child.stdin.write('go\n');
      const deadline = Date.now() + 120_000;
      while (!out.includes('ready')) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`memhog died (${child.exitCode ?? child.signalCode}): ${err}`);
        if (Date.now() > deadline) throw new Error('memhog not ready after 120 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
