/**
 * QMP is newline-delimited JSON. LineSplitter turns the socket's chunks (cut anywhere, even inside a multi-byte
 * UTF-8 character) into whole lines, and refuses to buffer a line longer than maxLineBytes. Pure: no I/O.
 */

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface FrameResult {
  /** Complete lines, in order, without '\n' and without a trailing '\r' (QEMU ends lines with "\r\n"). */
  lines: string[];
  /**
   * Set when a line grew beyond maxLineBytes: how many bytes of it were seen. The lines before it are still
   * returned; the splitter is then failed and returns no more lines.
   */
  overflowBytes?: number;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  readonly maxLineBytes: number;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private overflowAt: number | undefined;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, not ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes of the unfinished last line held so far. */
  get pendingBytes(): number {
    return this.partBytes;
  }

  get failed(): boolean {
    return this.overflowAt !== undefined;
  }

  push(chunk: Uint8Array): FrameResult {
    const lines: string[] = [];
    if (this.overflowAt !== undefined) return { lines, overflowBytes: this.overflowAt };
    let start = 0;
    while (start < chunk.length) {
      // Splitting on the byte 0x0a is safe: it never occurs inside a multi-byte UTF-8 sequence.
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      const length = this.partBytes + (end - start);
      if (length > this.maxLineBytes) return this.fail(lines, length);
      if (nl === -1) {
        // Copied: the caller may reuse its buffer.
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.partBytes = length;
        break;
      }
      const piece = chunk.subarray(start, nl);
      const bytes = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece], length);
      this.parts = [];
      this.partBytes = 0;
      const text = this.decoder.decode(bytes);
      lines.push(text.endsWith('\r') ? text.slice(0, -1) : text);
      start = nl + 1;
    }
    return { lines };
  }

  private fail(lines: string[], bytes: number): FrameResult {
    this.overflowAt = bytes;
    this.parts = [];
    this.partBytes = 0;
    return { lines, overflowBytes: bytes };
  }
}
