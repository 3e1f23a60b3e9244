/**
 * Polls the managed guests tick after tick, never waiting twice on a guest that hangs:
 * - a guest whose last poll is still unanswered is not asked again: it shows as `timeout` at once;
 * - a guest that timed out last time is asked, but the round does not wait for it: its answer counts if it comes
 *   before the other guests have all answered (or the deadline), and then it is waited for again;
 * - every other guest is waited for until it answers or the deadline comes.
 * The deadline is a promise the caller shares (the agent's next tick), so polling arms no timer of its own. A guest
 * that has its figures at hand (cachedPoll: balloon events, this period's statistics) is read without a call, and
 * one round is one promise, not a few per guest: at 100 guests the per-guest promises were most of a tick's garbage
 * (bench/agent-overhead).
 */
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../errors.js';
import { GuestTimeoutError, classifyFailure, statsFailure } from './errors.js';
import type { CachedPoll, ManagedGuest } from './source.js';
import { attempt, type GuestPoll, type GuestPollSnapshot } from './with-timeout.js';

export class GuestPoller {
  /** Guest key -> when its poll, still unanswered, was sent (performance.now ms). */
  private readonly unanswered = new Map<string, number>();
  /** Guests whose last poll timed out. */
  private readonly suspects = new Set<string>();

  /**
   * Polls every guest in parallel; resolves in the guests' order once each has answered or been given up on.
   * Without a deadline, one timer of timeoutMs bounds the round. `statsMaxAgeMs` gives the guests whose statistics
   * may be older than their period (cachedPoll/fetchPoll).
   */
  poll(
    guests: readonly ManagedGuest[],
    timeoutMs: number,
    deadline?: Promise<void>,
    statsMaxAgeMs?: (g: ManagedGuest) => number | undefined,
  ): Promise<GuestPoll[]> {
    const start = performance.now();
    const out: GuestPoll[] = new Array<GuestPoll>(guests.length);
    const keys = new Set<string>();
    const asked: Array<{ i: number; key: string; suspect: boolean; maxAge: number | undefined }> = [];
    guests.forEach((g, i) => {
      const key = `${g.source}:${g.name}`;
      keys.add(key);
      const since = this.unanswered.get(key);
      if (since !== undefined) {
        const what = `its last poll (sent ${Math.round(start - since)} ms ago)`;
        out[i] = failedPoll(g, new GuestTimeoutError(g.name, what, timeoutMs), 0);
        return;
      }
      const suspect = this.suspects.has(key);
      const maxAge = statsMaxAgeMs?.(g);
      const cached = suspect ? undefined : g.cachedPoll?.(maxAge);
      if (cached) out[i] = okPoll(g, cached, 0);
      else asked.push({ i, key, suspect, maxAge });
    });
    for (const k of this.suspects) if (!keys.has(k)) this.suspects.delete(k);
    if (asked.length === 0) return Promise.resolve(out);
    return new Promise<GuestPoll[]>((resolve) => {
      let waiting = asked.filter((a) => !a.suspect).length;
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      // Suspects still out when the others are done get the rest of this turn of the event loop (answers that came in
      // with the others), no more.
      const othersDone = () => {
        if (asked.every((a) => out[a.i] !== undefined)) finish();
        else setImmediate(finish);
      };
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        for (const a of asked) {
          if (out[a.i] !== undefined) continue;
          const g = guests[a.i] as ManagedGuest;
          const e = new GuestTimeoutError(g.name, 'a poll (memory size, balloon, stats)', timeoutMs);
          out[a.i] = failedPoll(g, e, performance.now() - start);
          this.suspects.add(a.key);
        }
        resolve(out);
      };
      for (const a of asked) {
        const g = guests[a.i] as ManagedGuest;
        this.unanswered.set(a.key, start);
        const settled = (p: GuestPoll) => {
          this.unanswered.delete(a.key);
          if (finished) return; // too late for this round; the guest stays a suspect
          out[a.i] = p;
          if (p.status === 'timeout') this.suspects.add(a.key);
          else this.suspects.delete(a.key);
          if (!a.suspect && --waiting === 0) othersDone();
        };
        ask(g, a.maxAge).then(
          (c) => settled(okPoll(g, c, performance.now() - start)),
          (e: unknown) => settled(failedPoll(g, e, performance.now() - start)),
        );
      }
      if (waiting === 0) othersDone();
      if (deadline) void deadline.then(finish);
      else timer = setTimeout(finish, timeoutMs);
    });
  }
}

/**
 * Reads the guests once (memory size, balloon actual, stats), each within timeoutMs; resolves in their order within
 * timeoutMs plus timer slack and never rejects. A one-off round: nothing is remembered between calls.
 */
export function pollGuests(guests: readonly ManagedGuest[], timeoutMs: number): Promise<GuestPoll[]> {
  return new GuestPoller().poll(guests, timeoutMs);
}

export async function pollGuest(guest: ManagedGuest, timeoutMs: number): Promise<GuestPoll> {
  return (await pollGuests([guest], timeoutMs))[0] as GuestPoll;
}

/** A guest's figures by its fastest way: fetchPoll, else three calls at once (the stats one may fail alone). */
async function ask(g: ManagedGuest, statsMaxAgeMs: number | undefined): Promise<CachedPoll> {
  if (g.fetchPoll) return g.fetchPoll(statsMaxAgeMs);
  const [[memoryBytes, balloonActualBytes], stats] = await Promise.all([
    Promise.all([attempt(() => g.memoryBytes()), attempt(() => g.balloonActual())]),
    attempt(() => g.stats()).catch(statsFailure),
  ]);
  const figures: CachedPoll = { memoryBytes, balloonActualBytes };
  if (stats instanceof Error) figures.statsError = errorMessage(stats);
  else if (stats) figures.stats = stats;
  return figures;
}

function okPoll(g: ManagedGuest, c: CachedPoll, elapsedMs: number): GuestPoll {
  const snapshot: GuestPollSnapshot = { memoryBytes: c.memoryBytes, balloonActualBytes: c.balloonActualBytes };
  if (c.stats) snapshot.stats = c.stats;
  const p: GuestPoll = { name: g.name, source: g.source, status: 'ok', snapshot, elapsedMs: round1(elapsedMs) };
  if (g.pid !== undefined) p.pid = g.pid;
  if (c.statsError !== undefined) p.statsError = c.statsError;
  return p;
}

function failedPoll(g: ManagedGuest, e: unknown, elapsedMs: number): GuestPoll {
  const p: GuestPoll = {
    name: g.name,
    source: g.source,
    status: classifyFailure(e),
    error: errorMessage(e),
    elapsedMs: round1(elapsedMs),
  };
  if (g.pid !== undefined) p.pid = g.pid;
  return p;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;
