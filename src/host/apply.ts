import { join } from 'node:path';
import { MissingFeatureError, UsageError } from '../errors.js';
import { exists } from './fsio.js';
import type { HostJournal } from './journal/journal.js';
import { applyKsm, readKsm } from './mechanisms/ksm.js';
import type { HostPaths } from './paths.js';
import { describeStep, type Plan } from './presets.js';
import { checkSwapLocation, createSwapFile } from './mechanisms/swapfile.js';
import { readSwaps } from './swaps.js';
import { applyUksm, readUksm } from './mechanisms/uksm.js';
import { createZramSwap, listZramIndices, zramAlgorithms } from './mechanisms/zram.js';
import { applyZswap, checkZswapBacking, isZswapOff, readZswap } from './mechanisms/zswap.js';

/** Finds a program on PATH (and the sbin directories, where util-linux puts swapon). */
export async function findProgram(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) if (d && (await exists(join(d, name)))) return join(d, name);
  return undefined;
}

async function needPrograms(names: string[]): Promise<void> {
  for (const n of names) {
    if (!(await findProgram(n))) throw new MissingFeatureError(`the program ${n}`, 'apt-get install util-linux');
  }
}

/**
 * Read-only checks of everything a plan needs, run before the journal exists: a missing kernel feature or a bad
 * path is reported with no host change at all.
 */
export async function preflight(paths: HostPaths, plan: Plan): Promise<void> {
  let swapComing = false;
  for (const s of plan.steps) {
    switch (s.op) {
      case 'ksm':
        // Turning off a KSM the kernel lacks is already done.
        if (!(await readKsm(paths)).present && s.settings.run !== 0)
          throw new MissingFeatureError('KSM', 'use a kernel built with CONFIG_KSM');
        break;
      case 'uksm':
        if (!(await readUksm(paths)).present && !(await readKsm(paths)).present)
          throw new MissingFeatureError('KSM (and UKSM)', 'use a kernel built with CONFIG_KSM');
        break;
      case 'swapfile': {
        await needPrograms(['fallocate', 'mkswap', 'swapon', 'swapoff']);
        await checkSwapLocation(s.path, s.sizeBytes);
        swapComing = true;
        break;
      }
      case 'zram': {
        await needPrograms(['mkswap', 'swapon', 'swapoff']);
        const hasControl = await exists(join(paths.sys, 'class/zram-control/hot_add'));
        if (!hasControl && (await listZramIndices(paths)).length === 0) {
          throw new MissingFeatureError('zram', 'load the module: modprobe zram');
        }
        const algs = await zramAlgorithms(paths);
        if (s.algorithm !== undefined && algs && !algs.includes(s.algorithm)) {
          throw new UsageError(
            `zram algorithm '${s.algorithm}' is not offered by this kernel`,
            `use one of: ${algs.join(', ')}`,
          );
        }
        swapComing = true;
        break;
      }
      case 'zswap': {
        if (!(await readZswap(paths)).present && !isZswapOff(s.settings))
          throw new MissingFeatureError('zswap', 'use a kernel built with CONFIG_ZSWAP');
        if (s.settings.enabled && !swapComing) checkZswapBacking(await readSwaps(paths));
        break;
      }
    }
  }
}

/** Runs the steps of a plan through the journal. Returns one line per step done. */
export async function executePlan(
  journal: HostJournal,
  plan: Plan,
  log: (l: string) => void = () => undefined,
): Promise<string[]> {
  const done: string[] = [];
  for (const s of plan.steps) {
    log(describeStep(s));
    switch (s.op) {
      case 'ksm':
        if ((await readKsm(journal.paths)).present)
          await applyKsm(journal, s.settings, { unmergeOnStop: s.unmergeOnStop });
        break;
      case 'uksm': {
        const which = await applyUksm(journal, s.opts);
        log(
          which === 'uksm' ? 'uksm: kernel UKSM started' : 'uksm: no UKSM in this kernel; its features on upstream KSM',
        );
        break;
      }
      case 'swapfile':
        await createSwapFile(journal, s);
        break;
      case 'zram': {
        const dev = await createZramSwap(journal, s);
        log(`zram: /dev/${dev.name} (${dev.algorithm ?? '?'}) is swap`);
        break;
      }
      case 'zswap':
        await applyZswap(journal, s.settings);
        break;
    }
    done.push(describeStep(s));
  }
  return done;
}
