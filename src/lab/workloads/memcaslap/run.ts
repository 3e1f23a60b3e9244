import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../util/exec.js';
import { memcaslapConfig, parseMemcaslapOutput, type MemcaslapRun } from './parse.js';

export interface MemcaslapOptions {
  targets: { host: string; port: number }[];
  connectionsPerTarget: number;
  durationS: number;
  valueBytes: number;
  getRatio: number;
  /** Keys per connection (memcaslap's window, -w): bounds what its SETs add to a memcached running with -M. */
  windowKeys?: number;
  signal?: AbortSignal;
}

/** memcaslap's argument vector: one thread per server, the same total connections as our generator. Pure. */
export function memcaslapArgs(o: MemcaslapOptions, configFile: string): string[] {
  return [
    '-s',
    o.targets.map((t) => `${t.host}:${t.port}`).join(','),
    '-T',
    String(o.targets.length),
    '-c',
    String(o.connectionsPerTarget * o.targets.length),
    '-t',
    `${Math.max(1, Math.round(o.durationS))}s`,
    '-F',
    configFile,
    '-w',
    `${Math.max(1, Math.round((o.windowKeys ?? 1000) / 1000))}k`, // memcaslap wants a k/M suffix
    '-S',
    '1s',
  ];
}

/** Runs Debian's memcaslap against the targets and parses its report. */
export async function runMemcaslap(o: MemcaslapOptions): Promise<MemcaslapRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-memcaslap-'));
  try {
    const cfg = join(dir, 'memcaslap.cfg');
    await writeFile(cfg, memcaslapConfig({ keyBytes: 16, valueBytes: o.valueBytes, getRatio: o.getRatio }));
    const r = await run('memcaslap', memcaslapArgs(o, cfg), {
      timeoutMs: (o.durationS + 60) * 1000,
      hint: 'memcaslap comes with Debian libmemcached-tools (scripts/install.sh installs it)',
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return parseMemcaslapOutput(r.stdout + r.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
