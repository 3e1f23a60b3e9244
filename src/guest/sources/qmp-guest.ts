/**
 * One guest on a QMP socket the agent did not create: one connection (QEMU serves one QMP client at a time), opened
 * with every wait bounded by the per-guest timeout. Anything that is not QMP on the socket (a malformed line, a huge
 * line) fails the calls in flight at once with that protocol error and closes the connection: the source opens a
 * fresh one on its next list().
 */
import { QmpClient, BALLOON_QOM_PATH } from '../qmp/client.js';
import { QmpCommandError, type QmpProtocolError } from '../qmp/errors.js';
import { parseGuestStats, type GuestStats } from '../qmp/guest-stats.js';
import { guestNameFromSocket, parseMemorySizeSummary, parseQueryName, pickBalloonPath } from './qmp-discovery.js';
import { errorMessage } from '../../errors.js';
import { classifyFailure } from './errors.js';
import type { CachedPoll, ManagedGuest } from './source.js';

export interface QmpGuestOptions {
  /** Bounds the connect, the greeting and each command, ms. */
  timeoutMs: number;
  /** When the balloon's statistics polling is off, turn it on with this period, seconds. undefined: leave it off. */
  statsPeriodSeconds?: number | undefined;
  /** The QEMU process, when known. */
  pid?: number | undefined;
}

const POLLING_INTERVAL = 'guest-stats-polling-interval';

/**
 * Per-tick cost (bench/agent-overhead): the balloon's size arrives as BALLOON_CHANGE events, so query-balloon is sent
 * only when no event or query is fresher than this; the guest refreshes its statistics once per polling period, so
 * they are asked for at most that often.
 */
const ACTUAL_FRESH_MS = 10_000;

export class QmpSocketGuest implements ManagedGuest {
  readonly source = 'qmp' as const;
  readonly socketPath: string;
  readonly pid?: number;
  private readonly client: QmpClient;
  private guestName: string;
  private memory = 0;
  private balloonPath: string | undefined;
  private protocolError: QmpProtocolError | undefined;
  private readonly inFlight = new Set<(e: Error) => void>();
  private actual: { bytes: number; at: number } | undefined;
  private statsCache: { value: GuestStats | undefined; at: number } | undefined;
  private statsPeriodMs = 1000;

  private constructor(socketPath: string, client: QmpClient, pid: number | undefined) {
    this.socketPath = socketPath;
    this.client = client;
    this.guestName = guestNameFromSocket(socketPath);
    if (pid !== undefined) this.pid = pid;
    client.onProtocolError((e) => this.poison(e));
    client.on('BALLOON_CHANGE', (e) => {
      const a = e.data.actual;
      if (typeof a === 'number' && Number.isFinite(a)) this.actual = { bytes: a, at: Date.now() };
    });
  }

  /** Connects, reads the guest's name, memory size and balloon device, and turns stats polling on if asked to. */
  static async open(socketPath: string, options: QmpGuestOptions): Promise<QmpSocketGuest> {
    const client = await QmpClient.connect(socketPath, {
      connectTimeoutMs: options.timeoutMs,
      commandTimeoutMs: options.timeoutMs,
      retryIntervalMs: 25,
    });
    const guest = new QmpSocketGuest(socketPath, client, options.pid);
    try {
      await guest.discover(options.statsPeriodSeconds);
    } catch (e) {
      guest.close();
      throw e;
    }
    return guest;
  }

  get name(): string {
    return this.guestName;
  }

  /** False once the connection is closed (by QEMU, by a protocol error or by close()): the source then reopens. */
  get usable(): boolean {
    return !this.client.closed;
  }

  /** The balloon device's QOM path, when the guest has one. */
  get balloonQomPath(): string | undefined {
    return this.balloonPath;
  }

  memoryBytes(): Promise<number> {
    return Promise.resolve(this.memory);
  }

  cachedPoll(): CachedPoll | undefined {
    if (this.protocolError || this.client.closed) return undefined;
    const now = Date.now();
    if (!this.actual || now - this.actual.at >= ACTUAL_FRESH_MS) return undefined;
    if (this.balloonPath === undefined) return { memoryBytes: this.memory, balloonActualBytes: this.actual.bytes };
    if (!this.statsFresh(now)) return undefined;
    const stats = this.statsCache?.value;
    return stats
      ? { memoryBytes: this.memory, balloonActualBytes: this.actual.bytes, stats }
      : { memoryBytes: this.memory, balloonActualBytes: this.actual.bytes };
  }

