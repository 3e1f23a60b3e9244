/**
 * memcached text protocol, pure: request lines, and a streaming reply parser that can be fed chunks cut anywhere
 * (inside a line, inside a value, inside the CRLF after it). Values are framed by their byte count, so value bytes
 * may contain anything, "\r\nEND\r\n" included.
 */

export type ReplyStatus =
  | 'END'
  | 'STORED'
  | 'NOT_STORED'
  | 'EXISTS'
  | 'NOT_FOUND'
  | 'DELETED'
  | 'TOUCHED'
  | 'OK'
  | 'ERROR'
  | 'CLIENT_ERROR'
  | 'SERVER_ERROR';

/** Receives parsed replies in order. `data` is only valid during the call (it may view the socket's chunk). */
export interface ReplySink {
  value(key: string, flags: number, data: Buffer): void;
  /** A reply line other than VALUE: END closes a get; any status ends the request it answers. */
  reply(status: ReplyStatus, message: string): void;
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** `get k1 k2 ...\r\n` (keys are validated ASCII). */
export function getRequest(keys: string | readonly string[]): string {
  return typeof keys === 'string' ? `get ${keys}\r\n` : `get ${keys.join(' ')}\r\n`;
}

/** The line before a SET's data: `set <key> <flags> 0 <bytes>\r\n` (no expiry). */
export function setRequestHead(key: string, bytes: number, flags = 0): string {
  return `set ${key} ${flags} 0 ${bytes}\r\n`;
}

/** A whole `set` request (head, data, CRLF) as one buffer. */
export function setRequest(key: string, data: Uint8Array, flags = 0): Buffer {
  const head = setRequestHead(key, data.length, flags);
  const b = Buffer.allocUnsafe(head.length + data.length + 2);
  b.write(head, 0, 'latin1');
  b.set(data, head.length);
  b[b.length - 2] = 13;
  b[b.length - 1] = 10;
  return b;
}

const CR = 13;
const LF = 10;
const SP = 32;
const STATUS_WORDS: ReadonlySet<string> = new Set([
  'END',
  'STORED',
  'NOT_STORED',
  'EXISTS',
  'NOT_FOUND',
  'DELETED',
  'TOUCHED',
  'OK',
  'ERROR',
]);

/** Streaming parser for replies; throws ProtocolError on bytes that are not memcached replies. */
export class ReplyParser {
  /** An incomplete line kept from the previous chunk. */
  private rest: Buffer | undefined;
  /** A value (plus its CRLF) being assembled across chunks. */
  private partial: Buffer | undefined;
  private partialFilled = 0;
  private vKey = '';
  private vFlags = 0;
  private vBytes = 0;

  constructor(
    private readonly sink: ReplySink,
    private readonly maxLineBytes = 8192,
  ) {}

  /** True when no reply is half-received. */
  get idle(): boolean {
    return this.rest === undefined && this.partial === undefined;
  }

