/**
 * Host preparation for bench/ksm-converge: the same start for every controller (THP off, KSM off and unmerged with
 * the kernel's defaults), and a guard against QEMU guests that are not ours. KSM is host-wide: another person's
 * guests would be scanned and counted too, and their tools may write the same knobs.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { tryReadText } from '../../src/host/fsio.js';
import type { HostJournal } from '../../src/host/journal/journal.js';
import { applyKsm, readKsm } from '../../src/host/mechanisms/ksm.js';
import type { HostPaths } from '../../src/host/paths.js';
import { KERNEL_KSM_DEFAULTS } from './ksm-converge-controllers.js';

/** THP `never` (journaled): QEMU then backs guest RAM with 4 KiB pages, and KSM does not first split huge pages. */
export async function prepareHost(journal: HostJournal): Promise<string[]> {
  const out: string[] = [];
  if (await journal.setKnob('thp/enabled', 'never')) out.push('thp/enabled = never');
  await applyKsm(journal, { run: 2 }); // unmerge everything (a no-op when nothing is merged)
  await applyKsm(journal, { ...KERNEL_KSM_DEFAULTS, run: 0 });
  const k = await readKsm(journal.paths);
  out.push(
    `KSM off and unmerged: run ${k.settings.run}, pages_sharing ${k.stats.pages_sharing ?? '?'}, pages_to_scan ${k.settings.pages_to_scan}, sleep ${k.settings.sleep_millisecs} ms`,
  );
  return out;
}

/** Pids of qemu-system-* processes other than `ours`. */
export async function foreignQemu(paths: HostPaths, ours: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const n of await readdir(paths.proc).catch(() => [] as string[])) {
    if (!/^\d+$/.test(n) || ours.includes(Number(n))) continue;
    const cmd = await tryReadText(join(paths.proc, n, 'cmdline'));
    const argv0 = cmd?.split('\0')[0];
    if (argv0 && basename(argv0).startsWith('qemu-system')) out.push(Number(n));
  }
  return out;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits until no foreign QEMU runs, up to `waitS`; throws a UsageError after that. */
export async function waitForQuietHost(
  paths: HostPaths,
  waitS: number,
  say: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + waitS * 1000;
  let told = false;
  for (;;) {
    const pids = await foreignQemu(paths, []);
    if (pids.length === 0) return;
    if (Date.now() > deadline)
      throw new UsageError(
        `QEMU processes that are not this bench's are running (pids ${pids.join(', ')})`,
        'KSM is host-wide: wait for them to finish, or pass --allow-foreign to measure anyway (figures include their pages)',
      );
    if (!told)
      say(`waiting up to ${waitS} s for other QEMU guests to finish (pids ${pids.join(', ')}): KSM is host-wide`);
    told = true;
    await sleep(5000, signal);
  }
}
