import { targetLabel, type MemcachedLoadConfig } from './config.js';
import type { ConnectionEvents } from './connection.js';
import { ValueFactory } from './content.js';
import { buildSet } from './fill.js';
import { createKeySampler, keyName } from './keys.js';
import type { KeyLedger } from './ledger.js';
import type { MemcachedLoadError } from './load-error.js';
import { RatePacer } from './pacer.js';
import { closePool, openPool, type PoolSlot } from './pool.js';
import { Prng } from './prng.js';
import type { ReplyStatus } from './protocol.js';
import { PhaseStats, type MemcachedSecondSample } from './stats.js';
import { checkValue } from './value.js';

/** One GET or SET in flight. */
interface Op {
  get: boolean;
  t: number;
  k: number;
  key: string;
  /** GET: the version acknowledged when it was sent (the floor for a hit). SET: its version. */
  v: number;
  /** When the op was sent (closed loop) or due (fixed rate), performance.now() ms. */
  start: number;
  /** GET: 0 no value yet, > 0 sound value of that version, < 0 bad value. */
  seen: number;
  /** GET: the key's SET failures when it was sent. */
  failures: number;
}

const STALE = -100;
const WRONG_KEY = -101;

export interface PhaseOutcome {
  stats: PhaseStats;
  /** Length of the measured window (the configured duration unless stopped early). */
  durationS: number;
  aborted: boolean;
  error?: MemcachedLoadError;
}

export interface PhaseOptions {
  signal?: AbortSignal | undefined;
  onSecond?: ((s: MemcachedSecondSample) => void) | undefined;
}

/**
 * The measured phase: GETs and SETs over every connection for durationS, closed loop or at a fixed rate. Every GET
 * is judged against the ledger (sound, lost, corrupt); every SET's acknowledgement is recorded. Counts only what
 * completes inside the window; replies still in flight at the end are awaited (drainTimeoutMs) for the ledger.
 * Ends early, keeping what it counted, on abort (aborted) or when a connection cannot be reopened (error).
 */
export async function runLoadPhase(
  config: MemcachedLoadConfig,
  ledger: KeyLedger,
  options: PhaseOptions = {},
): Promise<PhaseOutcome> {
  const driver = new LoadDriver(config, ledger, options);
  return driver.run();
}

class LoadDriver {
  private readonly stats: PhaseStats;
  private readonly rng: Prng;
  private readonly sampler: { next(): number };
  private readonly factories: ValueFactory[];
  private slots: PoolSlot<Op>[] = [];
  private t0 = 0;
  private windowEnd = Infinity;
  private stopping = false;
  private finished = false;
  private aborted = false;
  private error: MemcachedLoadError | undefined;
  private pacer: RatePacer | undefined;
  private rr = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private secondTimer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;

  constructor(
    private readonly config: MemcachedLoadConfig,
    private readonly ledger: KeyLedger,
    private readonly options: PhaseOptions,
  ) {
    this.stats = new PhaseStats(options.onSecond);
    this.rng = new Prng(config.seed, 0x10ad);
    this.sampler = createKeySampler(config.access, config.keySpace, this.rng);
    this.factories = config.targets.map((t) => new ValueFactory(config, targetLabel(t)));
  }

