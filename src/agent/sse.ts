/**
 * GET /api/events: a Server-Sent Events stream of what the loop does. On connect: the latest observation, a status
 * line and the recent decisions (oldest first); then each observation (followed by a fresh status) and each decision
 * as they happen, and a heartbeat comment now and then so proxies keep the connection open.
 *
 * Events: `observation` (an Observation), `status` (StatusEvent), `decision` (a TimelineEntry). A client that reads
 * too slowly loses events rather than growing the agent's memory.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AgentEventSource, AgentGuest, AgentSnapshot } from './state.js';

/** The part of the snapshot the dashboard needs besides observations and decisions. */
export interface StatusEvent {
  paused: boolean;
  hostState?: AgentSnapshot['hostState'];
  ticks: number;
  guests: AgentGuest[];
}

export interface EventStreamOptions {
  snapshot: () => AgentSnapshot;
  bus: AgentEventSource;
  /** Interval of the heartbeat comments (ms). */
  heartbeatMs: number;
  /** Events queued for one client beyond which new ones are dropped for it. */
  maxPending?: number;
}

export function statusEvent(s: AgentSnapshot): StatusEvent {
  return {
    paused: s.paused,
    ...(s.hostState !== undefined ? { hostState: s.hostState } : {}),
    ticks: s.loop.ticks,
    guests: s.guests,
  };
}

export function eventStream(c: Context, o: EventStreamOptions, onClose: () => void): Response {
  const maxPending = o.maxPending ?? 256;
  return streamSSE(c, async (stream) => {
    let closed = false;
    let pending = 0;
    let chain: Promise<unknown> = Promise.resolve();
    const enqueue = (write: () => Promise<unknown>): void => {
      if (closed || pending >= maxPending) return;
      pending++;
      chain = chain.then(write).finally(() => pending--);
    };
    const send = (event: string, data: unknown, retry?: number): void =>
      enqueue(() => stream.writeSSE({ event, data: JSON.stringify(data), ...(retry ? { retry } : {}) }));

    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    stream.onAbort(() => {
      closed = true;
      finish();
    });

    const unsubscribe = o.bus.subscribe((e) => {
      send(e.type, e.data);
      if (e.type === 'observation') send('status', statusEvent(o.snapshot()));
    });
    const heartbeat = setInterval(() => enqueue(() => stream.write(': heartbeat\n\n')), o.heartbeatMs);
    try {
      const s = o.snapshot();
      if (s.observation) send('observation', s.observation, 2000);
      send('status', statusEvent(s), s.observation ? undefined : 2000);
      for (const d of s.lastDecisions) send('decision', d);
      await finished;
    } finally {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      onClose();
    }
  });
}
