/**
 * Opens the QMP unix socket, retrying while it does not exist yet or nobody listens on it: QEMU creates the socket
 * a moment after it starts. What the socket receives goes to a SocketReader, not through the socket's stream.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpConnectError } from './errors.js';
import type { SocketReader } from './socket-reader.js';

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED']);

type Attempt = { socket: Socket } | { code: string; reason: string };

function reasonFor(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'the socket does not exist (ENOENT)';
    case 'ECONNREFUSED':
      return 'nothing is listening on it (ECONNREFUSED)';
    case 'EACCES':
      return 'permission denied (EACCES)';
    default:
      return e.message;
  }
}

function attempt(path: string, timeoutMs: number, reader: SocketReader): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ path, onread: reader.onread });
    const onError = (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ code: e.code ?? '', reason: reasonFor(e) });
    };
    const timer = setTimeout(() => {
      socket.off('error', onError);
      socket.on('error', () => {}); // a late error on the abandoned socket must not crash the process
      socket.destroy();
      resolve({ code: 'ETIMEDOUT', reason: 'connect() did not complete' });
    }, timeoutMs);
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve({ socket });
    });
  });
}

/**
 * Connects to the unix socket at path; what it receives goes to reader. ENOENT and ECONNREFUSED are retried every
 * retryIntervalMs until connectTimeoutMs has passed; other errors fail at once. Rejects with QmpConnectError.
 *
 * The caller must attach its own 'error' listener before yielding to the event loop.
 */
export async function openUnixSocket(
  path: string,
  connectTimeoutMs: number,
  retryIntervalMs: number,
  reader: SocketReader,
): Promise<Socket> {
  const deadline = Date.now() + connectTimeoutMs;
  for (;;) {
    const r = await attempt(path, Math.max(deadline - Date.now(), 1), reader);
    if ('socket' in r) return r.socket;
    if (!RETRYABLE.has(r.code))
      throw new QmpConnectError(path, r.reason, r.code === 'ETIMEDOUT' ? connectTimeoutMs : undefined);
    const left = deadline - Date.now();
    if (left <= 0) throw new QmpConnectError(path, r.reason, connectTimeoutMs);
    await sleep(Math.min(retryIntervalMs, left));
  }
}
