import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Host ports for QEMU's hostfwd rules are taken below the kernel's ephemeral range (32768-60999 by default): a port
 * from inside it can be the local port of one of our own client connections in TIME_WAIT, and QEMU binds without
 * SO_REUSEADDR, so its hostfwd rule then fails (seen here: a lab's third strategy could not start a guest). Ports
 * handed out by this process are not handed out again, so a guest's old connections cannot collide either.
 */
export const HOSTFWD_PORT_RANGE = [20000, 32767] as const;
const handedOut = new Set<number>();

/** Whether 127.0.0.1:port can be bound now (released at once). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that is free now, outside the ephemeral range, never handed out before by this process. */
export async function freeLoopbackPort(): Promise<number> {
  const [lo, hi] = HOSTFWD_PORT_RANGE;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = randomInt(lo, hi + 1);
    if (handedOut.has(port) || !(await canBind(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port on 127.0.0.1 in ${lo}-${hi} after 200 tries`);
}

export async function freeLoopbackPorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) out.push(await freeLoopbackPort());
  return out;
}
