import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Where `cmd` is on PATH, or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (!d) continue;
    try {
      await access(join(d, cmd), constants.X_OK);
      return join(d, cmd);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * For tests that need a host program: true if it is installed; otherwise skips the test with the reason — or fails
 * it when OVERCOMMIT_REQUIRE_HOST=1 (CI), where a test that cannot run must not pass silently.
 */
export async function requireProgram(t: TestContext, cmd: string, pkg: string): Promise<boolean> {
  if (await which(cmd)) return true;
  const why = `needs ${cmd} (apt-get install ${pkg})`;
  if (process.env.OVERCOMMIT_REQUIRE_HOST === '1')
    assert.fail(`test cannot run (${why}) and OVERCOMMIT_REQUIRE_HOST=1`);
  t.skip(why);
  return false;
}

/** A free TCP port on 127.0.0.1 (free when asked: bind soon). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface MemcachedOptions {
  port?: number;
  memoryMb?: number;
  threads?: number;
  extraArgs?: string[];
}

/**
 * A memcached of our own on 127.0.0.1 (no eviction: -M; no UDP), for tests and benches. stop() kills it (SIGKILL if
 * SIGTERM is not enough) and waits for it to exit; restart() starts a fresh, empty one on the same port.
 */
export class LocalMemcached {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly options: MemcachedOptions,
  ) {}

  static async start(options: MemcachedOptions = {}): Promise<LocalMemcached> {
    const m = new LocalMemcached(options.port ?? (await freePort()), options);
    await m.launch();
    return m;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(): Promise<void> {
    const args = [
      '-l',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-m',
      String(this.options.memoryMb ?? 64),
      '-M',
      '-U',
      '0',
    ];
    if (process.getuid?.() === 0) args.push('-u', 'root');
    if (this.options.threads) args.push('-t', String(this.options.threads));
    args.push(...(this.options.extraArgs ?? []));
    const child = spawn('memcached', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`memcached ${args.join(' ')} exited at start: ${stderr.trim()}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.stop();
    throw new Error(`memcached on port ${this.port} not ready within 5 s: ${stderr.trim()}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }

  /** Kills it and starts an empty one on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

/** Sends raw protocol bytes and resolves with the reply once `until` matches it. */
export function rawMemcached(port: number, request: string | Buffer, until: RegExp, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`memcached: no ${String(until)} within ${timeoutMs} ms; got ${JSON.stringify(buf)}`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (until.test(buf)) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
