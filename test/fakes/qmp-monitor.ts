/**
 * A fake QEMU QMP monitor for the client tests: a node:net server on a unix socket in a temp dir. It greets each
 * connection like QEMU (unless told not to), splits what it receives into lines on its own (independent of the
 * client's framing), records every command and hands each one to the test's handler.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReceivedCommand {
  execute: string;
  arguments?: Record<string, unknown>;
  id?: unknown;
}

export interface FakeConnection {
  readonly received: ReceivedCommand[];
  /** Sends one message as a line ending in "\r\n", like QEMU. */
  send(message: unknown): void;
  /** Writes raw text (no newline added). */
  sendRaw(text: string | Buffer): void;
  reply(cmd: ReceivedCommand, value: unknown): void;
  replyError(cmd: ReceivedCommand, errorClass: string, desc: string): void;
  event(name: string, data?: Record<string, unknown>): void;
  /** Closes the connection the way a dying QEMU does. */
  destroy(): void;
  /** Resolves when the client side has closed the connection. */
  readonly closed: Promise<void>;
}

export type CommandHandler = (cmd: ReceivedCommand, conn: FakeConnection) => void;

export interface FakeQmpOptions {
  /** Socket path; default: qmp.sock in a fresh temp dir. */
  path?: string;
  /** false: never greet (the client must time out). */
  greet?: boolean;
  /** Called for every command except qmp_capabilities, which is answered with {} unless handled here. */
  onCommand?: CommandHandler;
  /** Also handle qmp_capabilities in onCommand. */
  handleCapabilities?: boolean;
}

export interface FakeQmp {
  readonly path: string;
  readonly connections: FakeConnection[];
  /** Every command of every connection, in arrival order. */
  readonly received: ReceivedCommand[];
  /** Resolves with the first connection, once there is one. */
  firstConnection(): Promise<FakeConnection>;
  close(): Promise<void>;
}

export const GREETING = {
  QMP: { version: { qemu: { micro: 0, minor: 2, major: 9 }, package: 'Debian 1:9.2.0' }, capabilities: ['oob'] },
};

/** A fresh temp dir for a socket; removed by the returned cleanup. */
export async function tempSocketPath(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'qmp-test-'));
  return { path: join(dir, 'qmp.sock'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function wrap(socket: Socket, all: ReceivedCommand[], options: FakeQmpOptions): FakeConnection {
  const received: ReceivedCommand[] = [];
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const conn: FakeConnection = {
    received,
    closed,
    send: (message) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\r\n`);
    },
    sendRaw: (text) => {
      if (!socket.destroyed) socket.write(text);
    },
    reply: (cmd, value) => conn.send({ return: value, id: cmd.id }),
    replyError: (cmd, errorClass, desc) => conn.send({ error: { class: errorClass, desc }, id: cmd.id }),
    event: (name, data) =>
      conn.send({ event: name, ...(data ? { data } : {}), timestamp: { seconds: 1700000000, microseconds: 42 } }),
    destroy: () => socket.destroy(),
  };
  socket.on('error', () => {}); // the client may reset the connection; that is not the fake's failure
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      const cmd = JSON.parse(line) as ReceivedCommand;
      received.push(cmd);
      all.push(cmd);
      if (cmd.execute === 'qmp_capabilities' && !options.handleCapabilities) conn.reply(cmd, {});
      else options.onCommand?.(cmd, conn);
    }
  });
  if (options.greet !== false) conn.send(GREETING);
  return conn;
}

export async function startFakeQmp(options: FakeQmpOptions = {}): Promise<FakeQmp> {
  const temp = options.path === undefined ? await tempSocketPath() : undefined;
  const path = options.path ?? temp?.path ?? '';
  const connections: FakeConnection[] = [];
  const received: ReceivedCommand[] = [];
  const sockets = new Set<Socket>();
  let waiting: ((c: FakeConnection) => void)[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = wrap(socket, received, options);
    connections.push(conn);
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve(conn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    path,
    connections,
    received,
    firstConnection: () => {
      const first = connections[0];
      return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temp?.cleanup();
    },
  };
}
