import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, UsageError } from '../../../errors.js';
import type { HostJournal } from '../../../host/journal/journal.js';
import { fetchKsmtuned, type KsmtunedPackage } from './fetch.js';
import { claimKsmtunedKnobs } from './knobs.js';
import { parseKsmtunedLog, type KsmtunedLog } from './log.js';
import { patchKsmtunedScript } from './patch.js';
import { isSameProcessAlive } from '../../../host/process-identity.js';
import { spawnJournaled } from '../../../host/processes.js';
import { parseKbTable } from '../../../host/procfs.js';
import { undoJournaled } from '../../../host/journal/restore.js';

export { fetchKsmtuned, type KsmtunedPackage } from './fetch.js';
export { parseKsmtunedLog, parseKsmtunedLogLine, type KsmtunedLog, type KsmtunedTick } from './log.js';
export { patchKsmtunedScript, KsmtunedPatchError } from './patch.js';
export { syntheticMeminfo, writeSyntheticMeminfo, type SyntheticMeminfo } from './meminfo.js';

/** ksmtuned's own settings (its environment; unset ones take the script's defaults: 60, 300, -50, 64, 1250, 10, 20, 2048). */
export interface KsmtunedEnv {
  KSM_MONITOR_INTERVAL?: number;
  KSM_NPAGES_BOOST?: number;
  KSM_NPAGES_DECAY?: number;
  KSM_NPAGES_MIN?: number;
  KSM_NPAGES_MAX?: number;
  KSM_SLEEP_MSEC?: number;
  KSM_THRES_COEF?: number;
  KSM_THRES_CONST?: number;
}

/** What our QEMU guests look like to `pgrep -f`: their command line starts with qemu-system-x86_64. */
export const LAB_QEMU_PATTERN = '^qemu-system';

export interface KsmtunedOptions {
  /** Where its folder goes (script, pid file, log); default the journal's state dir. */
  stateDir?: string;
  /** The meminfo file it reads; MemTotal is read once at start, so it must exist and hold the final total. */
  meminfoPath: string;
  env?: KsmtunedEnv;
  /** pgrep -f pattern for the processes whose RSS is "committed"; default LAB_QEMU_PATTERN. */
  processPattern?: string;
  /** DEBUG=1 with LOGFILE in its folder (default true): what readLog() parses. */
  debug?: boolean;
  /** The unmodified script (fetchKsmtuned().script); fetched into the cache when not given. */
  scriptPath?: string;
  cacheDir?: string;
  startTimeoutMs?: number;
}

export interface KsmtunedHandle {
  pid: number;
  startTime: string | null;
  dir: string;
  logFile: string;
  pidFile: string;
  /** The script's patches, one line each (for the report). */
  changes: string[];
  /** The knobs claimed in the journal before it started. */
  knobs: string[];
  /** The environment it runs with. */
  env: Record<string, string>;
  alive(): Promise<boolean>;
  /** SIGUSR1: ksmtuned re-tunes at once instead of at the end of its interval. */
  retune(): void;
  readLog(): Promise<KsmtunedLog>;
  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL its process group. */
  stop(timeoutMs?: number): Promise<'stopped' | 'killed' | 'exited'>;
}

/** The process environment for the patched script. Pure; throws UsageError on a value bash arithmetic cannot take. */
export function ksmtunedEnvironment(o: {
  env?: KsmtunedEnv;
  meminfoPath: string;
  pidFile: string;
  logFile: string;
  debug: boolean;
  processPattern: string;
  path?: string;
}): Record<string, string> {
  const out: Record<string, string> = {
    PATH: o.path ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LC_ALL: 'C',
    KSM_CONF: '',
    KSM_MEMINFO: o.meminfoPath,
    KSM_QEMU_PATTERN: o.processPattern,
    PIDFILE: o.pidFile,
    LOGFILE: o.logFile,
    DEBUG: o.debug ? '1' : '',
  };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) continue;
    const okInterval = k === 'KSM_MONITOR_INTERVAL' && Number.isFinite(v) && v > 0;
    const okInt = k !== 'KSM_MONITOR_INTERVAL' && Number.isInteger(v) && (k === 'KSM_NPAGES_DECAY' || v >= 0);
    if (!/^KSM_[A-Z_]+$/.test(k) || !(okInterval || okInt))
      throw new UsageError(
        `ksmtuned setting ${k}=${v}`,
        'use whole numbers (KSM_NPAGES_DECAY may be negative; KSM_MONITOR_INTERVAL is seconds > 0)',
      );
    out[k] = String(v);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kill(2) that tolerates a process that has just exited. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

