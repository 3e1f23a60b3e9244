/**
 * A thin QMP client over a unix socket: the greeting and capabilities handshake, commands matched to their replies
 * by id, events to subscribers. It never crashes on what QEMU sends and never leaves a promise hanging: every wait
 * has a timeout, and a closed connection rejects everything still pending.
 */
import type { Socket } from 'node:net';
import { UsageError } from '../../errors.js';
import { openUnixSocket } from './connect.js';
import { QmpClosedError, QmpCommandError, QmpProtocolError, QmpTimeoutError, excerpt } from './errors.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './framing.js';
import { parseGuestStats, type GuestStats } from './guest-stats.js';
import { SocketReader } from './socket-reader.js';
import {
  encodeCommand,
  isJsonObject,
  parseMessage,
  type QmpEvent,
  type QmpGreeting,
  type QmpMessage,
} from './messages.js';

export type { GuestStats } from './guest-stats.js';
export type { QmpEvent, QmpGreeting } from './messages.js';

/** Where QEMU puts the balloon the launcher creates with id=balloon0. */
export const BALLOON_QOM_PATH = '/machine/peripheral/balloon0';

export interface QmpConnectOptions {
  /** How long to keep retrying while the socket is missing or refuses connections. Default 5000. */
  connectTimeoutMs?: number;
  /** Default timeout of each command; also bounds the wait for the greeting. Default 10000. */
  commandTimeoutMs?: number;
  /** A longer line from QEMU is a protocol error and closes the connection. Default 1 MiB. */
  maxLineBytes?: number;
  /** Pause between connection attempts. Default 50. */
  retryIntervalMs?: number;
}

export interface QmpExecuteOptions {
  /**
   * Overrides the client's commandTimeoutMs for this command. 0: no timer, the caller bounds its wait (a reply that
   * never comes leaves the command pending until the connection closes) — for a caller that has a deadline of its own
   * and never asks a silent monitor again (the agent's poller), so polling arms no timer per command.
   */
  timeoutMs?: number;
}

export type QmpEventHandler = (event: QmpEvent) => void;

export interface QmpStatus {
  /** QEMU's RunState: running, paused, prelaunch, shutdown, internal-error, ... */
  status: string;
  running: boolean;
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

const MAX_RECORDED_PROTOCOL_ERRORS = 32;

export class QmpClient {
  readonly socketPath: string;
  readonly commandTimeoutMs: number;
  private readonly socket: Socket;
  private readonly splitter: LineSplitter;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<QmpEventHandler>>();
  private readonly protocolErrorHandlers = new Set<(error: QmpProtocolError) => void>();
  private readonly recentProtocolErrors: QmpProtocolError[] = [];
  /** Waits other than commands (greeting, waitForEvent): each is failed with the error that ends the connection. */
  private readonly waiters = new Set<(error: Error) => void>();
  private greetingInfo: QmpGreeting | undefined;
  private onGreeting: ((greeting: QmpGreeting) => void) | undefined;
  private nextId = 1;
  private closedWith: { reason: string; byPeer: boolean } | undefined;

  private constructor(
    socket: Socket,
    reader: SocketReader,
    socketPath: string,
    commandTimeoutMs: number,
    maxLineBytes: number,
  ) {
    this.socket = socket;
    this.socketPath = socketPath;
    this.commandTimeoutMs = commandTimeoutMs;
    this.splitter = new LineSplitter(maxLineBytes);
    reader.attach((chunk) => this.onData(chunk));
    socket.on('end', () => this.peerClosed('QEMU closed the socket'));
    socket.on('close', () => this.peerClosed('the socket was closed'));
    socket.on('error', (e: Error) => this.peerClosed(e.message));
  }

