import { connect } from 'node:net';

/** Asks memcached for its version over the text protocol: a real answer, not just a TCP accept (hostfwd accepts
 * before the guest listens). Resolves the version string, or undefined on any failure within the timeout. */
export function memcachedVersion(port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = (v?: string) => {
      clearTimeout(t);
      sock.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(), timeoutMs);
    sock.on('connect', () => sock.write('version\r\n'));
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^VERSION (\S+)\r\n/.exec(buf);
      if (m) done(m[1]);
      else if (buf.includes('\r\n')) done();
    });
    sock.on('error', () => done());
    sock.on('close', () => done());
  });
}
