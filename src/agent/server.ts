/** Serves the agent's hono app on a TCP address with @hono/node-server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { OvercommitError } from '../errors.js';

export interface RunningHttp {
  /** Base URL, e.g. http://127.0.0.1:9474 (the real port when 0 was asked for). */
  url: string;
  port: number;
  /** Stops listening and ends open connections (SSE streams included). */
  close(): Promise<void>;
}

/** Starts listening; rejects (with a hint) when the address is taken or cannot be bound. */
export function startHttp(app: Hono, opts: { listen: string; port: number }): Promise<RunningHttp> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.listen, port: opts.port }) as Server;
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new OvercommitError(
          'USAGE',
          `cannot listen on ${opts.listen}:${opts.port} (${e.code ?? e.message})`,
          e.code === 'EADDRINUSE' ? 'another process uses the port: set http.port' : 'check http.listen and http.port',
          { listen: opts.listen, port: opts.port },
        ),
      );
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      const host = opts.listen.includes(':') && !opts.listen.startsWith('[') ? `[${opts.listen}]` : opts.listen;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
