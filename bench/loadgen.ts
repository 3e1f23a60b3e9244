/**
 * bench/loadgen: our memcached load generator against memcaslap (libmemcached's memaslap), same server, same
 * connections, same value size, one core each: memcached -t 1, memcaslap -T 1, our generator in this (single-threaded)
 * node process. Each tool gets a fresh memcached and runs for the same time; prints ops/s and ours/memcaslap.
 *   node --import tsx bench/loadgen.ts [--connections 16] [--seconds 10] [--value 1024] [--depth 1] [--rounds 1]
 * --depth > 1 pipelines our requests (memcaslap keeps one request in flight per connection).
 */
import { spawn } from 'node:child_process';
import { LocalMemcached, which } from '../test/helpers/memcached.js';
import { createLedger, fillKeys, runMemcachedLoad } from '../src/lab/workloads/memcached/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const connections = arg('connections', 16);
const seconds = arg('seconds', 10);
const valueBytes = arg('value', 1024);
const depth = arg('depth', 1);
const rounds = arg('rounds', 1);
const keySpace = 10_000;

async function memcaslap(port: number): Promise<{ opsPerSec: number; line: string }> {
  const args = [
    '-s',
    `127.0.0.1:${port}`,
    '-T',
    '1',
    '-c',
    String(connections),
    '-t',
    `${seconds}s`,
    '-X',
    String(valueBytes),
  ];
  const child = spawn('memcaslap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const m = /Run time: .*?Ops: (\d+) TPS: (\d+)/.exec(out);
  if (code !== 0 || !m) throw new Error(`memcaslap ${args.join(' ')} failed (exit ${code}):\n${out}`);
  return { opsPerSec: Number(m[2]), line: m[0] };
}

async function ours(port: number): Promise<{ opsPerSec: number; line: string }> {
  const config = {
    port,
    connectionsPerTarget: connections,
    pipelineDepth: depth,
    getRatio: 0.9,
    keySpace,
    access: { kind: 'uniform' as const },
    valueSize: { kind: 'fixed' as const, bytes: valueBytes },
    durationS: seconds,
  };
  const ledger = createLedger(config);
  await fillKeys(config, ledger); // memcaslap's gets hit too (get_misses: 0): compare hits with hits
  const r = await runMemcachedLoad(config, { ledger });
  const l = r.latency;
  return {
    opsPerSec: r.opsPerSec,
    line:
      `ops ${r.ops} ops/s ${Math.round(r.opsPerSec)} errors ${r.errors} misses ${r.misses} p50 ${l.p50Us} us ` +
      `p99 ${l.p99Us} us; integrity ${JSON.stringify(r.integrity)}`,
  };
}

async function onFreshServer<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const m = await LocalMemcached.start({ threads: 1, memoryMb: 256 });
  try {
    return await fn(m.port);
  } finally {
    await m.stop();
  }
}

for (const cmd of ['memcached', 'memcaslap'])
  if (!(await which(cmd))) throw new Error(`${cmd} is not installed: apt-get install memcached libmemcached-tools`);

console.log(
  `memcached -t 1; ${connections} connections, ${valueBytes}-byte values, 90% gets, ${seconds} s each` +
    (depth > 1 ? `; ours pipelines ${depth} per connection` : ''),
);
const ratios: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const them = await onFreshServer(memcaslap);
  const us = await onFreshServer(ours);
  const ratio = us.opsPerSec / them.opsPerSec;
  ratios.push(ratio);
  console.log(`round ${round}`);
  console.log(`  memcaslap: ${Math.round(them.opsPerSec)} ops/s  (${them.line})`);
  console.log(`  ours:      ${Math.round(us.opsPerSec)} ops/s  (${us.line})`);
  console.log(`  ours/memcaslap: ${ratio.toFixed(2)}`);
}
if (rounds > 1)
  console.log(`mean ours/memcaslap over ${rounds} rounds: ${(ratios.reduce((a, b) => a + b) / rounds).toFixed(2)}`);