  feed(chunk: Buffer): void {
    let pos = 0;
    if (this.partial) {
      const p = this.partial;
      const n = Math.min(p.length - this.partialFilled, chunk.length);
      chunk.copy(p, this.partialFilled, 0, n);
      this.partialFilled += n;
      if (this.partialFilled < p.length) return;
      this.partial = undefined;
      this.deliver(p, 0);
      pos = n;
    } else if (this.rest) {
      // Complete the line carried over with this chunk's first line only: no copy of the whole chunk.
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.rest = Buffer.concat([this.rest, chunk]);
        if (this.rest.length > this.maxLineBytes)
          throw new ProtocolError(`reply line longer than ${this.maxLineBytes} bytes`);
        return;
      }
      const line = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = undefined;
      pos = this.line(line, 0, line.length - 1, chunk, nl + 1);
      if (pos < 0) return;
    }
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) {
        if (len - pos > this.maxLineBytes) throw new ProtocolError(`reply line longer than ${this.maxLineBytes} bytes`);
        this.rest = Buffer.from(chunk.subarray(pos));
        return;
      }
      pos = this.line(chunk, pos, nl, chunk, nl + 1);
      if (pos < 0) return;
    }
  }

  /**
   * Handles the line buf[s, nl) (nl: its LF) whose following bytes are data[next...]. Returns where parsing goes on
   * in `data`, or -1 when a value is incomplete (kept in `partial`).
   */
  private line(buf: Buffer, s: number, nl: number, data: Buffer, next: number): number {
    const e = nl > s && buf[nl - 1] === CR ? nl - 1 : nl;
    if (!this.isValueLine(buf, s, e)) {
      this.statusLine(buf, s, e);
      return next;
    }
    this.parseValueLine(buf, s + 6, e);
    const need = this.vBytes + 2;
    if (data.length - next >= need) {
      this.deliver(data, next);
      return next + need;
    }
    this.partial = Buffer.allocUnsafe(need);
    this.partialFilled = data.copy(this.partial, 0, next, data.length);
    return -1;
  }

  private isValueLine(b: Buffer, s: number, e: number): boolean {
    return (
      e - s > 6 &&
      b[s] === 86 &&
      b[s + 1] === 65 &&
      b[s + 2] === 76 &&
      b[s + 3] === 85 &&
      b[s + 4] === 69 &&
      b[s + 5] === SP
    ); // 'VALUE '
  }

  /** `<key> <flags> <bytes> [<cas>]` */
  private parseValueLine(b: Buffer, s: number, e: number): void {
    let i = s;
    while (i < e && b[i] !== SP) i++;
    if (i === s || i >= e) throw this.badLine(b, s - 6, e);
    this.vKey = b.toString('latin1', s, i);
    let flags = 0;
    let j = ++i;
    for (; j < e && b[j] !== SP; j++) {
      const d = (b[j] as number) - 48;
      if (d < 0 || d > 9) throw this.badLine(b, s - 6, e);
      flags = flags * 10 + d;
    }
    if (j === i || j >= e) throw this.badLine(b, s - 6, e);
    let bytes = 0;
    let k = j + 1;
    const start = k;
    for (; k < e && b[k] !== SP; k++) {
      const d = (b[k] as number) - 48;
      if (d < 0 || d > 9) throw this.badLine(b, s - 6, e);
      bytes = bytes * 10 + d;
    }
    if (k === start || bytes > 0x7fffffff) throw this.badLine(b, s - 6, e);
    this.vFlags = flags;
    this.vBytes = bytes;
  }

  private deliver(b: Buffer, off: number): void {
    const n = this.vBytes;
    if (b[off + n] !== CR || b[off + n + 1] !== LF)
      throw new ProtocolError(`value of '${this.vKey}' (${n} bytes) is not followed by CRLF`);
    this.sink.value(this.vKey, this.vFlags, b.subarray(off, off + n));
  }

  private statusLine(b: Buffer, s: number, e: number): void {
    const n = e - s;
    // The two frequent replies without building a string.
    if (n === 3 && b[s] === 69 && b[s + 1] === 78 && b[s + 2] === 68) return this.sink.reply('END', '');
    if (
      n === 6 &&
      b[s] === 83 &&
      b[s + 1] === 84 &&
      b[s + 2] === 79 &&
      b[s + 3] === 82 &&
      b[s + 4] === 69 &&
      b[s + 5] === 68
    )
      return this.sink.reply('STORED', '');
    const line = b.toString('latin1', s, e);
    if (STATUS_WORDS.has(line)) return this.sink.reply(line as ReplyStatus, '');
    const sp = line.indexOf(' ');
    const word = sp < 0 ? line : line.slice(0, sp);
    if (word === 'SERVER_ERROR' || word === 'CLIENT_ERROR' || word === 'ERROR')
      return this.sink.reply(word, sp < 0 ? '' : line.slice(sp + 1));
    throw this.badLine(b, s, e);
  }

  private badLine(b: Buffer, s: number, e: number): ProtocolError {
    return new ProtocolError(`unexpected reply line ${JSON.stringify(b.toString('latin1', s, Math.min(e, s + 100)))}`);
  }
}