  async run(): Promise<PhaseOutcome> {
    const signal = this.options.signal;
    signal?.throwIfAborted();
    const onAbort = () => this.stop('aborted');
    this.slots = await openPool(this.config, (_t, slot) => this.events(slot));
    const ended = new Promise<void>((r) => (this.resolve = r));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.t0 = performance.now();
      const durationMs = this.config.durationS * 1000;
      this.windowEnd = this.t0 + durationMs;
      this.timers.push(setTimeout(() => this.stop('deadline'), durationMs));
      this.scheduleSecond(0);
      if (signal?.aborted) this.stop('aborted');
      else if (this.config.mode.kind === 'rate') {
        this.pacer = new RatePacer(this.config.mode.opsPerSec, this.t0);
        this.timers.push(setInterval(this.pump, 1));
        this.pump();
      } else for (const s of this.slots) this.topUp(s);
      await ended;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.clearTimers();
      closePool(this.slots);
    }
    const durationS =
      this.aborted || this.error ? Math.max(0, (this.windowEnd - this.t0) / 1000) : this.config.durationS;
    this.stats.emitThrough(Math.ceil(durationS - 1e-9) - 1);
    return { stats: this.stats, durationS, aborted: this.aborted, ...(this.error ? { error: this.error } : {}) };
  }

  private scheduleSecond(s: number): void {
    const at = this.t0 + (s + 1) * 1000;
    if (at > this.windowEnd + 1) return;
    const tick = () => {
      // Timers may fire a little before `at` as performance.now() sees it: second s would still be filling.
      const early = at - performance.now();
      if (early > 0) {
        this.secondTimer = setTimeout(tick, Math.ceil(early));
        return;
      }
      this.stats.emitThrough(s);
      if (!this.stopping) this.scheduleSecond(s + 1);
    };
    this.secondTimer = setTimeout(tick, Math.max(0, Math.ceil(at - performance.now())));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    if (this.secondTimer) clearTimeout(this.secondTimer);
  }

  /** Stops sending; finishes when every reply is in, or after drainTimeoutMs. */
  private stop(why: 'deadline' | 'aborted' | 'failed'): void {
    if (this.stopping) return;
    this.stopping = true;
    const now = performance.now();
    if (why !== 'deadline') {
      this.windowEnd = Math.min(this.windowEnd, now);
      if (why === 'aborted') this.aborted = true;
      if (this.secondTimer) clearTimeout(this.secondTimer);
    }
    this.clearTimers();
    this.timers.push(setTimeout(() => this.finish(), this.config.drainTimeoutMs));
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.stopping || this.finished) return;
    for (const s of this.slots) if (s.conn.inFlight > 0 && s.conn.ready) return;
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimers();
    closePool(this.slots);
    this.resolve?.();
  }

  private second(now: number): number {
    return now <= this.t0 ? 0 : Math.floor((now - this.t0) / 1000);
  }

  /** Closed loop: keeps pipelineDepth ops in flight on the connection. */
  private topUp(s: PoolSlot<Op>): void {
    while (!this.stopping && s.conn.ready && s.conn.inFlight < this.config.pipelineDepth)
      this.issue(s, performance.now());
  }

  /** Fixed rate: sends the ops now due on connections with room, round robin. */
  private readonly pump = (): void => {
    const pacer = this.pacer;
    if (!pacer || this.stopping) return;
    let due = pacer.due(performance.now());
    const n = this.slots.length;
    let idle = 0;
    while (due > 0 && idle < n) {
      const s = this.slots[this.rr] as PoolSlot<Op>;
      this.rr = (this.rr + 1) % n;
      if (s.conn.ready && s.conn.inFlight < this.config.pipelineDepth) {
        this.issue(s, pacer.take());
        due--;
        idle = 0;
      } else idle++;
    }
  };

  private issue(s: PoolSlot<Op>, start: number): void {
    const { ledger, config } = this;
    const t = s.target;
    let k = this.sampler.next();
    let get = this.rng.next() < config.getRatio;
    if (!get && ledger.setInFlight(t, k)) {
      // One SET per key in flight at a time, so acknowledgements cannot be reordered: pick another key.
      for (let i = 0; i < 4 && ledger.setInFlight(t, k); i++) k = this.sampler.next();
      if (ledger.setInFlight(t, k)) get = true;
    }
    const key = keyName(config.keyPrefix, k);
    if (get) {
      const op: Op = {
        get,
        t,
        k,
        key,
        v: ledger.ackedVersion(t, k),
        start,
        seen: 0,
        failures: ledger.failureCount(t, k),
      };
      s.conn.send(op, `get ${key}\r\n`);
      return;
    }
    const f = this.factories[t] as ValueFactory;
    const v = ledger.beginSet(t, k);
    s.conn.send({ get, t, k, key, v, start, seen: 0, failures: 0 }, buildSet(f, key, k, v, f.sizeOf(k, v)));
  }

  private events(slot: number): ConnectionEvents<Op> {
    return {
      value: (op, key, data) => this.onValue(op, key, data),
      reply: (op, status) => this.onReply(op, status, slot),
      lost: (pending) => this.onLost(pending),
      reconnected: () => {
        if (this.config.mode.kind === 'closed') for (const s of this.slots) this.topUp(s);
      },
      failed: (err) => {
        this.error ??= err;
        this.stop('failed');
      },
    };
  }

  private onValue(op: Op, key: string, data: Buffer): void {
    if (!op.get) return;
    if (key !== op.key) {
      op.seen = WRONG_KEY;
      return;
    }
    const v = checkValue(data, op.key);
    op.seen = v > 0 && !this.ledger.hitIsCurrent(op.t, op.k, v, op.v) ? STALE : v;
  }

  private onReply(op: Op, status: ReplyStatus, slot: number): void {
    const now = performance.now();
    const counted = now < this.windowEnd;
    const sec = this.second(now);
    const { ledger } = this;
    if (op.get) {
      if (status !== 'END') {
        if (counted) this.stats.error(sec);
      } else {
        const hit = op.seen !== 0;
        const corrupt = op.seen < 0;
        const lost = !hit && ledger.missIsLoss(op.t, op.k, op.v, op.failures);
        if (corrupt) ledger.markCorrupt(op.t, op.k);
        if (lost) ledger.markLost(op.t, op.k);
        if (counted) this.stats.get(sec, (now - op.start) * 1000, hit, lost, corrupt);
      }
    } else if (status === 'STORED') {
      ledger.stored(op.t, op.k, op.v);
      if (counted) this.stats.set(sec, (now - op.start) * 1000);
    } else {
      ledger.setFailed(op.t, op.k);
      if (counted) this.stats.error(sec);
    }
    if (this.stopping) this.maybeFinish();
    else if (this.pacer) this.pump();
    else this.topUp(this.slots[slot] as PoolSlot<Op>);
  }

  private onLost(pending: Op[]): void {
    const now = performance.now();
    const counted = now < this.windowEnd;
    for (const op of pending) {
      if (!op.get) this.ledger.setFailed(op.t, op.k);
      if (counted) this.stats.error(this.second(now));
    }
    if (this.stopping) queueMicrotask(() => this.maybeFinish());
  }
}