  /**
   * Connects (retrying while the socket is not there yet), reads the greeting and negotiates capabilities.
   * Rejects with QmpConnectError, QmpTimeoutError (no greeting), QmpClosedError or QmpCommandError.
   */
  static async connect(socketPath: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    const reader = new SocketReader();
    const connectMs = options.connectTimeoutMs ?? 5000;
    const socket = await openUnixSocket(socketPath, connectMs, options.retryIntervalMs ?? 50, reader);
    const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const client = new QmpClient(socket, reader, socketPath, commandTimeoutMs, maxLine);
    try {
      await client.awaitGreeting(commandTimeoutMs);
      await client.execute('qmp_capabilities');
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** QEMU's greeting: its version and capabilities. Always set once connect() has resolved. */
  get greeting(): QmpGreeting | undefined {
    return this.greetingInfo;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Commands sent and not yet answered, timed out or failed. */
  get pendingCommands(): number {
    return this.pending.size;
  }

  /** The last few protocol errors (malformed lines, replies without an id) the client survived, oldest first. */
  get protocolErrors(): readonly QmpProtocolError[] {
    return [...this.recentProtocolErrors];
  }

  /**
   * Runs a command; resolves with its `return`, rejects with QmpCommandError (QEMU's error class and desc),
   * QmpTimeoutError (no reply in time; a late reply is then ignored), QmpClosedError or QmpProtocolError.
   */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: QmpExecuteOptions = {}): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedError());
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    const id = this.nextId++;
    let line: string;
    try {
      line = encodeCommand(command, args, id);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new QmpTimeoutError('command', command, timeoutMs));
            }, timeoutMs)
          : undefined;
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.write(line);
    });
  }

  /**
   * Calls handler for every event named eventName ('*': every event), in arrival order. Returns the function that
   * unsubscribes. A handler that throws does not disturb the client or the other handlers.
   */
  on(eventName: string, handler: QmpEventHandler): () => void {
    let set = this.handlers.get(eventName);
    if (!set) this.handlers.set(eventName, (set = new Set()));
    const mine = set;
    const entry: QmpEventHandler = (e) => handler(e); // a distinct entry, so the same handler can subscribe twice
    mine.add(entry);
    return () => {
      mine.delete(entry);
      if (mine.size === 0 && this.handlers.get(eventName) === mine) this.handlers.delete(eventName);
    };
  }

  /** Calls handler with each protocol error the client survives or closes on. Returns the unsubscribe function. */
  onProtocolError(handler: (error: QmpProtocolError) => void): () => void {
    const entry = (e: QmpProtocolError) => handler(e);
    this.protocolErrorHandlers.add(entry);
    return () => {
      this.protocolErrorHandlers.delete(entry);
    };
  }

  /**
   * The next event named eventName for which predicate holds. Subscribe before causing the event (call this, then
   * send the command, then await). Rejects with QmpTimeoutError after timeoutMs (default: commandTimeoutMs), with
   * the error that closed the connection, or with what predicate threw.
   */
  waitForEvent(eventName: string, predicate?: (event: QmpEvent) => boolean, timeoutMs?: number): Promise<QmpEvent> {
    if (this.closedWith) return Promise.reject(this.closedError());
    const ms = timeoutMs ?? this.commandTimeoutMs;
    return new Promise<QmpEvent>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        unsubscribe();
        this.waiters.delete(fail);
      };
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      const unsubscribe = this.on(eventName, (event) => {
        let match: boolean;
        try {
          match = predicate ? predicate(event) : true;
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (match) {
          cleanup();
          resolve(event);
        }
      });
      const timer = setTimeout(() => fail(new QmpTimeoutError('event', eventName, ms)), ms);
      this.waiters.add(fail);
    });
  }

  async queryStatus(): Promise<QmpStatus> {
    const r = await this.execute('query-status');
    if (!isJsonObject(r) || typeof r.status !== 'string' || typeof r.running !== 'boolean') {
      throw this.reportProtocolError('query-status: reply has no string status and boolean running');
    }
    return { status: r.status, running: r.running };
  }

  /** Sets the balloon target: the memory size, in bytes, the guest should shrink or grow to. */
  async balloon(bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new UsageError(
        `balloon target must be a positive whole number of bytes, not ${bytes}`,
        'give a size such as 2G',
      );
    }
    await this.execute('balloon', { value: bytes });
  }

  /** The guest's memory size now, in bytes, as the balloon has it (QMP query-balloon). */
  async queryBalloon(options?: QmpExecuteOptions): Promise<{ actual: number }> {
    const r = await this.execute('query-balloon', undefined, options);
    if (!isJsonObject(r) || typeof r.actual !== 'number') {
      throw this.reportProtocolError('query-balloon: reply has no numeric actual');
    }
    return { actual: r.actual };
  }

  qomGet<T = unknown>(path: string, property: string, options?: QmpExecuteOptions): Promise<T> {
    return this.execute<T>('qom-get', { path, property }, options);
  }

  async qomSet(path: string, property: string, value: unknown): Promise<void> {
    await this.execute('qom-set', { path, property, value });
  }

  /** Asks the balloon driver for guest statistics every `seconds` (0 stops it). */
  async enableGuestStatsPolling(seconds: number, path = BALLOON_QOM_PATH): Promise<void> {
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new UsageError(`guest stats polling interval must be whole seconds >= 0, not ${seconds}`, 'use e.g. 1');
    }
    await this.qomSet(path, 'guest-stats-polling-interval', seconds);
  }

  /** The balloon's latest guest statistics (needs enableGuestStatsPolling first; until then lastUpdate is 0). */
  async guestStats(path = BALLOON_QOM_PATH): Promise<GuestStats> {
    return parseGuestStats(await this.qomGet(path, 'guest-stats'));
  }

  /** Makes QEMU exit. Resolves when it acknowledged, or when it closed the connection first (it is exiting). */
  async quit(): Promise<void> {
    try {
      await this.execute('quit');
    } catch (e) {
      if (e instanceof QmpClosedError && e.byPeer) return;
      throw e;
    }
  }

  /** Presses the ACPI power button: the guest shuts itself down if it listens. */
  async systemPowerdown(): Promise<void> {
    await this.execute('system_powerdown');
  }

  /** Closes the connection; pending commands and waits reject with QmpClosedError. Idempotent. */
  close(): void {
    this.terminate({ reason: 'closed by the client', byPeer: false });
  }

  /**
   * Closes the connection over what the caller found wrong with it (a reply it could not use): pending commands and
   * waits reject with `error` itself, later ones with QmpClosedError. Idempotent.
   */
  abort(error: Error): void {
    this.terminate({ reason: `closed after an error (${error.message})`, byPeer: false }, error);
  }

  private closedError(): QmpClosedError {
    const c = this.closedWith ?? { reason: 'not connected', byPeer: false };
    return new QmpClosedError(this.socketPath, c.reason, c.byPeer);
  }

  private awaitGreeting(timeoutMs: number): Promise<QmpGreeting> {
    if (this.greetingInfo) return Promise.resolve(this.greetingInfo);
    if (this.closedWith) return Promise.reject(this.closedError());
    return new Promise<QmpGreeting>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.onGreeting = undefined;
        this.waiters.delete(fail);
      };
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      this.onGreeting = (greeting) => {
        cleanup();
        resolve(greeting);
      };
      const timer = setTimeout(() => fail(new QmpTimeoutError('greeting', 'greeting', timeoutMs)), timeoutMs);
      this.waiters.add(fail);
    });
  }

  private onData(chunk: Uint8Array): void {
    if (this.closedWith) return;
    const { lines, overflowBytes } = this.splitter.push(chunk);
    for (const line of lines) {
      if (this.closedWith) return;
      this.onLine(line);
    }
    if (overflowBytes !== undefined && !this.closedWith) {
      const error = this.reportProtocolError(
        `a line longer than ${this.splitter.maxLineBytes} bytes (${overflowBytes} bytes without a newline)`,
      );
      this.terminate({ reason: `closed after a protocol error (${error.detail})`, byPeer: false }, error);
    }
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    const msg = parseMessage(line);
    switch (msg.kind) {
      case 'malformed':
        this.reportProtocolError(`${msg.reason}: ${excerpt(line)}`, line);
        return;
      case 'greeting':
        if (this.greetingInfo) {
          this.reportProtocolError('a second greeting', line);
          return;
        }
        this.greetingInfo = msg.greeting;
        this.onGreeting?.(msg.greeting);
        return;
      case 'event':
        this.dispatch(msg.event);
        return;
      case 'return':
      case 'error':
        this.settle(msg, line);
        return;
    }
  }

  private settle(msg: Extract<QmpMessage, { kind: 'return' | 'error' }>, line: string): void {
    if (typeof msg.id !== 'number') {
      // QEMU answers without an id only when it could not parse the request: not something a pending command asked.
      this.reportProtocolError(`a reply without an id: ${excerpt(line)}`, line);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // the reply to a command that timed out
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.kind === 'return') p.resolve(msg.value);
    else p.reject(new QmpCommandError(p.command, msg.errorClass, msg.desc));
  }

  private dispatch(event: QmpEvent): void {
    for (const key of [event.event, '*']) {
      const set = this.handlers.get(key);
      if (!set) continue;
      for (const handler of [...set]) {
        try {
          handler(event);
        } catch {
          // A subscriber's failure is its own: the client and the other subscribers carry on.
        }
      }
    }
  }

  private reportProtocolError(detail: string, line?: string): QmpProtocolError {
    const error = new QmpProtocolError(
      detail,
      line === undefined ? { socketPath: this.socketPath } : { socketPath: this.socketPath, line: excerpt(line, 1000) },
    );
    this.recentProtocolErrors.push(error);
    if (this.recentProtocolErrors.length > MAX_RECORDED_PROTOCOL_ERRORS) this.recentProtocolErrors.shift();
    for (const handler of [...this.protocolErrorHandlers]) {
      try {
        handler(error);
      } catch {
        // as for event handlers
      }
    }
    return error;
  }

  private peerClosed(reason: string): void {
    this.terminate({ reason, byPeer: true });
  }

  /** Ends the connection once: pending commands and waits reject with `error` (default: QmpClosedError). */
  private terminate(how: { reason: string; byPeer: boolean }, error?: Error): void {
    if (this.closedWith) return;
    this.closedWith = how;
    this.socket.destroy();
    const err = error ?? this.closedError();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const fail of waiters) fail(err);
  }
}
