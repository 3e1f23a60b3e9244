import { spawn, type ChildProcess } from 'node:child_process';
import { open, readdir } from 'node:fs/promises';
import type { HostJournal } from './journal/journal.js';
import { join } from 'node:path';
import { tryReadTextOnce } from './fsio.js';
import type { HostPaths } from './paths.js';
import { isSameProcessAlive, processStartTime } from './process-identity.js';

/** Pids whose command line contains `marker` (how restore finds a process whose pid was never journaled). */
export async function findByMarker(paths: HostPaths, marker: string): Promise<number[]> {
  const out: number[] = [];
  const names = await readdir(paths.proc).catch(() => [] as string[]);
  for (const n of names) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    const cmd = await tryReadTextOnce(join(paths.proc, n, 'cmdline'));
    if (cmd !== undefined && cmd.split('\0').some((a) => a.includes(marker))) out.push(Number(n));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a long-lived process of ours whose journal entry (`procId`, recorded before this call, with a marker in its
 * argv) is completed with its pid and start time once it runs. Its own process group (detached): a Ctrl-C to us does
 * not kill it, restore does. stdout/stderr go to `outputFile` (stdout may be dropped).
 */
export async function spawnJournaled(
  journal: HostJournal,
  procId: number,
  command: string,
  args: readonly string[],
  o: { outputFile: string; stdout?: boolean; env?: NodeJS.ProcessEnv },
): Promise<{ child: ChildProcess; pid: number; startTime: string | null }> {
  const out = await open(o.outputFile, 'w');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', o.stdout === false ? 'ignore' : out.fd, out.fd],
    ...(o.env ? { env: o.env } : {}),
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  await out.close();
  await spawned;
  child.unref();
  const pid = child.pid as number;
  const startTime = await processStartTime(journal.paths.proc, pid);
  await journal.update(procId, { pid, startTime });
  return { child, pid, startTime };
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; only if the pid is still the same process. Returns what it did. */
export async function stopProcess(
  paths: HostPaths,
  pid: number,
  startTime: string | null,
  graceMs = 5000,
): Promise<string | undefined> {
  if (!(await isSameProcessAlive(paths.proc, pid, startTime))) return undefined;
  const st = startTime ?? (await processStartTime(paths.proc, pid));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return undefined;
  }
  for (let waited = 0; waited < graceMs; waited += 50) {
    await sleep(50);
    if (!(await isSameProcessAlive(paths.proc, pid, st))) return `stopped pid ${pid}`;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return `stopped pid ${pid}`;
  }
  for (let waited = 0; waited < 5000; waited += 50) {
    await sleep(50);
    if (!(await isSameProcessAlive(paths.proc, pid, st))) break;
  }
  return `killed pid ${pid}`;
}
