import type { MemcachedLoadConfig } from './config.js';
import type { ConnectionEvents } from './connection.js';
import { closePool, openPool, type PoolSlot } from './pool.js';
import { MemcachedLoadError } from './load-error.js';
import type { ReplyStatus } from './protocol.js';

/** A finite batch of requests per target (fill, read-back): what runJob drives through the connections. */
export interface JobWork<R> {
  /** The next request for target t and its wire bytes, or undefined when t has nothing left to send. */
  next(target: number): { req: R; bytes: string | Buffer } | undefined;
  /** value and reply may throw: the job then ends with that error. */
  value(req: R, key: string, data: Buffer): void;
  reply(req: R, status: ReplyStatus, message: string): void;
  /** A request lost with its connection: take it back to send it again. */
  lost(req: R): void;
  /** True while target t still has requests to send. */
  hasMore(target: number): boolean;
}

/**
 * Sends every request of `work` over the pool, `depth` in flight per connection, until nothing is left to send
 * and every reply is in. Lost connections are reopened and their requests sent again; one that cannot be reopened
 * ends the job with its MemcachedLoadError, and so does a server that leaves requests unanswered for replyTimeoutS.
 * An abort ends it with the signal's reason.
 */
export async function runJob<R>(
  config: MemcachedLoadConfig,
  work: JobWork<R>,
  opts: { depth: number; signal?: AbortSignal | undefined },
): Promise<void> {
  opts.signal?.throwIfAborted();
  let slots: PoolSlot<R>[] = [];
  let settle: ((e?: unknown) => void) | undefined;
  let finished = false;
  const done = new Promise<void>((resolve, reject) => {
    settle = (e?: unknown) => {
      if (finished) return;
      finished = true;
      closePool(slots);
      if (e === undefined) resolve();
      else reject(e instanceof Error ? e : new Error(`memcached job failed: ${JSON.stringify(e)}`));
    };
  });
  const pump = (s: PoolSlot<R>) => {
    while (!finished && s.conn.ready && s.conn.inFlight < opts.depth) {
      const n = work.next(s.target);
      if (!n) break;
      s.conn.send(n.req, n.bytes);
    }
  };
  let lastReply = performance.now();
  const stallCheck = setInterval(() => {
    const quietS = (performance.now() - lastReply) / 1000;
    if (quietS < config.replyTimeoutS) return;
    const stuck = slots.find((s) => s.conn.inFlight > 0);
    if (stuck)
      settle?.(
        new MemcachedLoadError(
          `memcached at ${stuck.conn.label} left ${stuck.conn.inFlight} request(s) unanswered for ${Math.round(quietS)} s`,
          'the server (guest) hangs or is starved: see its log and the host memory pressure; raise replyTimeoutS if it is only slow',
          stuck.conn.label,
        ),
      );
  }, 1000);
  stallCheck.unref();
  const checkDone = () => {
    if (finished) return;
    for (const s of slots) if (s.conn.inFlight > 0) return;
    for (let t = 0; t < config.targets.length; t++) if (work.hasMore(t)) return;
    settle?.();
  };
  const pumpTarget = (t: number) => {
    for (const s of slots) if (s.target === t) pump(s);
  };
  const events = (target: number): ConnectionEvents<R> => ({
    value: (req, key, data) => {
      try {
        work.value(req, key, data);
      } catch (e) {
        settle?.(e);
      }
    },
    reply: (req, status, message) => {
      lastReply = performance.now();
      try {
        work.reply(req, status, message);
      } catch (e) {
        settle?.(e);
        return;
      }
      pumpTarget(target);
      checkDone();
    },
    lost: (pending) => {
      for (const r of pending) work.lost(r);
      queueMicrotask(() => {
        pumpTarget(target);
        checkDone();
      });
    },
    reconnected: () => pumpTarget(target),
    failed: (err) => settle?.(err),
  });
  const onAbort = () => settle?.(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    slots = await openPool(config, events);
    if (opts.signal?.aborted) settle?.(opts.signal.reason);
    for (const s of slots) pump(s);
    checkDone();
    await done;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    clearInterval(stallCheck);
    closePool(slots);
  }
}
