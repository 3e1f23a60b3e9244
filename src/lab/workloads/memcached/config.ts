import { UsageError } from '../../../errors.js';
import { VALUE_HEADER_BYTES } from './value.js';

/** One memcached server (one guest). */
export interface MemcachedTarget {
  host: string;
  port: number;
}

/** How keys are picked: uniformly, or Zipf-skewed (theta 0 = uniform; 0.99 is YCSB's default). */
export type KeyAccess = { kind: 'uniform' } | { kind: 'zipf'; theta: number };

/** Value sizes in bytes, header included. Sizes are deterministic per (key, version). */
export type ValueSizeSpec = { kind: 'fixed'; bytes: number } | { kind: 'uniform'; minBytes: number; maxBytes: number };

/**
 * What the value bytes after the header are made of. Shares add up to 1.
 * - duplicated: the same bytes in every value of every guest (KSM can merge whole pages of it);
 * - compressible: repetitive text, different per key/version/guest (zram/zswap compress it, KSM cannot merge it);
 * - random: pseudo-random bytes per key/version/guest (neither merges nor compresses).
 */
export interface ContentMix {
  duplicatedShare: number;
  compressibleShare: number;
  randomShare: number;
}

/** Closed loop: every connection keeps `pipelineDepth` requests in flight. Rate: `opsPerSec` in total, open loop. */
export type LoadMode = { kind: 'closed' } | { kind: 'rate'; opsPerSec: number };

export interface MemcachedLoadConfig {
  targets: MemcachedTarget[];
  connectionsPerTarget: number;
  /** Requests in flight per connection. */
  pipelineDepth: number;
  /** Share of GETs among operations; the rest are SETs. */
  getRatio: number;
  /** Keys per target: every target (guest) holds its own copy of the whole key space. */
  keySpace: number;
  keyPrefix: string;
  access: KeyAccess;
  valueSize: ValueSizeSpec;
  content: ContentMix;
  mode: LoadMode;
  /** Length of the measured phase. */
  durationS: number;
  /** runMemcachedLoad writes every key once (unmeasured) before the measured phase. */
  fill: boolean;
  /** Seeds key choice, value sizes and value content: the same seed gives the same bytes. */
  seed: number;
  /** Keys per multi-get when reading everything back. */
  verifyBatchKeys: number;
  connectTimeoutMs: number;
  /** How long a lost connection may take to come back before the run ends with an error; 0: fail at once. */
  reconnectWindowS: number;
  /** After the deadline (or stop), how long replies still in flight are awaited. */
  drainTimeoutMs: number;
  /** Fill and read-back fail when requests are in flight and no reply came for this long (a hung server). */
  replyTimeoutS: number;
}

/** What callers pass: any subset of the config, with `host`/`port` as a shorthand for one target. */
export interface MemcachedLoadInput extends Partial<Omit<MemcachedLoadConfig, 'targets'>> {
  host?: string;
  port?: number;
  targets?: MemcachedTarget[];
}

type Defaults = Readonly<Omit<MemcachedLoadConfig, 'targets'>> & { host: string; port: number };
export const MEMCACHED_LOAD_DEFAULTS: Defaults = Object.freeze<Defaults>({
  host: '127.0.0.1',
  port: 11211,
  connectionsPerTarget: 4,
  pipelineDepth: 8,
  getRatio: 0.9,
  keySpace: 10_000,
  keyPrefix: 'ovc:',
  access: { kind: 'zipf', theta: 0.9 },
  valueSize: { kind: 'fixed', bytes: 1024 },
  content: { duplicatedShare: 0.3, compressibleShare: 0.4, randomShare: 0.3 },
  mode: { kind: 'closed' },
  durationS: 10,
  fill: false,
  seed: 1,
  verifyBatchKeys: 100,
  connectTimeoutMs: 5000,
  reconnectWindowS: 5,
  drainTimeoutMs: 2000,
  replyTimeoutS: 60,
});

