/**
 * How a QMP client reads its socket: straight from Node's read callback into the client's line splitter.
 */

/**
 * One read buffer for every QMP socket. Node calls a reader's callback synchronously after each read into it, and a
 * reader copies what it keeps, so the sockets can share it.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Receives a socket's bytes through Node's `onread` option (net.connect), which hands each read to a callback: no
 * Readable stream machinery (push, 'data' event, read-more) per chunk. A round of 100 qom-get replies on 100 sockets
 * cost 4.1 ms of CPU through 'data' and 2.3 ms through onread (a scratch client, cold, two runs each, 20 rounds);
 * the whole agent, warm, showed no difference beyond its noise (bench/agent-side-by-side.sh). Chunks read before a
 * sink is attached are kept, copied, and handed over on attach.
 */
export class SocketReader {
  readonly onread = {
    buffer: READ_BUFFER,
    callback: (nread: number, buffer: Uint8Array): boolean => {
      this.take(buffer.subarray(0, nread));
      return true; // keep reading (false would pause the socket)
    },
  };
  private sink: ((chunk: Uint8Array) => void) | undefined;
  private early: Uint8Array[] = [];

  /** Sends every chunk, from now on and those kept so far, to sink. The chunk is only valid during the call. */
  attach(sink: (chunk: Uint8Array) => void): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink(chunk);
  }

  private take(chunk: Uint8Array): void {
    if (this.sink) this.sink(chunk);
    else this.early.push(Buffer.from(chunk)); // a copy: the buffer is reused
  }
}
