import { connect, type Socket } from 'node:net';
import { MemcachedLoadError } from './load-error.js';
import { ReplyParser, type ReplyStatus } from './protocol.js';
import type { MemcachedTarget } from './config.js';
import { targetLabel } from './config.js';

/** What a connection reports; `R` is the caller's request record, handed back with its replies. */
export interface ConnectionEvents<R> {
  /** A VALUE line (and its bytes, valid during the call only) for the oldest request in flight. */
  value(req: R, key: string, data: Buffer): void;
  /** The oldest request in flight got its final line (END, STORED, SERVER_ERROR ...) and is done. */
  reply(req: R, status: ReplyStatus, message: string): void;
  /** The socket closed under us: `pending` were sent and will never be answered. Reconnecting follows. */
  lost(pending: R[], reason: string): void;
  /** Back after a loss: requests may be sent again. */
  reconnected(): void;
  /** No connection within the reconnect window: this connection is dead. */
  failed(err: MemcachedLoadError): void;
}

export interface ConnectionOptions {
  connectTimeoutMs: number;
  /** 0: a lost connection fails at once. */
  reconnectWindowMs: number;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
}

/** Bytes read per read(2): replies land in one buffer per connection, reused (no allocation per read). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Connects; `onData` gets each read's bytes, valid only during the call (the buffer is reused: Node's `onread`,
 * which also skips the stream machinery).
 */
function openSocket(t: MemcachedTarget, timeoutMs: number, onData: (chunk: Buffer) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const s = connect({
      host: t.host,
      port: t.port,
      onread: {
        buffer,
        callback: (n: number, b: Uint8Array) => {
          onData((b as Buffer).subarray(0, n));
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (e: Error) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    };
    s.once('error', onError);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      s.setNoDelay(true);
      resolve(s);
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One TCP connection to memcached carrying pipelined requests: replies come back in request order, so requests in
 * flight are a FIFO. Requests sent while handling a read go out in one write when the read is handled; others in one
 * write at the end of the tick. A connection that drops is reopened (with back-off) within the reconnect window;
 * requests it had in flight are reported lost.
 */
export class MemcachedConnection<R> {
  readonly label: string;
  private socket: Socket | undefined;
  private parser: ReplyParser | undefined;
  private readonly fifo: R[] = [];
  private out: (string | Buffer)[] = [];
  private outBytes = 0;
  private flushQueued = false;
  /** Inside a read: what replies cause to be sent goes out in one write when the read is done. */
  private reading = false;
  private readFailure = '';
  private closing = false;

  constructor(
    readonly target: MemcachedTarget,
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents<R>,
  ) {
    this.label = targetLabel(target);
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.fifo.length;
  }

  /** Connected and taking requests. */
  get ready(): boolean {
    return this.socket !== undefined && !this.closing;
  }

  /** First connection: rejects with MemcachedLoadError if the target cannot be reached. */
  async open(): Promise<void> {
    try {
      this.attach(await openSocket(this.target, this.options.connectTimeoutMs, this.onData));
    } catch (e) {
      throw new MemcachedLoadError(
        `cannot connect to memcached at ${this.label} (${reasonOf(e)})`,
        'check that memcached runs there and listens on that address',
        this.label,
      );
    }
  }

  /** Queues a request; `bytes` are its complete wire form. Must be ready. */
  send(req: R, bytes: string | Buffer): void {
    if (!this.ready) throw new Error(`send on a connection to ${this.label} that is not ready`);
    this.fifo.push(req);
    this.out.push(bytes);
    this.outBytes += bytes.length; // strings are ASCII
    if (!this.flushQueued && !this.reading) {
      this.flushQueued = true;
      process.nextTick(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    const s = this.socket;
    const out = this.out;
    if (!s || out.length === 0) return;
    if (out.length === 1) s.write(out[0] as string | Buffer);
    else {
      const b = Buffer.allocUnsafe(this.outBytes);
      let at = 0;
      for (const x of out) at += typeof x === 'string' ? b.write(x, at, 'latin1') : x.copy(b, at);
      s.write(b);
    }
    this.out = [];
    this.outBytes = 0;
  };

  /** Closes for good: no more events. */
  close(): void {
    this.closing = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private readonly onData = (chunk: Buffer): void => {
    const parser = this.parser;
    const s = this.socket;
    if (!parser || !s || this.closing) return;
    this.reading = true;
    try {
      parser.feed(chunk);
    } catch (e) {
      this.readFailure = `bad reply: ${e instanceof Error ? e.message : String(e)}`;
      s.destroy();
      return;
    } finally {
      this.reading = false;
    }
    this.flush();
  };

  private attach(s: Socket): void {
    this.socket = s;
    this.readFailure = '';
    this.parser = new ReplyParser({
      value: (key, _flags, data) => {
        if (this.fifo.length === 0) throw new Error(`memcached at ${this.label} sent a VALUE nobody asked for`);
        this.events.value(this.fifo[0] as R, key, data);
      },
      reply: (status, message) => {
        const req = this.fifo.shift();
        if (req === undefined) throw new Error(`memcached at ${this.label} sent '${status}' nobody asked for`);
        this.events.reply(req, status, message);
      },
    });
    let reason = 'closed by the server';
    s.on('error', (e) => {
      reason = reasonOf(e);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.parser = undefined;
      if (this.closing) return;
      void this.recover(this.readFailure || reason);
    });
  }

  private async recover(reason: string): Promise<void> {
    const pending = this.fifo.splice(0);
    this.out = [];
    this.outBytes = 0;
    this.events.lost(pending, reason);
    const windowMs = this.options.reconnectWindowMs;
    const deadline = Date.now() + windowMs;
    let delay = 50;
    let last = reason;
    while (!this.closing && windowMs > 0 && Date.now() < deadline) {
      try {
        const s = await openSocket(
          this.target,
          Math.max(1, Math.min(this.options.connectTimeoutMs, deadline - Date.now())),
          this.onData,
        );
        if (this.closing) {
          s.destroy();
          return;
        }
        this.attach(s);
        this.events.reconnected();
        return;
      } catch (e) {
        last = reasonOf(e);
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(1000, delay * 2);
      }
    }
    if (this.closing) return;
    this.events.failed(
      new MemcachedLoadError(
        `lost the connection to memcached at ${this.label} (${reason})` +
          (windowMs > 0 ? ` and could not reconnect within ${windowMs / 1000} s (${last})` : ''),
        'the server (guest) stopped or restarted: see its log; raise reconnectWindowS to ride out restarts',
        this.label,
      ),
    );
  }
}
