/**
 * fio's JSON output (`--output-format=json`, fio 3.x) -> our FioResult per job. Pure. Latency percentiles are fio's
 * completion latency (clat_ns: what fio reports percentiles for by default); mean is the total latency (lat_ns).
 */
import { OvercommitError } from '../../../errors.js';
import type { FioResult, LatencySummary } from '../results.js';

export class FioOutputError extends OvercommitError {
  constructor(message: string) {
    super('COMMAND_FAILED', `fio output: ${message}`, 'check that the guest has the fio layer and a scratch disk');
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function latency(dir: Json): LatencySummary | undefined {
  const clat = isObj(dir.clat_ns) ? dir.clat_ns : undefined;
  const lat = isObj(dir.lat_ns) ? dir.lat_ns : undefined;
  const count = num(clat?.N);
  if (!clat || count === 0) return undefined;
  const pct = isObj(clat.percentile) ? clat.percentile : {};
  const p = (k: string) => num(pct[k]) / 1000;
  return {
    count,
    p50Us: p('50.000000'),
    p90Us: p('90.000000'),
    p99Us: p('99.000000'),
    p999Us: p('99.900000'),
    maxUs: num(lat?.max ?? clat.max) / 1000,
    meanUs: num(lat?.mean ?? clat.mean) / 1000,
  };
}

/** Parses fio's JSON; text before the JSON (fio's warnings on stdout) is skipped. */
export function parseFioJson(text: string): FioResult[] {
  const start = text.indexOf('{');
  if (start < 0) throw new FioOutputError('no JSON in the output');
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(start));
  } catch (e) {
    throw new FioOutputError(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(doc) || !Array.isArray(doc.jobs)) throw new FioOutputError('no "jobs" array');
  return doc.jobs.map((j: unknown, i) => {
    if (!isObj(j) || !isObj(j.read) || !isObj(j.write)) throw new FioOutputError(`job ${i} lacks read/write`);
    if (num(j.error) !== 0) throw new FioOutputError(`job ${String(j.jobname)} failed with error ${num(j.error)}`);
    const r: FioResult = {
      job: typeof j.jobname === 'string' ? j.jobname : `job${i}`,
      readIops: num(j.read.iops),
      writeIops: num(j.write.iops),
      readBwBytesPerSec: num(j.read.bw_bytes),
      writeBwBytesPerSec: num(j.write.bw_bytes),
    };
    const rl = latency(j.read);
    const wl = latency(j.write);
    if (rl) r.readLatency = rl;
    if (wl) r.writeLatency = wl;
    return r;
  });
}

/** The lab's fio jobs: written first so the reads find data, 4k random at QD16, 1M sequential at QD4. */
export const FIO_JOBS = [
  { name: 'seq-write-1m', rw: 'write', bs: '1M', iodepth: 4 },
  { name: 'rand-write-4k', rw: 'randwrite', bs: '4k', iodepth: 16 },
  { name: 'rand-read-4k', rw: 'randread', bs: '4k', iodepth: 16 },
  { name: 'seq-read-1m', rw: 'read', bs: '1M', iodepth: 4 },
] as const;

/** fio's argument vector: one run, the jobs one after another (stonewall), direct IO on the scratch disk. Pure. */
export function fioArgs(device: string, secondsPerJob: number): string[] {
  const args = [
    'fio',
    '--output-format=json',
    `--filename=${device}`,
    '--direct=1',
    '--ioengine=libaio',
    '--time_based',
    `--runtime=${secondsPerJob}`,
  ];
  for (const j of FIO_JOBS)
    args.push(`--name=${j.name}`, `--rw=${j.rw}`, `--bs=${j.bs}`, `--iodepth=${j.iodepth}`, '--stonewall');
  return args;
}