  async fetchPoll(): Promise<CachedPoll> {
    const now = Date.now();
    const actual = this.actual && now - this.actual.at < ACTUAL_FRESH_MS ? this.actual.bytes : this.balloonActual();
    const stats =
      this.balloonPath === undefined || this.statsFresh(now)
        ? this.statsCache?.value
        : this.stats().catch((e: unknown) => {
            // As a poll through stats(): a guest that hangs or is gone fails the poll, any other failure only the stats
            if (classifyFailure(e) !== 'error') throw e;
            return e instanceof Error ? e : new Error(String(e));
          });
    const [a, st] = await Promise.all([actual, stats]);
    const out: CachedPoll = { memoryBytes: this.memory, balloonActualBytes: a };
    if (st instanceof Error) out.statsError = errorMessage(st);
    else if (st) out.stats = st;
    return out;
  }

  async balloonActual(): Promise<number> {
    if (this.actual && Date.now() - this.actual.at < ACTUAL_FRESH_MS) return this.actual.bytes;
    const bytes = (await this.call(this.client.queryBalloon())).actual;
    this.actual = { bytes, at: Date.now() };
    return bytes;
  }

  async setBalloon(bytes: number): Promise<void> {
    await this.call(this.client.balloon(bytes));
  }

  async stats(): Promise<GuestStats | undefined> {
    if (this.balloonPath === undefined) return undefined;
    if (this.statsFresh(Date.now())) return this.statsCache?.value;
    const s = parseGuestStats(await this.call(this.client.qomGet(this.balloonPath, 'guest-stats')));
    const value = s.lastUpdate > 0 ? s : undefined;
    this.statsCache = { value, at: Date.now() };
    return value;
  }

  close(): void {
    this.client.close();
  }

  /** Less 250 ms: a tick that comes a little early still gets the guest's next report. */
  private statsFresh(now: number): boolean {
    return this.statsCache !== undefined && now - this.statsCache.at < this.statsPeriodMs - 250;
  }

  private async discover(statsPeriodSeconds: number | undefined): Promise<void> {
    const [name, memory] = await Promise.all([
      this.call(this.client.execute('query-name')),
      this.call(this.client.execute('query-memory-size-summary')),
    ]);
    this.guestName = parseQueryName(name) ?? this.guestName;
    this.memory = parseMemorySizeSummary(memory);
    const balloon = await this.locateBalloon();
    if (!balloon) return;
    this.balloonPath = balloon.path;
    if (statsPeriodSeconds !== undefined && statsPeriodSeconds > 0 && balloon.interval === 0) {
      await this.call(this.client.qomSet(balloon.path, POLLING_INTERVAL, statsPeriodSeconds));
      this.statsPeriodMs = statsPeriodSeconds * 1000;
    } else if (balloon.interval > 0) this.statsPeriodMs = balloon.interval * 1000;
  }

  /** The balloon at the path QEMU gives `-device virtio-balloon-pci,id=balloon0`, else the first one QOM lists. */
  private async locateBalloon(): Promise<{ path: string; interval: number } | undefined> {
    const candidates: Array<() => Promise<string | undefined>> = [
      () => Promise.resolve(BALLOON_QOM_PATH),
      ...['/machine/peripheral', '/machine/peripheral-anon'].map(
        (container) => async () =>
          pickBalloonPath(container, await this.call(this.client.execute('qom-list', { path: container }))),
      ),
    ];
    for (const candidate of candidates) {
      try {
        const path = await candidate();
        if (path === undefined) continue;
        const interval = await this.call(this.client.qomGet(path, POLLING_INTERVAL));
        return { path, interval: typeof interval === 'number' ? interval : 0 };
      } catch (e) {
        if (e instanceof QmpCommandError) continue; // DeviceNotFound, or not a balloon: look further
        throw e;
      }
    }
    return undefined;
  }

  /** p, failed early by a protocol error on the connection (garbage from "QEMU" fails every call in flight). */
  private call<T>(p: Promise<T>): Promise<T> {
    if (this.protocolError) {
      p.catch(() => undefined);
      return Promise.reject(this.protocolError);
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      this.inFlight.add(fail);
      p.then(
        (v) => {
          this.inFlight.delete(fail);
          resolve(v);
        },
        (e: unknown) => {
          this.inFlight.delete(fail);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private poison(e: QmpProtocolError): void {
    if (this.protocolError) return;
    this.protocolError = e;
    const waiting = [...this.inFlight];
    this.inFlight.clear();
    for (const fail of waiting) fail(e);
    this.client.close();
  }
}
