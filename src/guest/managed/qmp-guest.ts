/**
 * One guest on a QMP socket the agent did not create: one connection (QEMU serves one QMP client at a time), opened
 * with every wait bounded by the per-guest timeout. Anything that is not QMP on the socket (a malformed line, a huge
 * line) fails the calls in flight at once with that protocol error and closes the connection: the source opens a
 * fresh one on its next list().
 */
import { QmpClient, BALLOON_QOM_PATH, type QmpExecuteOptions } from '../qmp/client.js';
import { QmpCommandError, type QmpProtocolError } from '../qmp/errors.js';
import { parseGuestStats, type GuestStats } from '../qmp/guest-stats.js';
import { guestNameFromSocket, parseMemorySizeSummary, parseQueryName, pickBalloonPath } from './qmp-discovery.js';
import { errorMessage } from '../../errors.js';
import { statsFailure } from './errors.js';
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
 * Per-tick cost (bench/agent-overhead): QEMU sends BALLOON_CHANGE whenever the balloon's size changes (at most one a
 * second, the last one always), so query-balloon is only a refresh when no event or query is fresher than this; the
 * guest refreshes its statistics once per polling period, so they are asked for at most that often.
 */
const ACTUAL_FRESH_MS = 60_000;
/** Polls are bounded by their caller's deadline, not a timer per command (fetchPoll). */
const UNTIMED: QmpExecuteOptions = { timeoutMs: 0 };

export class QmpSocketGuest implements ManagedGuest {
  readonly source = 'qmp' as const;
  readonly socketPath: string;
  readonly pid?: number;
  private readonly client: QmpClient;
  private guestName: string;
  private memory = 0;
  private balloonPath: string | undefined;
  private protocolError: QmpProtocolError | undefined;
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

  cachedPoll(statsMaxAgeMs?: number): CachedPoll | undefined {
    if (this.protocolError || this.client.closed) return undefined;
    const now = Date.now();
    const actual = this.freshActual(now);
    if (actual === undefined) return undefined;
    if (this.balloonPath === undefined) return { memoryBytes: this.memory, balloonActualBytes: actual };
    if (!this.statsFresh(now, statsMaxAgeMs)) return undefined;
    const stats = this.statsCache?.value;
    return stats
      ? { memoryBytes: this.memory, balloonActualBytes: actual, stats }
      : { memoryBytes: this.memory, balloonActualBytes: actual };
  }

  /**
   * What a poll needs that cachedPoll() lacks, by the fewest calls. Its calls arm no timer: the caller bounds the wait
   * (GuestPoller's deadline) and never asks again while one is unanswered, so a monitor that hangs holds one command
   * until it answers or its connection closes.
   */
  async fetchPoll(statsMaxAgeMs?: number): Promise<CachedPoll> {
    this.assertUsable();
    const now = Date.now();
    const path = this.balloonPath !== undefined && !this.statsFresh(now, statsMaxAgeMs) ? this.balloonPath : undefined;
    const [actual, stats] = await Promise.all([
      this.freshActual(now) ?? this.queryActual(UNTIMED),
      path === undefined ? this.statsCache?.value : this.fetchStats(path, UNTIMED).catch(statsFailure),
    ]);
    const out: CachedPoll = { memoryBytes: this.memory, balloonActualBytes: actual };
    if (stats instanceof Error) out.statsError = errorMessage(stats);
    else if (stats) out.stats = stats;
    return out;
  }

  async balloonActual(): Promise<number> {
    this.assertUsable();
    return this.freshActual(Date.now()) ?? this.queryActual();
  }

  async setBalloon(bytes: number): Promise<void> {
    this.assertUsable();
    await this.client.balloon(bytes);
  }

  async stats(): Promise<GuestStats | undefined> {
    this.assertUsable();
    if (this.balloonPath === undefined) return undefined;
    if (this.statsFresh(Date.now())) return this.statsCache?.value;
    return this.fetchStats(this.balloonPath);
  }

  close(): void {
    this.client.close();
  }

  private freshActual(now: number): number | undefined {
    return this.actual && now - this.actual.at < ACTUAL_FRESH_MS ? this.actual.bytes : undefined;
  }

  private async queryActual(options?: QmpExecuteOptions): Promise<number> {
    const bytes = (await this.client.queryBalloon(options)).actual;
    this.actual = { bytes, at: Date.now() };
    return bytes;
  }

  private async fetchStats(path: string, options?: QmpExecuteOptions): Promise<GuestStats | undefined> {
    const s = parseGuestStats(await this.client.qomGet(path, 'guest-stats', options));
    const value = s.lastUpdate > 0 ? s : undefined;
    this.statsCache = { value, at: Date.now() };
    return value;
  }

  /** Less 250 ms: a tick that comes a little early still gets the guest's next report. */
  private statsFresh(now: number, maxAgeMs = 0): boolean {
    return this.statsCache !== undefined && now - this.statsCache.at < Math.max(this.statsPeriodMs, maxAgeMs) - 250;
  }

  private async discover(statsPeriodSeconds: number | undefined): Promise<void> {
    const [name, memory] = await Promise.all([
      this.client.execute('query-name'),
      this.client.execute('query-memory-size-summary'),
    ]);
    this.guestName = parseQueryName(name) ?? this.guestName;
    this.memory = parseMemorySizeSummary(memory);
    const balloon = await this.locateBalloon();
    if (!balloon) return;
    this.balloonPath = balloon.path;
    if (statsPeriodSeconds !== undefined && statsPeriodSeconds > 0 && balloon.interval === 0) {
      await this.client.qomSet(balloon.path, POLLING_INTERVAL, statsPeriodSeconds);
      this.statsPeriodMs = statsPeriodSeconds * 1000;
    } else if (balloon.interval > 0) this.statsPeriodMs = balloon.interval * 1000;
  }

  /** The balloon at the path QEMU gives `-device virtio-balloon-pci,id=balloon0`, else the first one QOM lists. */
  private async locateBalloon(): Promise<{ path: string; interval: number } | undefined> {
    const candidates: Array<() => Promise<string | undefined>> = [
      () => Promise.resolve(BALLOON_QOM_PATH),
      ...['/machine/peripheral', '/machine/peripheral-anon'].map(
        (container) => async () =>
          pickBalloonPath(container, await this.client.execute('qom-list', { path: container })),
      ),
    ];
    for (const candidate of candidates) {
      try {
        const path = await candidate();
        if (path === undefined) continue;
        const interval = await this.client.qomGet(path, POLLING_INTERVAL);
        return { path, interval: typeof interval === 'number' ? interval : 0 };
      } catch (e) {
        if (e instanceof QmpCommandError) continue; // DeviceNotFound, or not a balloon: look further
        throw e;
      }
    }
    return undefined;
  }

  /** A connection that carried garbage stays failed with that error (the source opens a fresh one). */
  private assertUsable(): void {
    if (this.protocolError) throw this.protocolError;
  }

  /** Garbage from "QEMU" fails every call in flight with that error at once, and the connection. */
  private poison(e: QmpProtocolError): void {
    if (this.protocolError) return;
    this.protocolError = e;
    this.client.abort(e);
  }
}
