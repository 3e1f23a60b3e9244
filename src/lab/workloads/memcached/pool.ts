import type { MemcachedLoadConfig } from './config.js';
import { MemcachedConnection, type ConnectionEvents } from './connection.js';

/** A connection and the index of its target in config.targets. */
export interface PoolSlot<R> {
  readonly conn: MemcachedConnection<R>;
  readonly target: number;
}

/**
 * Opens config.connectionsPerTarget connections to every target, all at once. If any cannot connect, closes the
 * others and throws the first MemcachedLoadError. `events` gets each connection's target and its index in the result.
 */
export async function openPool<R>(
  config: MemcachedLoadConfig,
  events: (target: number, slot: number) => ConnectionEvents<R>,
): Promise<PoolSlot<R>[]> {
  const slots: PoolSlot<R>[] = [];
  config.targets.forEach((t, target) => {
    for (let i = 0; i < config.connectionsPerTarget; i++) {
      const conn = new MemcachedConnection<R>(
        t,
        { connectTimeoutMs: config.connectTimeoutMs, reconnectWindowMs: config.reconnectWindowS * 1000 },
        events(target, slots.length),
      );
      slots.push({ conn, target });
    }
  });
  const opened = await Promise.allSettled(slots.map((s) => s.conn.open()));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    closePool(slots);
    throw failed.reason;
  }
  return slots;
}

export function closePool<R>(slots: readonly PoolSlot<R>[]): void {
  for (const s of slots) s.conn.close();
}
