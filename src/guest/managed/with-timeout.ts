/**
 * Timeouts for guest calls, so one guest that hangs its QMP socket, answers garbage or disappears never stalls the
 * loop: a call bounded by its own timer or by a deadline many calls share, a guest whose every call is bounded, the
 * sources listed within a limit, and the shape of a poll's result (polling itself: poller.ts).
 */
import { errorMessage } from '../../errors.js';
import type { GuestStats } from '../qmp/guest-stats.js';
import { GuestTimeoutError, classifyFailure, type GuestFailure } from './errors.js';
import type { GuestSource, GuestSourceKind, ManagedGuest } from './source.js';

export type GuestPollStatus = 'ok' | GuestFailure;

export interface GuestPollSnapshot {
  memoryBytes: number;
  balloonActualBytes: number;
  /** Absent when the guest has not reported statistics yet, has no balloon, or reading them failed (statsError). */
  stats?: GuestStats;
}

export interface GuestPoll {
  name: string;
  source: GuestSourceKind;
  pid?: number;
  status: GuestPollStatus;
  /** Set when status is ok. */
  snapshot?: GuestPollSnapshot;
  /** Why the guest is not ok: one line with the hint. */
  error?: string;
  /** The guest is ok but its statistics could not be read (e.g. the balloon driver is not loaded yet). */
  statsError?: string;
  elapsedMs: number;
}

/**
 * p, or a rejection with onTimeout() when the limit comes first. A number arms a timer of that many ms, which never
 * outlives the race. A promise is a deadline shared by many calls, with no timer of their own: Node wakes up at a
 * cleared timer's time all the same, and on a VM each wake-up costs milliseconds (bench/agent-overhead).
 */
export function withTimeout<T>(p: Promise<T>, limit: number | Promise<void>, onTimeout: () => Error): Promise<T> {
  if (typeof limit !== 'number') {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      p.then(
        (v) => {
          settled = true;
          resolve(v);
        },
        (e: unknown) => {
          settled = true;
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
      // No error (and its stack) is made for the calls that answered in time.
      void limit.then(() => {
        if (!settled) reject(onTimeout());
      });
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), limit);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Calls fn, turning a synchronous throw into a rejection. */
export function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/** The same guest with every call bounded by timeoutMs (rejecting with GuestTimeoutError). */
export function timeboxed(guest: ManagedGuest, timeoutMs: number): ManagedGuest {
  const box = <T>(what: string, fn: () => Promise<T>) =>
    withTimeout(attempt(fn), timeoutMs, () => new GuestTimeoutError(guest.name, what, timeoutMs));
  return {
    get name() {
      return guest.name;
    },
    source: guest.source,
    ...(guest.pid !== undefined ? { pid: guest.pid } : {}),
    memoryBytes: () => box('memoryBytes', () => guest.memoryBytes()),
    balloonActual: () => box('balloonActual', () => guest.balloonActual()),
    setBalloon: (bytes) => box('setBalloon', () => guest.setBalloon(bytes)),
    stats: () => box('stats', () => guest.stats()),
    close: () => guest.close(),
  };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export interface SourceFailure {
  kind: GuestSourceKind;
  status: GuestFailure;
  error: string;
}

/**
 * Lists every source in parallel, each within timeoutMs (or by `deadline`, shared like the guests' in GuestPoller).
 * A source that fails or does not answer in time contributes no guests this time and is reported in failures.
 */
export async function listSources(
  sources: readonly GuestSource[],
  timeoutMs: number,
  deadline?: Promise<void>,
): Promise<{ guests: ManagedGuest[]; failures: SourceFailure[] }> {
  const results = await Promise.all(
    sources.map((s) =>
      settle(
        withTimeout(
          attempt(() => s.list()),
          deadline ?? timeoutMs,
          () => new GuestTimeoutError(`source ${s.kind}`, 'list', timeoutMs),
        ),
      ),
    ),
  );
  const guests: ManagedGuest[] = [];
  const failures: SourceFailure[] = [];
  results.forEach((r, i) => {
    const kind = sources[i]?.kind ?? 'qmp';
    if (r.ok) guests.push(...r.value);
    else failures.push({ kind, status: classifyFailure(r.error), error: errorMessage(r.error) });
  });
  return { guests, failures };
}