async function tail(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n').slice(-5).join('\n');
}

/**
 * Starts the real ksmtuned (Debian's script, patched: see patch.ts) as `bash SCRIPT MARKER`, journaled like
 * a QEMU guest: its folder and its process are recorded before they exist, so restore stops it and removes them
 * after a crash; the KSM knobs it writes are claimed first so restore puts them back.
 */
export async function startKsmtuned(journal: HostJournal, o: KsmtunedOptions): Promise<KsmtunedHandle> {
  const meminfo = await readFile(o.meminfoPath, 'utf8').catch(() => '');
  if (!((parseKbTable(meminfo).MemTotal ?? 0) > 0))
    throw new UsageError(
      `${o.meminfoPath} has no MemTotal`,
      'write it first (writeSyntheticMeminfo): ksmtuned reads MemTotal once, at start',
    );
  const pkg: Pick<KsmtunedPackage, 'script'> = o.scriptPath
    ? { script: o.scriptPath }
    : await fetchKsmtuned(o.cacheDir ? { cacheDir: o.cacheDir } : {});
  const { script, changes } = patchKsmtunedScript(await readFile(pkg.script, 'utf8'));
  const marker = `ovc-ksmtuned-${randomBytes(6).toString('hex')}`;
  const dir = join(o.stateDir ?? journal.stateDir, marker);
  const pidFile = join(dir, 'ksmtuned.pid');
  const logFile = join(dir, 'ksmtuned.log');
  const env = ksmtunedEnvironment({
    ...(o.env ? { env: o.env } : {}),
    meminfoPath: o.meminfoPath,
    pidFile,
    logFile,
    debug: o.debug ?? true,
    processPattern: o.processPattern ?? LAB_QEMU_PATTERN,
    ...(process.env.PATH ? { path: process.env.PATH } : {}),
  });
  const knobs = await claimKsmtunedKnobs(journal);
  const ids: number[] = [];
  try {
    ids.push(await journal.record({ kind: 'dir', path: dir }));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const scriptFile = join(dir, 'ksmtuned.sh');
    await writeFile(scriptFile, script, { mode: 0o600 });
    const procId = await journal.record({
      kind: 'process',
      pid: null,
      startTime: null,
      marker,
      command: 'ksmtuned (peer)',
    });
    ids.push(procId);
    const outPath = join(dir, 'ksmtuned.out');
    const args = [scriptFile, marker];
    // Its own process group (like QEMU guests): a Ctrl-C to the lab does not kill it, restore does.
    const { child, pid, startTime } = await spawnJournaled(journal, procId, 'bash', args, { outputFile: outPath, env });
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    const deadline = Date.now() + (o.startTimeoutMs ?? 5000);
    for (;;) {
      if ((await readFile(pidFile, 'utf8').catch(() => '')).trim() === String(pid)) break;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline)
        throw new CommandError('bash', args, child.exitCode, await tail(outPath), `see ${outPath}`);
      await sleep(20);
    }
    const alive = () => isSameProcessAlive(journal.paths.proc, pid, startTime);
    return {
      pid,
      startTime,
      dir,
      logFile,
      pidFile,
      changes,
      knobs,
      env,
      alive,
      retune: () => signal(pid, 'SIGUSR1'),
      readLog: async () => parseKsmtunedLog(await readFile(logFile, 'utf8').catch(() => '')),
      async stop(timeoutMs = 5000) {
        if (!(await alive())) return 'exited';
        signal(pid, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
        if (!done) {
          signal(-pid, 'SIGKILL'); // its group: bash and its pending sleep
          await exited;
        }
        await journal.forget([procId]);
        return done ? 'stopped' : 'killed';
      },
    };
  } catch (e) {
    await undoJournaled(journal, ids);
    throw e;
  }
}
