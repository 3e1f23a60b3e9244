import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tryReadText } from './fsio.js';
import type { HostPaths } from './paths.js';
import { isSameProcessAlive, processStartTime } from './process-identity.js';

/** Pids whose command line contains `marker` (how restore finds a process whose pid was never journaled). */
export async function findByMarker(paths: HostPaths, marker: string): Promise<number[]> {
  const out: number[] = [];
  const names = await readdir(paths.proc).catch(() => [] as string[]);
  for (const n of names) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    const cmd = await tryReadText(join(paths.proc, n, 'cmdline'));
    if (cmd !== undefined && cmd.split('\0').some((a) => a.includes(marker))) out.push(Number(n));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