/** memcached's default item size limit (-I 1m); larger values are refused with SERVER_ERROR. */
export const MAX_VALUE_BYTES = 1024 * 1024;
export const MAX_KEY_SPACE = 50_000_000;
const MAX_KEY_BYTES = 250;
const KNOWN_FIELDS = new Set<string>([
  'host',
  'port',
  'targets',
  ...Object.keys(MEMCACHED_LOAD_DEFAULTS).filter((k) => k !== 'host' && k !== 'port'),
]);

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  try {
    return JSON.stringify(v);
  } catch {
    return 'an unprintable object';
  }
}

function bad(field: string, value: unknown, expected: string): never {
  throw new UsageError(
    `memcached load: ${field} must be ${expected}, got ${show(value)}`,
    `fix ${field} in the memcached workload settings`,
    { field, value },
  );
}

function int(field: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    bad(field, v, `an integer from ${min} to ${max}`);
}

function num(field: string, v: unknown, min: number, max: number, minExclusive = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v > max || (minExclusive ? v <= min : v < min))
    bad(field, v, `a number ${minExclusive ? 'above' : 'from'} ${min}${minExclusive ? ' and up to' : ' to'} ${max}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws UsageError naming the first bad field and its value. */
export function validateLoadConfig(c: MemcachedLoadConfig): void {
  if (!Array.isArray(c.targets) || c.targets.length === 0)
    bad('targets', c.targets, 'a non-empty list of {host, port}');
  if (c.targets.length > 256) bad('targets', c.targets.length, 'at most 256 targets');
  c.targets.forEach((t, i) => {
    if (!isObject(t)) bad(`targets[${i}]`, t, 'an object {host, port}');
    if (typeof t.host !== 'string' || t.host.trim() === '' || /\s/.test(t.host))
      bad(`targets[${i}].host`, t.host, 'a host name or address');
    int(`targets[${i}].port`, t.port, 1, 65535);
  });
  int('connectionsPerTarget', c.connectionsPerTarget, 1, 1024);
  int('pipelineDepth', c.pipelineDepth, 1, 1024);
  num('getRatio', c.getRatio, 0, 1);
  int('keySpace', c.keySpace, 1, MAX_KEY_SPACE);
  if (typeof c.keyPrefix !== 'string' || !/^[\x21-\x7e]*$/.test(c.keyPrefix))
    bad('keyPrefix', c.keyPrefix, 'printable ASCII without spaces');
  if (c.keyPrefix.length + String(c.keySpace - 1).length > MAX_KEY_BYTES)
    bad('keyPrefix', c.keyPrefix, `short enough for keys of at most ${MAX_KEY_BYTES} bytes`);

  if (!isObject(c.access)) bad('access', c.access, "{ kind: 'uniform' } or { kind: 'zipf', theta }");
  if (c.access.kind === 'zipf') num('access.theta', c.access.theta, 0, 5);
  else if (c.access.kind !== 'uniform') bad('access.kind', (c.access as { kind: unknown }).kind, "'uniform' or 'zipf'");

  if (!isObject(c.valueSize)) bad('valueSize', c.valueSize, "{ kind: 'fixed', bytes } or { kind: 'uniform', ... }");
  if (c.valueSize.kind === 'fixed') int('valueSize.bytes', c.valueSize.bytes, VALUE_HEADER_BYTES, MAX_VALUE_BYTES);
  else if (c.valueSize.kind === 'uniform') {
    int('valueSize.minBytes', c.valueSize.minBytes, VALUE_HEADER_BYTES, MAX_VALUE_BYTES);
    int('valueSize.maxBytes', c.valueSize.maxBytes, VALUE_HEADER_BYTES, MAX_VALUE_BYTES);
    if (c.valueSize.maxBytes < c.valueSize.minBytes)
      bad('valueSize.maxBytes', c.valueSize.maxBytes, `at least valueSize.minBytes (${c.valueSize.minBytes})`);
  } else bad('valueSize.kind', (c.valueSize as { kind: unknown }).kind, "'fixed' or 'uniform'");

  if (!isObject(c.content)) bad('content', c.content, '{ duplicatedShare, compressibleShare, randomShare }');
  num('content.duplicatedShare', c.content.duplicatedShare, 0, 1);
  num('content.compressibleShare', c.content.compressibleShare, 0, 1);
  num('content.randomShare', c.content.randomShare, 0, 1);
  const sum = c.content.duplicatedShare + c.content.compressibleShare + c.content.randomShare;
  if (Math.abs(sum - 1) > 1e-6) bad('content', c.content, `shares adding up to 1 (they add up to ${sum})`);

  if (!isObject(c.mode)) bad('mode', c.mode, "{ kind: 'closed' } or { kind: 'rate', opsPerSec }");
  if (c.mode.kind === 'rate') num('mode.opsPerSec', c.mode.opsPerSec, 0, 10_000_000, true);
  else if (c.mode.kind !== 'closed') bad('mode.kind', (c.mode as { kind: unknown }).kind, "'closed' or 'rate'");

  num('durationS', c.durationS, 0, 7 * 24 * 3600, true);
  if (typeof c.fill !== 'boolean') bad('fill', c.fill, 'true or false');
  int('seed', c.seed, 0, 0xffffffff);
  int('verifyBatchKeys', c.verifyBatchKeys, 1, 1000);
  int('connectTimeoutMs', c.connectTimeoutMs, 1, 600_000);
  num('reconnectWindowS', c.reconnectWindowS, 0, 3600);
  int('drainTimeoutMs', c.drainTimeoutMs, 0, 600_000);
  num('replyTimeoutS', c.replyTimeoutS, 0, 3600, true);
}

/** Fills in defaults and validates: throws UsageError naming the field and the bad value. */
export function resolveLoadConfig(input: MemcachedLoadInput | MemcachedLoadConfig = {}): MemcachedLoadConfig {
  if (!isObject(input)) bad('config', input, 'an object');
  for (const k of Object.keys(input)) if (!KNOWN_FIELDS.has(k)) bad(k, input[k], 'a known setting (unknown field)');
  const i = input as MemcachedLoadInput;
  const single = i.host !== undefined || i.port !== undefined;
  if (i.targets !== undefined && single) bad('targets', i.targets, 'given alone: either targets or host/port');
  const d = MEMCACHED_LOAD_DEFAULTS;
  const c: MemcachedLoadConfig = {
    targets: i.targets ?? [{ host: i.host ?? d.host, port: i.port ?? d.port }],
    connectionsPerTarget: i.connectionsPerTarget ?? d.connectionsPerTarget,
    pipelineDepth: i.pipelineDepth ?? d.pipelineDepth,
    getRatio: i.getRatio ?? d.getRatio,
    keySpace: i.keySpace ?? d.keySpace,
    keyPrefix: i.keyPrefix ?? d.keyPrefix,
    access: i.access ?? d.access,
    valueSize: i.valueSize ?? d.valueSize,
    content: i.content ?? d.content,
    mode: i.mode ?? d.mode,
    durationS: i.durationS ?? d.durationS,
    fill: i.fill ?? d.fill,
    seed: i.seed ?? d.seed,
    verifyBatchKeys: i.verifyBatchKeys ?? d.verifyBatchKeys,
    connectTimeoutMs: i.connectTimeoutMs ?? d.connectTimeoutMs,
    reconnectWindowS: i.reconnectWindowS ?? d.reconnectWindowS,
    drainTimeoutMs: i.drainTimeoutMs ?? d.drainTimeoutMs,
    replyTimeoutS: i.replyTimeoutS ?? d.replyTimeoutS,
  };
  validateLoadConfig(c);
  return c;
}

/** Mean value size in bytes. */
export function meanValueBytes(v: ValueSizeSpec): number {
  return v.kind === 'fixed' ? v.bytes : (v.minBytes + v.maxBytes) / 2;
}

/** Keys needed so that writing each once stores about `bytes` of values (per target): for sizing a fill. */
export function keySpaceForBytes(bytes: number, v: ValueSizeSpec): number {
  return Math.max(1, Math.min(MAX_KEY_SPACE, Math.ceil(bytes / meanValueBytes(v))));
}

export function targetLabel(t: MemcachedTarget): string {
  return `${t.host}:${t.port}`;
}
